import { parseAsn, parseInet6num, parseInetnum } from './ripe-import.ts';

/** The directory's vocabulary (DOMAIN.md §5), shared by the YAML/CSV formats, the repository and the SQL checks. */
export const constituencies = [
  'vital',
  'central-government',
  'digital-service-provider',
  'other-business',
  'link-organisation',
  'foreign-cert',
] as const;
export type Constituency = (typeof constituencies)[number];

export const nis2Classes = ['essential', 'important', 'none'] as const;
export type Nis2Class = (typeof nis2Classes)[number];

/** NIS2 (EU 2022/2555) Annex I and Annex II sectors, as slugs. */
export const nis2Sectors = [
  'energy',
  'transport',
  'banking',
  'financial-market-infrastructure',
  'health',
  'drinking-water',
  'waste-water',
  'digital-infrastructure',
  'ict-service-management',
  'public-administration',
  'space',
  'postal',
  'waste',
  'chemicals',
  'food',
  'manufacturing',
  'digital-providers',
  'research',
] as const;
export type Nis2Sector = (typeof nis2Sectors)[number];

export const contactRoles = ['abuse', 'ciso', '24x7', 'notifications'] as const;
export type ContactRole = (typeof contactRoles)[number];

export const tlpLevels = ['CLEAR', 'GREEN', 'AMBER', 'AMBER+STRICT', 'RED'] as const;
export type TlpLevel = (typeof tlpLevels)[number];

export const netobjectStatuses = ['claimed', 'approved'] as const;
export type NetobjectStatus = (typeof netobjectStatuses)[number];

export type NetobjectKind = 'asn' | 'cidr' | 'domain';

/** 'manual' or 'import:<name>'. */
export type DirectorySource = 'manual' | `import:${string}`;

/** Slugs for manual organisation ids, desk ids and import names: no ':', which marks imported ids. */
export const slugPattern = /^[a-z0-9][a-z0-9._-]{0,63}$/;

export interface NetobjectEntry {
  kind: NetobjectKind;
  /** Canonical: `AS64496`, `192.0.2.0/24`, `2001:db8::/32`, `example.nl`. */
  value: string;
  status: NetobjectStatus;
  name?: string;
}

export interface ContactEntry {
  email: string;
  name?: string;
  roles: ContactRole[];
  language?: string;
  openpgpKey?: string;
  active: boolean;
}

export interface OrganisationEntry {
  id: string;
  name: string;
  registryId?: string;
  constituency?: Constituency;
  nis2Class?: Nis2Class;
  nis2Sector?: Nis2Sector;
  nis2Subsector?: string;
  country?: string;
  languages: string[];
  tlpCeiling?: TlpLevel;
  netobjects: NetobjectEntry[];
  contacts: ContactEntry[];
  /** For a link organisation: the organisations (ids) and whole NIS2 sectors it informs. */
  serves: { organisations: string[]; sectors: Nis2Sector[] };
}

export interface NationalCertEntry {
  country: string;
  organisation: string;
}

export interface DeskEntry {
  id: string;
  name: string;
  identity: { name: string; email: string };
  /** The constituencies whose organisations this desk warns. */
  serves: Constituency[];
}

/** The manual directory as the import and export formats carry it. */
export interface Directory {
  organisations: OrganisationEntry[];
  nationalCerts: NationalCertEntry[];
  desks: DeskEntry[];
}

/** One problem with an import: the file, the record (index or line, and its id) and the field at fault. */
export interface DirectoryProblem {
  file: string;
  record?: string;
  field?: string;
  reason: string;
}

export function formatProblem(problem: DirectoryProblem): string {
  return [problem.file, problem.record, problem.field, problem.reason]
    .filter((part) => part !== undefined)
    .join(': ');
}

/**
 * A network object as written by a person (`AS64496`, `64496`, `192.0.2.0/24`, `2001:DB8::/32`,
 * `Example.NL.`) to its kind and canonical value; a string says what is wrong.
 */
export function parseNetobject(
  input: string | number,
  kind?: NetobjectKind,
): { kind: NetobjectKind; value: string } | string {
  const text = String(input).trim();
  switch (kind ?? netobjectKindOf(text)) {
    case 'asn': {
      const asn = parseAsn(/^[0-9]+$/.test(text) ? `AS${text}` : text);
      return asn === undefined
        ? `${JSON.stringify(text)} is not an AS number (AS64496 or 64496)`
        : { kind: 'asn', value: `AS${asn}` };
    }
    case 'cidr': {
      if (!text.includes('/')) return `${JSON.stringify(text)} is not a CIDR (address/length)`;
      const parsed = text.includes(':') ? parseInet6num(text) : parseInetnum(text);
      if (typeof parsed === 'string') return parsed;
      const [cidr] = parsed;
      return cidr === undefined ? `${JSON.stringify(text)} is not a CIDR` : { kind: 'cidr', value: cidr };
    }
    case 'domain': {
      const domain = text.toLowerCase().replace(/\.$/, '');
      return domainPattern.test(domain) && domain.length <= 253
        ? { kind: 'domain', value: domain }
        : `${JSON.stringify(text)} is not a domain name (ASCII or punycode)`;
    }
  }
}

/** The kind a value looks like: `AS64496`/`64496` an ASN, anything with a `/` a CIDR, else a domain. */
export function netobjectKindOf(text: string): NetobjectKind {
  return /^(AS)?[0-9]+$/i.test(text.trim()) ? 'asn' : text.includes('/') ? 'cidr' : 'domain';
}

const domainPattern = /^(?:[a-z0-9_](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/** A deliberately loose check: one `@`, no spaces, a dotted domain. Deliverability is found out by sending. */
export const emailPattern = /^[^\s@]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?\.[A-Za-z]{2,}$/;
