import { AppError } from '../core/index.ts';
import type { Store } from '../platform/db/index.ts';

import type { Decision } from './framework.ts';
import { reliabilities } from './model.ts';

export type { Decision };
export type Outcome = 'confirmed' | 'disputed' | 'false-positive';

/** A reason as stored and shown: the rule that gave it and its text in both languages. */
export interface StoredReason {
  ruleId: string;
  text: { nl: string; en: string };
}

/** What an assessment records, whoever made it. */
export interface AssessmentRecord {
  frameworkVersion: string;
  reliability: string;
  credibility: number;
  severity: string;
  decision: Decision;
  tlp: string;
  pap: string;
  reasons: readonly StoredReason[];
  fired?: readonly { ruleId: string; why: string }[];
}

export interface StoredAssessment extends AssessmentRecord {
  id: string;
  eventId: string;
  assessedBy: string;
  overrideReason: string | null;
  outcome: Outcome | null;
  supersedes: string | null;
  assessedAt: Date;
  /** Whether this is the assessment in force for its event. */
  current: boolean;
}

/**
 * Records the framework version (once, with its rulebook) so that every assessment that names it stays
 * explainable after the framework file has moved on.
 */
export async function recordFrameworkVersion(
  store: Store,
  version: string,
  rulebook: unknown,
): Promise<void> {
  await store.db
    .insertInto('assessment_frameworks')
    .values({ version, rulebook: JSON.stringify(rulebook) })
    .onConflict((oc) => oc.column('version').doNothing())
    .execute();
}

/** The decision in force for each of the events that has an assessment. */
export async function currentDecisions(
  store: Store,
  eventIds: readonly string[],
): Promise<Map<string, Decision>> {
  if (eventIds.length === 0) return new Map();
  const rows = await store.db
    .selectFrom('event_assessments')
    .select(['event_id', 'decision'])
    .where('event_id', 'in', [...eventIds])
    .execute();
  return new Map(rows.map((row) => [row.event_id, row.decision as Decision]));
}

/**
 * Stores the framework's judgement of each event that has none yet, in one transaction, and makes it the
 * event's current assessment. An event already assessed keeps its assessment (and its framework version):
 * a new framework version applies to new events only. Returns the decision in force for every event given.
 */
export async function storeFrameworkAssessments(
  store: Store,
  items: readonly { eventId: string; assessment: AssessmentRecord }[],
): Promise<Map<string, Decision>> {
  const decisions = new Map<string, Decision>();
  if (items.length === 0) return decisions;
  for (const item of items) checkRecord(item.assessment);
  return store.db.transaction().execute(async (tx) => {
    const ids = items.map((i) => i.eventId);
    const existing = await tx
      .selectFrom('event_assessments')
      .select(['event_id', 'decision'])
      .where('event_id', 'in', ids)
      .execute();
    for (const row of existing) decisions.set(row.event_id, row.decision as Decision);
    const fresh = items.filter((i) => !decisions.has(i.eventId));
    if (fresh.length === 0) return decisions;
    const inserted = await tx
      .insertInto('assessments')
      .values(fresh.map(({ eventId, assessment }) => assessmentRow(eventId, assessment)))
      .returning(['id', 'event_id', 'decision'])
      .execute();
    await tx
      .insertInto('event_assessments')
      .values(
        inserted.map((row) => ({ event_id: row.event_id, assessment_id: row.id, decision: row.decision })),
      )
      .execute();
    for (const row of inserted) decisions.set(row.event_id, row.decision);
    return decisions;
  });
}

export interface Override {
  eventId: string;
  /** The analyst: a person, never the framework. */
  by: string;
  reason: string;
  decision: Decision;
  outcome?: Outcome;
  tlp?: string;
  pap?: string;
  /** The analyst's reason as the reason shown to readers (in both languages). */
  reasonText: { nl: string; en: string };
  /** Refuse unless the assessment in force has this decision (a review acts on items in review only). */
  expectDecision?: Decision;
}

/**
 * An analyst's judgement: a new assessment that supersedes the current one (which stays in the history),
 * with the person and a mandatory reason, audited. Scores not overridden are carried over.
 */
export async function overrideAssessment(store: Store, override: Override): Promise<StoredAssessment> {
  const by = override.by.trim();
  const reason = override.reason.trim();
  if (by === '' || by === 'framework') {
    throw new AppError('core.invalid_input', 'an override names the analyst who makes it (--by)');
  }
  if (reason === '') throw new AppError('core.invalid_input', 'an override needs a reason (--reason)');
  return store.db.transaction().execute(async (tx) => {
    const current = await tx
      .selectFrom('event_assessments')
      .innerJoin('assessments', 'assessments.id', 'event_assessments.assessment_id')
      .selectAll('assessments')
      .where('event_assessments.event_id', '=', override.eventId)
      .forUpdate()
      .executeTakeFirst();
    if (current === undefined) {
      throw new AppError('core.not_found', `event ${override.eventId} has no assessment to override`);
    }
    if (override.expectDecision !== undefined && current.decision !== override.expectDecision) {
      throw new AppError(
        'assessment.not_in_review',
        `event ${override.eventId} is not awaiting review (its decision is ${current.decision})`,
      );
    }
    const reasons: StoredReason[] = [
      { ruleId: 'analyst', text: override.reasonText },
      ...(current.reasons as StoredReason[]),
    ];
    const row = await tx
      .insertInto('assessments')
      .values({
        event_id: override.eventId,
        framework_version: current.framework_version,
        reliability: current.reliability,
        credibility: current.credibility,
        severity: current.severity,
        decision: override.decision,
        tlp: override.tlp ?? current.tlp,
        pap: override.pap ?? current.pap,
        reasons: JSON.stringify(reasons),
        fired: JSON.stringify([]),
        assessed_by: by,
        override_reason: reason,
        outcome: override.outcome ?? null,
        supersedes: current.id,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await tx
      .updateTable('event_assessments')
      .set({ assessment_id: row.id, decision: row.decision, updated_at: new Date() })
      .where('event_id', '=', override.eventId)
      .execute();
    await tx
      .insertInto('audit_log')
      .values({
        actor: by,
        action: 'assessment.override',
        subject: override.eventId,
        details: JSON.stringify({
          assessment: row.id,
          supersedes: current.id,
          from: current.decision,
          to: row.decision,
          outcome: row.outcome,
          reason,
        }),
      })
      .execute();
    return toStored(row, true);
  });
}

/**
 * A decision on an event in the review queue: approve (warn: `notify`, outcome `confirmed`) or reject
 * (`reject`, outcome `disputed` unless the analyst says `false-positive`). Refused for an event that is not
 * in review.
 */
export async function decideReview(
  store: Store,
  review: {
    eventId: string;
    by: string;
    action: 'approve' | 'reject';
    reason: string;
    outcome?: 'disputed' | 'false-positive';
    reasonText: { nl: string; en: string };
  },
): Promise<StoredAssessment> {
  const approve = review.action === 'approve';
  return overrideAssessment(store, {
    eventId: review.eventId,
    by: review.by,
    reason: review.reason,
    decision: approve ? 'notify' : 'reject',
    outcome: approve ? 'confirmed' : (review.outcome ?? 'disputed'),
    expectDecision: 'review',
    reasonText: review.reasonText,
  });
}

/** Every assessment of an event, oldest first, the current one marked. */
export async function assessmentHistory(store: Store, eventId: string): Promise<StoredAssessment[]> {
  const [rows, pointer] = await Promise.all([
    store.db.selectFrom('assessments').selectAll().where('event_id', '=', eventId).orderBy('id').execute(),
    store.db
      .selectFrom('event_assessments')
      .select('assessment_id')
      .where('event_id', '=', eventId)
      .executeTakeFirst(),
  ]);
  return rows.map((row) => toStored(row, row.id === pointer?.assessment_id));
}

export interface ReviewItem {
  eventId: string;
  assessmentId: string;
  assessedAt: Date;
  severity: string;
  reasons: StoredReason[];
  classificationType: string | null;
  sourceIp: string | null;
  feedName: string | null;
}

/** The review queue: events whose assessment in force says a person must look, oldest first. */
export async function listReviewQueue(store: Store, limit = 100): Promise<ReviewItem[]> {
  const rows = await store.db
    .selectFrom('event_assessments')
    .innerJoin('assessments', 'assessments.id', 'event_assessments.assessment_id')
    .innerJoin('events', 'events.id', 'event_assessments.event_id')
    .select([
      'event_assessments.event_id',
      'assessments.id',
      'assessments.assessed_at',
      'assessments.severity',
      'assessments.reasons',
      'events.classification_type',
      'events.source_ip',
      'events.feed_name',
    ])
    .where('event_assessments.decision', '=', 'review')
    .orderBy('assessments.id')
    .limit(limit)
    .execute();
  return rows.map((row) => ({
    eventId: row.event_id,
    assessmentId: row.id,
    assessedAt: row.assessed_at,
    severity: row.severity,
    reasons: row.reasons as StoredReason[],
    classificationType: row.classification_type,
    sourceIp: row.source_ip,
    feedName: row.feed_name,
  }));
}

/** Analysts' outcomes for the events a source reported first: the source's track record. */
export async function sourceTrackRecord(
  store: Store,
  source: string,
): Promise<{ confirmed: number; disputed: number; falsePositive: number }> {
  const rows = await store.db
    .selectFrom('event_assessments')
    .innerJoin('assessments', 'assessments.id', 'event_assessments.assessment_id')
    .innerJoin('events', 'events.id', 'event_assessments.event_id')
    .innerJoin('reports', 'reports.id', 'events.first_report_id')
    .select(['assessments.outcome', (eb) => eb.fn.countAll<string>().as('n')])
    .where('reports.source', '=', source)
    .where('assessments.outcome', 'is not', null)
    .groupBy('assessments.outcome')
    .execute();
  const count = (outcome: Outcome) => Number(rows.find((r) => r.outcome === outcome)?.n ?? 0);
  return {
    confirmed: count('confirmed'),
    disputed: count('disputed'),
    falsePositive: count('false-positive'),
  };
}

function checkRecord(a: AssessmentRecord): void {
  const bilingual = a.reasons.filter((r) => r.text.nl.trim() !== '' && r.text.en.trim() !== '');
  if (bilingual.length === 0) {
    throw new AppError('core.internal', 'an assessment must carry at least one reason in both languages');
  }
}

function assessmentRow(eventId: string, a: AssessmentRecord) {
  return {
    event_id: eventId,
    framework_version: a.frameworkVersion,
    reliability: a.reliability,
    credibility: a.credibility,
    severity: a.severity,
    decision: a.decision,
    tlp: a.tlp,
    pap: a.pap,
    reasons: JSON.stringify(a.reasons),
    fired: JSON.stringify(a.fired ?? []),
  };
}

interface AssessmentRow {
  id: string;
  event_id: string;
  framework_version: string;
  reliability: string;
  credibility: number;
  severity: string;
  decision: Decision;
  tlp: string;
  pap: string;
  reasons: unknown;
  fired: unknown;
  assessed_by: string;
  override_reason: string | null;
  outcome: Outcome | null;
  supersedes: string | null;
  assessed_at: Date;
}

function toStored(row: AssessmentRow, current: boolean): StoredAssessment {
  return {
    id: row.id,
    eventId: row.event_id,
    frameworkVersion: row.framework_version,
    reliability: row.reliability.trim(),
    credibility: row.credibility,
    severity: row.severity,
    decision: row.decision,
    tlp: row.tlp,
    pap: row.pap,
    reasons: row.reasons as StoredReason[],
    fired: row.fired as { ruleId: string; why: string }[],
    assessedBy: row.assessed_by,
    overrideReason: row.override_reason,
    outcome: row.outcome,
    supersedes: row.supersedes,
    assessedAt: row.assessed_at,
    current,
  };
}

/**
 * Changes a source's reliability for assessments from now on, recorded with who and why (and audited). Past
 * assessments keep the reliability they were made with.
 */
export async function changeSourceReliability(
  store: Store,
  change: { source: string; reliability: string; by: string; reason: string },
): Promise<{ previous: string; reliability: string }> {
  const reliability = change.reliability.trim().toUpperCase();
  if (!(reliabilities as readonly string[]).includes(reliability)) {
    throw new AppError('core.invalid_input', `reliability ${change.reliability}: expected one of A to F`);
  }
  if (change.by.trim() === '') throw new AppError('core.invalid_input', 'a change names who makes it');
  if (change.reason.trim() === '') throw new AppError('core.invalid_input', 'a change needs a reason');
  return store.db.transaction().execute(async (tx) => {
    const row = await tx
      .selectFrom('sources')
      .select('reliability')
      .where('name', '=', change.source)
      .forUpdate()
      .executeTakeFirst();
    if (row === undefined) throw new AppError('core.not_found', `No source ${change.source}.`);
    const previous = row.reliability.trim();
    await tx.updateTable('sources').set({ reliability }).where('name', '=', change.source).execute();
    await tx
      .insertInto('source_reliability_changes')
      .values({ source: change.source, previous, reliability, changed_by: change.by, reason: change.reason })
      .execute();
    await tx
      .insertInto('audit_log')
      .values({
        actor: change.by,
        action: 'source.reliability',
        subject: change.source,
        details: JSON.stringify({ previous, reliability, reason: change.reason }),
      })
      .execute();
    return { previous, reliability };
  });
}
