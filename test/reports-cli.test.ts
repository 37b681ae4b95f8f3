import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../src/cli/index.ts';
import { createContext } from '../src/main.ts';
import type { Store } from '../src/platform/db/index.ts';
import { backend, createTestStore } from './db.ts';
import { createReportingApp, validReportFields } from './reporting.ts';

/**
 * `tocsin reports list|show|message` in-process, on this run's store: the commands' own store is the test's
 * (kept open across commands), the configuration the shipped defaults.
 */
let store: Store;
let harness: Awaited<ReturnType<typeof createReportingApp>>;

beforeEach(async () => {
  store = await createTestStore();
  harness = await createReportingApp(store);
});

afterEach(async () => {
  await harness.processor.drain();
  await store.close();
});

async function tocsin(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const io = { out: (t: string) => out.push(t), err: (t: string) => err.push(t) };
  const env = { TOCSIN_DATA_DIR: mkdtempSync(join(tmpdir(), 'tocsin-reports-cli-')), LOG_LEVEL: 'silent' };
  const context = createContext(env, process.cwd(), io);
  const code = await runCli(args, {
    ...context,
    openStore: () => Promise.resolve({ ...store, close: () => Promise.resolve() }),
  });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

async function submitReport(fields: Record<string, string>): Promise<{ token: string; trackingId: string }> {
  const peer = { incoming: { socket: { remoteAddress: '192.0.2.5' } } };
  const page = await harness.app.request('/report', {}, peer);
  const cookie = (page.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  const csrf = /name="csrf" value="([^"]+)"/.exec(await page.text())?.[1] ?? '';
  const body = new FormData();
  for (const [k, v] of Object.entries({ csrf, ...fields })) body.append(k, v);
  const posted = await harness.app.request('/report', { method: 'POST', body, headers: { cookie } }, peer);
  const location = posted.headers.get('location') ?? '';
  const token = /\/report\/status\/([^?]+)/.exec(location)?.[1] ?? '';
  const receipt = await (await harness.app.request(location)).text();
  const trackingId = /id="tracking-id">([^<]+)</.exec(receipt)?.[1] ?? '';
  await harness.processor.drain();
  return { token, trackingId };
}

describe(`tocsin reports on ${backend}`, () => {
  it('lists researcher reports, shows one without the contact details, and writes to the reporter', async () => {
    const { token, trackingId } = await submitReport(validReportFields());
    await submitReport(validReportFields({ email: '', name: '', targets: 'bakkerij.example' }));

    const list = await tocsin(['reports', 'list']);
    expect(list.code).toBe(0);
    expect(list.out.split('\n')).toHaveLength(2);
    expect(list.out).toContain(trackingId);
    expect(list.out).toContain('anonymous');

    const shown = await tocsin(['reports', 'show', trackingId.toLowerCase()]);
    expect(shown.code).toBe(0);
    expect(shown.out).toContain(`${trackingId}: assessed`);
    expect(shown.out).toContain('line 1: ip 198.51.100.20');
    expect(shown.out).not.toContain('ada@researcher.example');
    expect(shown.out).not.toContain('Ada Researcher');

    const message = await tocsin(['reports', 'message', trackingId, '--text', 'Which port did you test?']);
    expect(message.code).toBe(0);
    expect(message.out).toBe(`Message added to ${trackingId}; the reporter is told by mail (outbox).`);
    const page = await (await harness.app.request(`/report/status/${token}`)).text();
    expect(page).toContain('Which port did you test?');
    const mails = await sql<{ subject: string; body_text: string; to_address: string }>`
      select subject, body_text, to_address from outbox order by id`.execute(store.db);
    expect(mails.rows.map((m) => m.subject)).toEqual([
      `Report received: ${trackingId}`,
      `Message about your report ${trackingId}`,
    ]);
    expect(mails.rows[1]?.body_text).toContain('Which port did you test?');
    expect(mails.rows[1]?.body_text).not.toContain(token);

    expect((await tocsin(['reports', 'message', trackingId])).code).toBe(2);
    const unknown = await tocsin(['reports', 'message', 'R-20260101-AAAAAA', '--text', 'hello']);
    expect(unknown.code).toBe(1);
    expect(unknown.err).toContain('No researcher report R-20260101-AAAAAA');
  });

  it('forgets a reporter: the contact details are erased and audited, the report and its status link stay', async () => {
    const { token, trackingId } = await submitReport(validReportFields());
    expect((await tocsin(['reports', 'forget', trackingId])).code).toBe(2);
    expect(
      (await tocsin(['reports', 'forget', '--older-than', 'x', '--by', 'a', '--reason', 'b'])).code,
    ).toBe(2);
    const none = await tocsin([
      'reports',
      'forget',
      '--older-than',
      '30',
      '--by',
      'analyst',
      '--reason',
      'handled',
    ]);
    expect(none.out).toBe('No contact details to erase.');
    const forget = await tocsin([
      'reports',
      'forget',
      trackingId,
      '--by',
      'analyst',
      '--reason',
      'handled',
      '--json',
    ]);
    expect(forget.code).toBe(0);
    expect(JSON.parse(forget.out)).toEqual({ erased: [trackingId] });
    const row = await sql<{ reporter_name: string | null; reporter_email: string | null }>`
      select reporter_name, reporter_email from researcher_reports where tracking_id = ${trackingId}`.execute(
      store.db,
    );
    expect(row.rows).toEqual([{ reporter_name: null, reporter_email: null }]);
    const audit = await sql<{ actor: string; action: string }>`
      select actor, action from audit_log where action = 'reporting.forget_reporter'`.execute(store.db);
    expect(audit.rows).toEqual([{ actor: 'analyst', action: 'reporting.forget_reporter' }]);
    expect((await harness.app.request(`/report/status/${token}`)).status).toBe(200);
    const again = await tocsin(['reports', 'forget', trackingId, '--by', 'analyst', '--reason', 'handled']);
    expect(again.out).toBe('No contact details to erase.');
  });
});
