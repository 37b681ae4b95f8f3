import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp } from '../../test/app.ts';
import { backend, createTestStore } from '../../test/db.ts';
import { createApiKey } from '../intake/index.ts';
import type { Store } from '../platform/db/index.ts';

const eventsFile = new URL('../../test/fixtures/intake/events.jsonl', import.meta.url);
const events = readFileSync(eventsFile);

let store: Store;
let writer: string;
let readOnly: string;
let otherSource: string;

beforeAll(async () => {
  store = await createTestStore();
  writer = (await createApiKey(store, { source: 'partner-a', scopes: ['reports:write', 'reports:read'] }))
    .key;
  readOnly = (await createApiKey(store, { source: 'partner-a', scopes: ['reports:read'] })).key;
  otherSource = (
    await createApiKey(store, { source: 'partner-b', scopes: ['reports:write', 'reports:read'] })
  ).key;
});

afterAll(async () => {
  await store.close();
});

function upload(
  app: ReturnType<typeof createTestApp>['app'],
  key: string | undefined,
  init: RequestInit = {},
  query = '?filename=events.jsonl',
) {
  const headers = new Headers(init.headers);
  if (key !== undefined) headers.set('authorization', `Bearer ${key}`);
  if (!headers.has('content-type')) headers.set('content-type', 'application/x-ndjson');
  return app.request(`/api/v1/reports${query}`, { method: 'POST', body: events, ...init, headers });
}

describe(`report upload API on ${backend}`, () => {
  it('accepts a file with 202 and reports its processing to the same source', async () => {
    const { app, processor } = createTestApp(store);
    const response = await upload(app, writer);
    expect(response.status).toBe(202);
    const body = (await response.json()) as { report: string; status: string; links: { self: string } };
    expect(body.status).toBe('received');
    await processor.drain();
    const status = await app.request(body.links.self, { headers: { authorization: `Bearer ${readOnly}` } });
    expect(status.status).toBe(200);
    expect(await status.json()).toMatchObject({
      id: body.report,
      source: 'partner-a',
      status: 'processed',
      feed: 'jsonl',
      file_name: 'events.jsonl',
      accepted: expect.any(Number) as number,
      rejected: 0,
    });
  });

  it('accepts multipart uploads', async () => {
    const { app, processor } = createTestApp(store);
    const form = new FormData();
    form.set('file', new File([events], 'partner-events.jsonl'));
    const response = await app.request('/api/v1/reports', {
      method: 'POST',
      body: form,
      headers: { authorization: `Bearer ${writer}` },
    });
    expect(response.status).toBe(202);
    const { report } = (await response.json()) as { report: string };
    await processor.drain();
    const row = await store.db
      .selectFrom('reports')
      .select(['status', 'file_name'])
      .where('id', '=', report)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ status: 'processed', file_name: 'partner-events.jsonl' });
  });

  it('401 without a key and with an unknown or malformed key', async () => {
    const { app } = createTestApp(store);
    const none = await upload(app, undefined);
    expect(none.status).toBe(401);
    expect(await none.json()).toMatchObject({ error: { code: 'auth.missing_credentials' } });
    expect(none.headers.get('www-authenticate')).toBe('Bearer');
    const forged = `tocsin_${'0'.repeat(12)}_${'A'.repeat(43)}`;
    expect((await upload(app, forged)).status).toBe(401);
    expect((await upload(app, 'nonsense')).status).toBe(401);
    const tampered = `${writer.slice(0, -1)}${writer.endsWith('A') ? 'B' : 'A'}`;
    expect(await (await upload(app, tampered)).json()).toMatchObject({
      error: { code: 'auth.invalid_credentials' },
    });
  });

  it('403 with a key of another scope', async () => {
    const { app } = createTestApp(store);
    const response = await upload(app, readOnly);
    expect(response.status).toBe(403);
    expect(await response.json()).toMatchObject({ error: { code: 'auth.forbidden' } });
  });

  it('413 over the size limit, declared or streamed', async () => {
    const { app, uploadDir } = createTestApp(store, { maxUploadBytes: 100 });
    const declared = await upload(app, writer);
    expect(declared.status).toBe(413);
    const streamed = await app.request('/api/v1/reports?filename=x.jsonl', {
      method: 'POST',
      headers: { authorization: `Bearer ${writer}`, 'content-type': 'application/x-ndjson' },
      body: new ReadableStream({
        start(controller) {
          controller.enqueue(events);
          controller.close();
        },
      }),
      duplex: 'half',
    });
    expect(streamed.status).toBe(413);
    expect(await streamed.json()).toMatchObject({ error: { code: 'intake.payload_too_large' } });
    const { readdirSync } = await import('node:fs');
    expect(readdirSync(uploadDir)).toEqual([]);
  });

  it('415 for a content type it does not take', async () => {
    const { app } = createTestApp(store);
    const response = await upload(app, writer, { headers: { 'content-type': 'image/png' } });
    expect(response.status).toBe(415);
    expect(await response.json()).toMatchObject({ error: { code: 'intake.unsupported_media_type' } });
  });

  it('422 for an unknown feed', async () => {
    const { app } = createTestApp(store);
    const response = await upload(app, writer, {}, '?filename=e.jsonl&feed=stix');
    expect(response.status).toBe(422);
    expect(await response.json()).toMatchObject({
      error: { code: 'core.invalid_input', details: { field: 'feed' } },
    });
  });

  it('shows a report only to its own source', async () => {
    const { app, processor } = createTestApp(store);
    const { report } = (await (await upload(app, writer)).json()) as { report: string };
    await processor.drain();
    const foreign = await app.request(`/api/v1/reports/${report}`, {
      headers: { authorization: `Bearer ${otherSource}` },
    });
    expect(foreign.status).toBe(404);
    const missing = await app.request('/api/v1/reports/00000000-0000-0000-0000-000000000000', {
      headers: { authorization: `Bearer ${readOnly}` },
    });
    expect(missing.status).toBe(404);
  });

  it('stores only a hash of each key', async () => {
    const rows = await store.db.selectFrom('api_keys').select(['prefix', 'secret_hash']).execute();
    const secret = writer.split('_')[2] ?? '';
    for (const row of rows) {
      expect(row.secret_hash).toMatch(/^[0-9a-f]{64}$/);
      expect(row.secret_hash).not.toContain(secret);
    }
  });
});
