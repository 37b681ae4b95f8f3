import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, shippedFramework } from '../../test/app.ts';
import { backend, createTestStore } from '../../test/db.ts';
import { recordFrameworkVersion, storeFrameworkAssessments } from '../assessment/index.ts';
import { eventId, type Event } from '../core/index.ts';
import { eventToStore, storeEventBatch } from '../intake/events.repo.ts';
import { createApiKey, receiveReport } from '../intake/index.ts';
import type { Store } from '../platform/db/index.ts';

let store: Store;
let analyst: string;
let uploader: string;
let inReview: string;
let notified: string;

beforeAll(async () => {
  store = await createTestStore();
  analyst = (await createApiKey(store, { source: 'cert-analysts', scopes: ['review'] })).key;
  uploader = (await createApiKey(store, { source: 'partner-a', scopes: ['reports:write'] })).key;
  const { id: reportId } = await receiveReport(
    { store },
    { path: '/dev/null', fileName: 'x.jsonl', source: 'partner-a' },
  );
  const batch = ['192.0.2.1', '192.0.2.2'].map((ip, i) => {
    const event: Event = { 'feed.name': 'Test', 'source.ip': ip, 'classification.type': 'vulnerable-system' };
    return eventToStore(eventId(event), event, '', undefined, i + 1);
  });
  await storeEventBatch(store, reportId, '2026-11-23T10:00:00+00:00', batch);
  [inReview, notified] = batch.map((b) => b.id) as [string, string];
  await recordFrameworkVersion(store, shippedFramework.version, shippedFramework);
  const reasons = [{ ruleId: 'test', text: { nl: 'Reden.', en: 'Reason.' } }];
  const base = {
    frameworkVersion: shippedFramework.version,
    reliability: 'F',
    credibility: 6,
    severity: 'medium',
    tlp: 'AMBER',
    pap: 'GREEN',
    reasons,
  };
  await storeFrameworkAssessments(store, [
    { eventId: inReview, assessment: { ...base, decision: 'review' } },
    { eventId: notified, assessment: { ...base, decision: 'notify' } },
  ]);
});

afterAll(async () => {
  await store.close();
});

describe(`published framework and review API on ${backend}`, () => {
  it('publishes every rule with its explanation, in English and in Dutch', async () => {
    const { app } = createTestApp(store);
    const en = await app.request('/framework');
    expect(en.status).toBe(200);
    const page = await en.text();
    expect(page).toContain(shippedFramework.version);
    for (const rule of shippedFramework.rules) {
      expect(page).toContain(`id="${rule.id}"`);
    }
    const nl = await app.request('/framework?lang=nl');
    expect(nl.headers.get('content-language')).toBe('nl');
    expect(await nl.text()).toContain('<html lang="nl">');
    const json = await app.request('/api/v1/framework');
    expect(((await json.json()) as { version: string }).version).toBe(shippedFramework.version);
  });

  it('lists the review queue to a key with the review scope only', async () => {
    const { app } = createTestApp(store);
    expect((await app.request('/api/v1/review')).status).toBe(401);
    const forbidden = await app.request('/api/v1/review', {
      headers: { authorization: `Bearer ${uploader}` },
    });
    expect(forbidden.status).toBe(403);
    const listed = await app.request('/api/v1/review', { headers: { authorization: `Bearer ${analyst}` } });
    expect(listed.status).toBe(200);
    const body = (await listed.json()) as { items: { eventId: string }[] };
    expect(body.items.map((i) => i.eventId)).toEqual([inReview]);
  });

  it('approves with a reason, refuses a missing reason (422) and an event not in review (409)', async () => {
    const { app } = createTestApp(store);
    const post = (id: string, body: unknown) =>
      app.request(`/api/v1/review/${id}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${analyst}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const noReason = await post(inReview, { action: 'approve', reason: ' ' });
    expect(noReason.status).toBe(422);
    expect(((await noReason.json()) as { error: { message: string } }).error.message).toContain('reason');
    const notInReview = await post(notified, { action: 'reject', reason: 'no' });
    expect(notInReview.status).toBe(409);
    const approved = await post(inReview, { action: 'approve', reason: 'checked the banner' });
    expect(approved.status).toBe(200);
    const body = (await approved.json()) as { assessment: { decision: string; assessedBy: string } };
    expect(body.assessment.decision).toBe('notify');
    expect(body.assessment.assessedBy).toMatch(/^key:.+ \(cert-analysts\)$/);
    const queue = await app.request('/api/v1/review', { headers: { authorization: `Bearer ${analyst}` } });
    expect(((await queue.json()) as { items: unknown[] }).items).toEqual([]);
  });
});
