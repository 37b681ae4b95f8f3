import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { backend, createTestStore } from '../../test/db.ts';
import { eventId, type Event } from '../core/index.ts';
import { receiveReport } from '../intake/index.ts';
import { eventToStore, storeEventBatch } from '../intake/events.repo.ts';
import type { Store } from '../platform/db/index.ts';
import {
  assessmentHistory,
  changeSourceReliability,
  currentDecisions,
  listReviewQueue,
  overrideAssessment,
  recordFrameworkVersion,
  sourceTrackRecord,
  storeFrameworkAssessments,
  type AssessmentRecord,
  type Decision,
} from './assessments.repo.ts';

let store: Store;
beforeEach(async () => {
  store = await createTestStore();
  await recordFrameworkVersion(store, '1.0.0', { rules: [] });
});
afterEach(async () => {
  await store.close();
});

async function storedEvents(source: string, ips: string[]): Promise<string[]> {
  const { id: reportId } = await receiveReport({ store }, { path: '/dev/null', fileName: 'x.jsonl', source });
  const batch = ips.map((ip, i) => {
    const event: Event = { 'feed.name': 'Test', 'source.ip': ip, 'classification.type': 'vulnerable-system' };
    return eventToStore(eventId(event), event, `line ${i}`, undefined, i + 1);
  });
  await storeEventBatch(store, reportId, '2026-11-23T10:00:00+00:00', batch);
  return batch.map((b) => b.id);
}

function judgement(decision: Decision, overrides: Partial<AssessmentRecord> = {}): AssessmentRecord {
  return {
    frameworkVersion: '1.0.0',
    reliability: 'B',
    credibility: 2,
    severity: 'high',
    decision,
    tlp: 'AMBER',
    pap: 'AMBER',
    reasons: [{ ruleId: 'test.rule', text: { nl: 'Een reden.', en: 'A reason.' } }],
    fired: [{ ruleId: 'test.rule', why: 'because' }],
    ...overrides,
  };
}

describe(`assessment records on ${backend}`, () => {
  it("stores the framework's judgement once: a second judgement of the same event is not stored", async () => {
    const [a, b] = await storedEvents('test', ['192.0.2.1', '192.0.2.2']);
    const first = await storeFrameworkAssessments(store, [
      { eventId: a ?? '', assessment: judgement('notify') },
      { eventId: b ?? '', assessment: judgement('review') },
    ]);
    expect(Object.fromEntries(first)).toEqual({ [a ?? '']: 'notify', [b ?? '']: 'review' });
    // A later framework version judging the same event again changes nothing: the old judgement stays.
    await recordFrameworkVersion(store, '2.0.0', { rules: [] });
    const again = await storeFrameworkAssessments(store, [
      { eventId: a ?? '', assessment: judgement('reject', { frameworkVersion: '2.0.0' }) },
    ]);
    expect(again.get(a ?? '')).toBe('notify');
    const history = await assessmentHistory(store, a ?? '');
    expect(history).toHaveLength(1);
    expect(history[0]).toMatchObject({ frameworkVersion: '1.0.0', decision: 'notify', current: true });
    expect(Object.fromEntries(await currentDecisions(store, [a ?? '', b ?? '']))).toEqual({
      [a ?? '']: 'notify',
      [b ?? '']: 'review',
    });
  });

  it('refuses a judgement without a reason in both languages, and the database refuses one without any', async () => {
    const [a] = await storedEvents('test', ['192.0.2.1']);
    await expect(
      storeFrameworkAssessments(store, [
        {
          eventId: a ?? '',
          assessment: judgement('notify', {
            reasons: [{ ruleId: 'x', text: { nl: '', en: 'only English' } }],
          }),
        },
      ]),
    ).rejects.toThrow(/both languages/);
    await expect(
      store.db
        .insertInto('assessments')
        .values({
          event_id: a ?? '',
          framework_version: '1.0.0',
          reliability: 'A',
          credibility: 1,
          severity: 'low',
          decision: 'notify',
          tlp: 'AMBER',
          pap: 'AMBER',
          reasons: '[]',
        })
        .execute(),
    ).rejects.toThrow();
  });

  it("keeps the history: an analyst's override is a new record with the person and reason, audited", async () => {
    const [a] = await storedEvents('test', ['192.0.2.1']);
    await storeFrameworkAssessments(store, [{ eventId: a ?? '', assessment: judgement('review') }]);
    expect((await listReviewQueue(store)).map((i) => i.eventId)).toEqual([a]);

    await expect(
      overrideAssessment(store, {
        eventId: a ?? '',
        by: 'alice',
        reason: '  ',
        decision: 'notify',
        reasonText: { nl: 'x', en: 'x' },
      }),
    ).rejects.toThrow(/reason/);
    const stored = await overrideAssessment(store, {
      eventId: a ?? '',
      by: 'alice',
      reason: 'verified the banner myself',
      decision: 'notify',
      outcome: 'confirmed',
      reasonText: { nl: 'Zelf geverifieerd.', en: 'Verified ourselves.' },
      expectDecision: 'review',
    });
    expect(stored).toMatchObject({
      decision: 'notify',
      assessedBy: 'alice',
      outcome: 'confirmed',
      current: true,
    });
    expect(await listReviewQueue(store)).toEqual([]);

    const history = await assessmentHistory(store, a ?? '');
    expect(history.map((h) => [h.decision, h.assessedBy, h.current])).toEqual([
      ['review', 'framework', false],
      ['notify', 'alice', true],
    ]);
    expect(history[1]?.supersedes).toBe(history[0]?.id);
    expect(history[1]?.reasons[0]?.ruleId).toBe('analyst');

    const audit = await store.db
      .selectFrom('audit_log')
      .selectAll()
      .where('subject', '=', a ?? '')
      .execute();
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actor: 'alice', action: 'assessment.override' });

    // Not in review any more: the review path refuses it, naming the decision in force.
    await expect(
      overrideAssessment(store, {
        eventId: a ?? '',
        by: 'bob',
        reason: 'second look',
        decision: 'reject',
        reasonText: { nl: 'x', en: 'x' },
        expectDecision: 'review',
      }),
    ).rejects.toThrow(/not awaiting review \(its decision is notify\)/);
  });

  it("counts analysts' outcomes into the source's track record, and a reliability change is recorded", async () => {
    const [a, b, c] = await storedEvents('partner-x', ['192.0.2.1', '192.0.2.2', '192.0.2.3']);
    await storedEvents('partner-y', ['198.51.100.1']);
    const ids = [a, b, c].map((id) => id ?? '');
    await storeFrameworkAssessments(
      store,
      ids.map((eventId) => ({ eventId, assessment: judgement('review') })),
    );
    const outcomes = ['confirmed', 'confirmed', 'false-positive'] as const;
    for (const [i, eventId] of ids.entries()) {
      await overrideAssessment(store, {
        eventId,
        by: 'alice',
        reason: 'checked',
        decision: outcomes[i] === 'confirmed' ? 'notify' : 'reject',
        outcome: outcomes[i] ?? 'confirmed',
        reasonText: { nl: 'x', en: 'x' },
      });
    }
    expect(await sourceTrackRecord(store, 'partner-x')).toEqual({
      confirmed: 2,
      disputed: 0,
      falsePositive: 1,
    });
    expect(await sourceTrackRecord(store, 'partner-y')).toEqual({
      confirmed: 0,
      disputed: 0,
      falsePositive: 0,
    });

    const before = await assessmentHistory(store, ids[0] ?? '');
    expect(
      await changeSourceReliability(store, {
        source: 'partner-x',
        reliability: 'c',
        by: 'alice',
        reason: 'record',
      }),
    ).toEqual({ previous: 'F', reliability: 'C' });
    // Past assessments keep the reliability they were made with.
    expect(await assessmentHistory(store, ids[0] ?? '')).toEqual(before);
    const changes = await store.db.selectFrom('source_reliability_changes').selectAll().execute();
    expect(changes).toMatchObject([
      { source: 'partner-x', previous: 'F', reliability: 'C', changed_by: 'alice' },
    ]);
    await expect(
      changeSourceReliability(store, { source: 'partner-x', reliability: 'G', by: 'alice', reason: 'x' }),
    ).rejects.toThrow(/A to F/);
  });
});
