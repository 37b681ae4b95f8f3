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
import { parseTlp, type Event } from '../core/index.ts';
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

/** A page of stored events with their first source and how many other sources sighted them. */
export async function loadEventContexts(
  store: Store,
  page: { after?: string; ids?: readonly string[]; reportId?: string; limit: number },
): Promise<EventContext[]> {
  let query = store.db
    .selectFrom('events')
    .innerJoin('reports', 'reports.id', 'events.first_report_id')
    .innerJoin('sources', 'sources.name', 'reports.source')
    .select([
      'events.id',
      'events.data',
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
    ])
    .orderBy('events.id')
    .limit(page.limit);
  if (page.after !== undefined) query = query.where('events.id', '>', page.after);
  if (page.ids !== undefined) query = query.where('events.id', 'in', [...page.ids]);
  const { reportId } = page;
  if (reportId !== undefined) {
    query = query.where('events.id', 'in', (eb) =>
      eb.selectFrom('event_sightings').select('event_id').where('report_id', '=', reportId),
    );
  }
  const rows = await query.execute();
  return rows.map((row) => ({
    eventId: row.id,
    event: row.data,
    source: { name: row.source, reliability: row.reliability, tlp: row.tlp },
    independentSources: Number(row.others ?? 0),
    ...(row.request.single === undefined ? {} : { single: row.request.single }),
  }));
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
  let after: string | undefined;
  for (;;) {
    const contexts = await loadEventContexts(store, {
      ...(after === undefined ? {} : { after }),
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
      return {
        eventId: context.eventId,
        resolution,
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
    after = contexts.at(-1)?.eventId;
  }
}
