/**
 * The stages after intake, for stored events: enrich (done at ingest) -> resolve the owner -> assess ->
 * route. Assessment needs the owner (actionability), and only an event whose assessment in force says
 * `notify` reaches routing; the others get their owner recorded and no directive.
 *
 * Idempotent: an event already assessed keeps its assessment (and its framework version), an owner is
 * recorded anew, a directive is never made twice.
 */
import {
  assess,
  currentDecisions,
  recordFrameworkVersion,
  reliabilities,
  storeFrameworkAssessments,
  type AssessmentInput,
  type Decision,
  type ImpactAnswer,
  type Framework,
} from '../assessment/index.ts';
import { sql } from 'kysely';
import { findingOf, parseTlp, type Event } from '../core/index.ts';
import { readRecords, type RecordRef, type StoredRecord } from '../intake/index.ts';
import type { Store } from '../platform/db/index.ts';
import type { SingleReportContext } from '../platform/db/schema.ts';
import {
  routeEvent,
  storeRouting,
  type OwnerIndex,
  type Resolution,
  type RoutedEvent,
  type RoutingProfile,
} from '../routing/index.ts';

export interface PipelineDeps {
  store: Store;
  index: OwnerIndex;
  profile: RoutingProfile;
  framework: Framework;
}

export interface ProcessResult {
  events: number;
  /** Assessments made now (events assessed before keep theirs). */
  assessed: number;
  decisions: Record<Decision, number>;
  layers: Record<string, number>;
  directives: { created: number; existing: number };
}

const pageSize = 5000;

/** What assessment needs to know about an event beyond the event itself. */
export interface EventContext {
  eventId: string;
  event: Event;
  source: { name: string; reliability: string; tlp: string };
  /** Other sources that reported the same fact (sightings from their reports). */
  independentSources: number;
  /** When the event's first report was a single report (web form, API): what it said about itself. */
  single?: SingleReportContext;
}

/** The assessment input of an event, its owner resolved. */
export function assessmentInput(context: EventContext, resolution: Resolution): AssessmentInput {
  const organisation =
    resolution.layer === 'end-user' || resolution.layer === 'network-owner'
      ? resolution.organisation
      : undefined;
  const constituency =
    organisation?.constituency ?? (resolution.layer === 'national-cert' ? 'foreign-cert' : undefined);
  return {
    event: context.event,
    source: {
      name: context.source.name,
      reliability: reliabilityOf(context.source.reliability),
      tlp: parseTlp(context.source.tlp) ?? 'RED',
    },
    owner: {
      found: resolution.layer !== 'unresolved',
      ...(constituency === undefined ? {} : { constituency }),
    },
    corroboration: { independentSources: context.independentSources, ownVerification: false },
    ...singleReportInput(context.single),
  };
}

/** The `report.*` and `answers.*` facts of a single report. */
function singleReportInput(single: SingleReportContext | undefined): Partial<AssessmentInput> {
  if (single === undefined) return {};
  const requestedTlp = single.requestedTlp === undefined ? undefined : parseTlp(single.requestedTlp);
  const impact = single.answers?.impact?.filter((a): a is ImpactAnswer & string =>
    ['low', 'medium', 'high'].includes(a),
  );
  return {
    report: {
      kind: 'single',
      evidence: single.evidence,
      contact: single.contact,
      ...(requestedTlp === undefined ? {} : { requestedTlp }),
    },
    ...(single.answers === undefined
      ? {}
      : {
          answers: {
            ...(single.answers.likelihood === undefined ? {} : { likelihood: single.answers.likelihood }),
            ...(impact === undefined ? {} : { impact }),
          },
        }),
  };
}

function reliabilityOf(value: string): AssessmentInput['source']['reliability'] {
  const letter = value.trim().toUpperCase();
  return reliabilities.find((r) => r === letter) ?? 'F';
}

/**
 * Where a page of events ends: for all events, in first-seen order and within it in chunk order (the order
 * they were written in, so each chunk of records is read once); for a report's events, the next range of
 * its lines and the report's last line.
 */
export type EventCursor =
  { firstSeenAt: Date; chunkId: string; chunkIndex: number } | { fromLine: number; lastLine: number };

export interface EventPage {
  contexts: EventContext[];
  /** Where the next page starts; undefined after the last page. */
  next: EventCursor | undefined;
}

/**
 * A page of stored events with their first source and how many other sources sighted them: the given ids,
 * the events one report sighted (in line order), or all events (in chunk order).
 */
export async function loadEventPage(
  store: Store,
  page: { after?: EventCursor | undefined; ids?: readonly string[]; reportId?: string; limit: number },
): Promise<EventPage> {
  const { reportId, after, ids } = page;
  let query = store.db
    .selectFrom('events')
    .innerJoin('reports', 'reports.id', 'events.first_report_id')
    .innerJoin('sources', 'sources.name', 'reports.source')
    .select([
      'events.id',
      'events.chunk_id',
      'events.chunk_index',
      'events.raw_header',
      'events.first_seen_at',
      'sources.name as source',
      'sources.reliability',
      'sources.tlp',
      'reports.request',
      (eb) =>
        eb
          .selectFrom('event_sightings')
          .innerJoin('reports as r2', 'r2.id', 'event_sightings.report_id')
          .select((e) => e.fn.count<string>('r2.source').distinct().as('n'))
          .whereRef('event_sightings.event_id', '=', 'events.id')
          .whereRef('r2.source', '<>', 'reports.source')
          .as('others'),
    ]);
  if (reportId !== undefined) {
    // A report's events a range of lines at a time (`limit` lines; a zip's members number their lines each
    // from 1, so a range may hold a few times as many): a range is found by index whatever the planner
    // believes about the table, which the embedded database never measures, where sorting what follows a
    // keyset made each page cost as much as the rest of the report.
    const cursor = after !== undefined && 'fromLine' in after ? after : await firstLines(store, reportId);
    if (cursor === undefined) return { contexts: [], next: undefined };
    const rows = await query
      .innerJoin('event_sightings as s', 's.event_id', 'events.id')
      .where('s.report_id', '=', reportId)
      .where('s.line', '>=', cursor.fromLine)
      .where('s.line', '<', cursor.fromLine + page.limit)
      .orderBy('s.line')
      .orderBy('events.id')
      .execute();
    const fromLine = cursor.fromLine + page.limit;
    return {
      contexts: await withRecords(store, rows),
      next: fromLine > cursor.lastLine ? undefined : { fromLine, lastLine: cursor.lastLine },
    };
  }
  query = query.limit(page.limit);
  const cursor = after !== undefined && 'chunkId' in after ? after : undefined;
  if (ids !== undefined) query = query.where('events.id', 'in', [...ids]);
  if (cursor !== undefined) {
    query = query.where((eb) =>
      eb(
        eb.refTuple('events.first_seen_at', 'events.chunk_id', 'events.chunk_index'),
        '>',
        eb.tuple(cursor.firstSeenAt, cursor.chunkId, cursor.chunkIndex),
      ),
    );
  }
  const rows = await query
    .orderBy('events.first_seen_at')
    .orderBy('events.chunk_id')
    .orderBy('events.chunk_index')
    .execute();
  const last = rows.at(-1);
  return {
    contexts: await withRecords(store, rows),
    next:
      last === undefined || rows.length < page.limit
        ? undefined
        : { firstSeenAt: last.first_seen_at, chunkId: last.chunk_id, chunkIndex: last.chunk_index },
  };
}

/** The first range of a report's lines, or undefined when it sighted nothing. */
async function firstLines(
  store: Store,
  reportId: string,
): Promise<{ fromLine: number; lastLine: number } | undefined> {
  // Each kind of sighting apart, so that each end is read from its index: over the `event_sightings` view
  // the aggregate read every sighting of the report (1,000,000 of them: 209 ms on PostgreSQL, now 0.6 ms).
  const { rows } = await sql<{ first: number | null; last: number | null }>`
    select min(first) as first, max(last) as last from (
      select min(first_line) as first, max(first_line) as last
      from events where first_sighted and first_report_id = ${reportId}
      union all
      select min(line), max(line) from event_sighting_rows where report_id = ${reportId}
    ) ends`.execute(store.db);
  const row = rows[0];
  if (row === undefined || row.first === null || row.last === null) return undefined;
  return { fromLine: row.first, lastLine: row.last };
}

interface PageRow extends RecordRef {
  id: string;
  source: string;
  reliability: string;
  tlp: string;
  request: { single?: SingleReportContext | undefined };
  others: string | null;
}

async function withRecords(store: Store, rows: readonly PageRow[]): Promise<EventContext[]> {
  const records = await readRecords(store, rows);
  return rows.map((row, at) => ({
    eventId: row.id,
    event: (records[at] as StoredRecord).data,
    source: { name: row.source, reliability: row.reliability, tlp: row.tlp },
    independentSources: Number(row.others ?? 0),
    ...(row.request.single === undefined ? {} : { single: row.request.single }),
  }));
}

/** The given stored events with their first source and how many other sources sighted them. */
export async function loadEventContexts(store: Store, ids: readonly string[]): Promise<EventContext[]> {
  return ids.length === 0 ? [] : (await loadEventPage(store, { ids, limit: ids.length })).contexts;
}

/** Resolves, assesses and routes every stored event (or those one report sighted), a page at a time. */
export async function processStoredEvents(
  deps: PipelineDeps,
  options: { reportId?: string } = {},
): Promise<ProcessResult> {
  const { store, index, profile, framework } = deps;
  await recordFrameworkVersion(store, framework.version, framework);
  const result: ProcessResult = {
    events: 0,
    assessed: 0,
    decisions: { notify: 0, review: 0, inform: 0, reject: 0 },
    layers: {},
    directives: { created: 0, existing: 0 },
  };
  let after: EventCursor | undefined;
  for (;;) {
    const { contexts, next } = await loadEventPage(store, {
      after,
      ...(options.reportId === undefined ? {} : { reportId: options.reportId }),
      limit: pageSize,
    });
    if (contexts.length === 0) return result;
    const resolved = contexts.map((context) => ({
      context,
      resolution: index.resolve(context.event).resolution,
    }));
    // Only events without an assessment in force are judged: the others keep theirs.
    const known = await currentDecisions(
      store,
      contexts.map((c) => c.eventId),
    );
    const judged = resolved
      .filter(({ context }) => !known.has(context.eventId))
      .map(({ context, resolution }) => ({
        eventId: context.eventId,
        assessment: assess(framework, assessmentInput(context, resolution)),
      }));
    const decisions = new Map([...known, ...(await storeFrameworkAssessments(store, judged))]);
    result.assessed += judged.length;
    const routed: RoutedEvent[] = resolved.map(({ context, resolution }) => {
      result.layers[resolution.layer] = (result.layers[resolution.layer] ?? 0) + 1;
      const decision = decisions.get(context.eventId) ?? 'review';
      result.decisions[decision]++;
      const provider = context.event['feed.provider'];
      return {
        eventId: context.eventId,
        resolution,
        finding: findingOf(context.event),
        ...(typeof provider === 'string' ? { feedProvider: provider } : {}),
        directives:
          decision === 'notify'
            ? routeEvent(profile, { eventId: context.eventId, event: context.event, resolution }).directives
            : [],
      };
    });
    const stored = await storeRouting(store, routed);
    result.events += contexts.length;
    result.directives.created += stored.created;
    result.directives.existing += stored.existing;
    if (next === undefined) return result;
    after = next;
  }
}
