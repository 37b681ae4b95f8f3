import type { ColumnType, Generated } from 'kysely';

/** Table types for Kysely, kept in step with `migrations/*.sql` (snake_case as in SQL). */
export interface Database {
  schema_migrations: SchemaMigrationTable;
  audit_log: AuditLogTable;
  sources: SourceTable;
  api_keys: ApiKeyTable;
  reports: ReportTable;
  report_archives: ReportArchiveTable;
  events: EventTable;
  event_chunks: EventChunkTable;
  raw_headers: RawHeaderTable;
  /** A view (migration 0014): the sightings event rows imply, and `event_sighting_rows`. */
  event_sightings: EventSightingTable;
  event_sighting_rows: EventSightingTable;
  organisations: OrganisationTable;
  netobjects: NetobjectTable;
  contacts: ContactTable;
  link_organisation_serves: LinkOrganisationServesTable;
  national_certs: NationalCertTable;
  desks: DeskTable;
  directory_imports: DirectoryImportTable;
  effective_netobjects: NetobjectTable;
  event_owners: EventOwnerTable;
  directives: DirectiveTable;
  assessment_frameworks: AssessmentFrameworkTable;
  assessments: AssessmentTable;
  event_assessments: EventAssessmentTable;
  source_reliability_changes: SourceReliabilityChangeTable;
}

export interface SchemaMigrationTable {
  version: number;
  name: string;
  checksum: string;
  applied_at: ColumnType<Date, Date | string | undefined, never>;
}

export interface AuditLogTable {
  id: Generated<string>;
  at: ColumnType<Date, Date | string | undefined, never>;
  actor: string;
  action: string;
  subject: string | null;
  details: ColumnType<Record<string, unknown>, string | undefined, never>;
}

export interface SourceTable {
  name: string;
  description: ColumnType<string, string | undefined, string>;
  reliability: ColumnType<string, string | undefined, string>;
  tlp: ColumnType<string, string | undefined, string>;
  created_at: ColumnType<Date, Date | string | undefined, never>;
}

export interface ApiKeyTable {
  id: string;
  source: string;
  prefix: string;
  secret_hash: string;
  scopes: string[];
  description: ColumnType<string, string | undefined, string>;
  created_at: ColumnType<Date, Date | string | undefined, never>;
  last_used_at: Date | null;
  revoked_at: Date | null;
}

export type ReportStatus = 'received' | 'processing' | 'processed' | 'failed';

export interface ReportTable {
  id: string;
  source: string;
  feed: string;
  report_type: string | null;
  file_name: string | null;
  received_at: ColumnType<Date, Date | string | undefined, never>;
  size_bytes: ColumnType<string | null, number | null | undefined, number | null>;
  sha256: string | null;
  status: ColumnType<ReportStatus, ReportStatus | undefined, ReportStatus>;
  accepted: ColumnType<number, number | undefined, number>;
  duplicates: ColumnType<number, number | undefined, number>;
  rejected: ColumnType<number, number | undefined, number>;
  rejects: ColumnType<unknown[], string | undefined, string>;
  error: string | null;
  finished_at: Date | null;
  request: ColumnType<ReportRequestOptions, string | undefined, string>;
}

/** What the reporter asked for with a report, kept so that it can be processed again after a restart. */
export interface ReportRequestOptions {
  feed?: string;
  reportType?: string;
  feedName?: string;
  /** A single report (web form, API): what assessment reads about the report besides its events. */
  single?: SingleReportContext;
}

/** The report context of a single report (`report.*` and `answers.*` facts of the framework). */
export interface SingleReportContext {
  evidence: boolean;
  contact: boolean;
  requestedTlp?: string;
  /** The reporter's NCSC kans/schade answers: 10 likelihood answers 1..4, 5 damage answers. */
  answers?: { likelihood?: number[]; impact?: string[] };
}

export interface ReportArchiveTable {
  report_id: string;
  part: number;
  encoding: 'gzip' | 'identity';
  data: Uint8Array;
}

export interface EventTable {
  id: string;
  /** The chunk holding the event's record and raw text (src/intake/event-records.ts), and its line there. */
  chunk_id: string;
  chunk_index: number;
  /** With `raw_header`, the raw text in the chunk is the record's own line: IntelMQ's raw is the header, "\n", then it. */
  raw_header: string | null;
  first_report_id: string;
  first_seen_at: Date;
  time_source: Date | null;
  source_ip: string | null;
  classification_type: string | null;
  feed_name: string | null;
  /** With `first_sighted`, the row is also the first report's sighting of it, at this line (migration 0014). */
  first_line: number | null;
  first_sighted: Generated<boolean>;
}

export interface EventChunkTable {
  id: string;
  report_id: string;
  /** zstd-compressed JSON lines (plain text for chunks made from older rows by migration 0013). */
  records: Uint8Array;
}

export interface RawHeaderTable {
  id: string;
  text: string;
}

export interface EventSightingTable {
  event_id: string;
  report_id: string;
  observed_at: Date;
  line: number;
}

// Directory (migrations/0004_directory.sql). `source` is 'manual' or 'import:<name>'.

export interface OrganisationTable {
  id: string;
  name: string;
  registry_id: string | null;
  constituency: string | null;
  nis2_class: string | null;
  nis2_sector: string | null;
  nis2_subsector: string | null;
  country: string | null;
  languages: ColumnType<string[], string[] | undefined, string[]>;
  tlp_ceiling: string | null;
  source: string;
  created_at: ColumnType<Date, Date | string | undefined, never>;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

export interface NetobjectTable {
  id: Generated<string>;
  organisation_id: string | null;
  kind: 'asn' | 'cidr' | 'domain';
  value: string;
  asn: ColumnType<string | null, number | null | undefined, number | null>;
  cidr: string | null;
  status: 'claimed' | 'approved';
  source: string;
  name: string | null;
  country: string | null;
  abuse_email: string | null;
  created_at: ColumnType<Date, Date | string | undefined, never>;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

export interface ContactTable {
  id: Generated<string>;
  organisation_id: string;
  email: string;
  name: string | null;
  roles: string[];
  language: string | null;
  openpgp_key: string | null;
  active: ColumnType<boolean, boolean | undefined, boolean>;
  source: string;
  created_at: ColumnType<Date, Date | string | undefined, never>;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

export interface LinkOrganisationServesTable {
  id: Generated<string>;
  link_organisation_id: string;
  organisation_id: string | null;
  sector: string | null;
  source: string;
  created_at: ColumnType<Date, Date | string | undefined, never>;
}

export interface NationalCertTable {
  country: string;
  organisation_id: string;
  created_at: ColumnType<Date, Date | string | undefined, never>;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

export interface DeskTable {
  id: string;
  name: string;
  identity_name: string;
  identity_email: string;
  constituencies: ColumnType<string[], string[] | undefined, string[]>;
  created_at: ColumnType<Date, Date | string | undefined, never>;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

export interface DirectoryImportTable {
  name: string;
  kind: 'ripe';
  files: string[];
  country: string | null;
  imported_at: ColumnType<Date, Date | string | undefined, Date | string>;
  counts: ColumnType<Record<string, number>, string | undefined, string>;
}

export interface EventOwnerTable {
  event_id: string;
  layer: 'end-user' | 'network-owner' | 'national-cert' | 'unresolved';
  owner: string | null;
  netobject: string | null;
  reason: string | null;
  resolved_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

export interface DirectiveTable {
  id: Generated<string>;
  event_id: string;
  desk: string;
  channel: 'direct' | 'via-link-organisation' | 'foreign-cert';
  recipient: string;
  recipient_role: 'end-user' | 'network-owner' | 'national-cert';
  on_behalf_of: string | null;
  template: string;
  notify_interval: string;
  aggregation_key: string;
  rule: string;
  profile: string;
  profile_version: number;
  justification: string | null;
  /** The finding the event reports (`findingOf`) and its feed's provider, as the scheduler groups them. */
  finding: string;
  feed_provider: string | null;
  created_at: ColumnType<Date, Date | string | undefined, never>;
}

// Assessment (migrations/0007_assessment.sql).

export interface AssessmentFrameworkTable {
  version: string;
  rulebook: ColumnType<unknown, string, never>;
  first_used_at: ColumnType<Date, Date | string | undefined, never>;
}

export interface AssessmentTable {
  id: Generated<string>;
  event_id: string;
  framework_version: string;
  reliability: string;
  credibility: number;
  severity: string;
  decision: 'notify' | 'review' | 'inform' | 'reject';
  tlp: string;
  pap: string;
  reasons: ColumnType<unknown, string, never>;
  fired: ColumnType<unknown, string | undefined, never>;
  assessed_by: ColumnType<string, string | undefined, never>;
  override_reason: string | null;
  outcome: 'confirmed' | 'disputed' | 'false-positive' | null;
  supersedes: string | null;
  assessed_at: ColumnType<Date, Date | string | undefined, never>;
}

export interface EventAssessmentTable {
  event_id: string;
  assessment_id: string;
  decision: string;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

export interface SourceReliabilityChangeTable {
  id: Generated<string>;
  source: string;
  previous: string;
  reliability: string;
  changed_by: string;
  reason: string;
  changed_at: ColumnType<Date, Date | string | undefined, never>;
}
