import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp } from '../../test/app.ts';
import { backend, createTestStore } from '../../test/db.ts';
import { createApiKey } from '../intake/index.ts';
import type { Store } from '../platform/db/index.ts';
import { storedEvents } from '../../test/events.ts';

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

  describe('JSON reports with events', () => {
    const rdp = (ip: string) => ({
      'classification.type': 'vulnerable-system',
      'classification.identifier': 'accessible-rdp',
      'source.ip': ip,
      'source.port': 3389,
      'protocol.transport': 'tcp',
    });

    function send(
      app: ReturnType<typeof createTestApp>['app'],
      key: string | undefined,
      body: unknown,
      contentType = 'application/vnd.tocsin.report+json',
      query = '',
    ) {
      const headers = new Headers({ 'content-type': contentType });
      if (key !== undefined) headers.set('authorization', `Bearer ${key}`);
      return app.request(`/api/v1/reports${query}`, {
        method: 'POST',
        headers,
        body: typeof body === 'string' ? body : JSON.stringify(body),
      });
    }

    it('accepts a report with events (202): the report metadata fills what the events leave out', async () => {
      const { app, processor } = createTestApp(store);
      const response = await send(app, writer, {
        report: {
          source: 'partner-a',
          description: 'RDP open to the internet',
          tlp: 'TLP:AMBER',
          observed: '2026-11-30T10:00:00Z',
        },
        events: [rdp('192.0.2.10'), { ...rdp('192.0.2.11'), tlp: 'GREEN' }],
      });
      expect(response.status).toBe(202);
      const body = (await response.json()) as { report: string; events: number; links: { self: string } };
      expect(body.events).toBe(2);
      await processor.drain();
      const status = await app.request(body.links.self, { headers: { authorization: `Bearer ${readOnly}` } });
      expect(await status.json()).toMatchObject({
        source: 'partner-a',
        status: 'processed',
        feed: 'jsonl',
        accepted: 2,
        rejected: 0,
      });
      const stored = await storedEvents(store, { firstReportId: body.report, orderBy: 'source_ip' });
      expect(stored.map((row) => row.data)).toEqual([
        expect.objectContaining({
          'source.ip': '192.0.2.10',
          tlp: 'AMBER',
          'time.source': '2026-11-30T10:00:00+00:00',
          'event_description.text': 'RDP open to the internet',
          'feed.name': 'api',
          'feed.provider': 'partner-a',
          'classification.taxonomy': 'vulnerable',
        }),
        expect.objectContaining({ 'source.ip': '192.0.2.11', tlp: 'GREEN' }),
      ]);
    });

    it('422 with every field error by path, and nothing stored', async () => {
      const { app, uploadDir } = createTestApp(store);
      const before = await store.db.selectFrom('reports').select('id').execute();
      const response = await send(app, writer, {
        report: { tlp: 'PURPLE' },
        events: [
          rdp('192.0.2.20'),
          { ...rdp('192.0.2.21'), 'source.port': 70000 },
          rdp('192.0.2.22'),
          { ...rdp('not-an-ip'), 'source.colour': 'blue' },
          {},
          'text',
        ],
      });
      expect(response.status).toBe(422);
      const body = (await response.json()) as {
        error: { code: string; details: { errors: { path: string; reason: string }[] } };
      };
      expect(body.error.code).toBe('core.invalid_input');
      const paths = body.error.details.errors.map((e) => e.path);
      expect(paths).toEqual(
        expect.arrayContaining([
          'report.tlp',
          'events[1].source.port',
          'events[3].source.ip',
          'events[3].source.colour',
          'events[4]',
          'events[5]',
        ]),
      );
      expect(paths).not.toContain('events[0].source.ip');
      expect(body.error.details.errors.find((e) => e.path === 'events[3].source.colour')?.reason).toMatch(
        /not an IDF field/,
      );
      expect(await store.db.selectFrom('reports').select('id').execute()).toHaveLength(before.length);
      const { readdirSync } = await import('node:fs');
      expect(readdirSync(uploadDir)).toEqual([]);
    });

    it("422 when the report names another source than the key's", async () => {
      const { app } = createTestApp(store);
      const response = await send(app, writer, {
        report: { source: 'partner-b' },
        events: [rdp('192.0.2.30')],
      });
      expect(response.status).toBe(422);
      expect(await response.json()).toMatchObject({
        error: { details: { errors: [{ path: 'report.source' }] } },
      });
    });

    it('422 for a body that is not JSON, or has no events', async () => {
      const { app } = createTestApp(store);
      const broken = await send(app, writer, '{"events": [');
      expect(broken.status).toBe(422);
      expect(await broken.json()).toMatchObject({ error: { details: { errors: [{ path: '(body)' }] } } });
      const empty = await send(app, writer, { events: [] });
      expect(empty.status).toBe(422);
      expect(await empty.json()).toMatchObject({ error: { details: { errors: [{ path: 'events' }] } } });
    });

    it('401 without a key, 403 with a key of another scope', async () => {
      const { app } = createTestApp(store);
      const report = { events: [rdp('192.0.2.40')] };
      expect((await send(app, undefined, report)).status).toBe(401);
      const forbidden = await send(app, readOnly, report);
      expect(forbidden.status).toBe(403);
      expect(await forbidden.json()).toMatchObject({ error: { code: 'auth.forbidden' } });
    });

    it('413 over the size limit', async () => {
      const { app } = createTestApp(store, { maxUploadBytes: 200 });
      const events = Array.from({ length: 10 }, (_, i) => rdp(`192.0.2.${50 + i}`));
      const response = await send(app, writer, { events });
      expect(response.status).toBe(413);
      expect(await response.json()).toMatchObject({ error: { code: 'intake.payload_too_large' } });
    });

    it('415 for a content type it does not take, naming the report type', async () => {
      const { app } = createTestApp(store);
      const response = await send(app, writer, { events: [rdp('192.0.2.60')] }, 'application/xml');
      expect(response.status).toBe(415);
      expect(await response.json()).toMatchObject({
        error: {
          code: 'intake.unsupported_media_type',
          message: expect.stringContaining('application/vnd.tocsin.report+json') as string,
        },
      });
    });

    it('application/json is still a feed file (IntelMQ events), not a JSON report', async () => {
      const { app, processor } = createTestApp(store);
      const response = await send(
        app,
        writer,
        [rdp('192.0.2.70')],
        'application/json',
        '?filename=events.json',
      );
      expect(response.status).toBe(202);
      const { report } = (await response.json()) as { report: string };
      await processor.drain();
      const row = await store.db
        .selectFrom('reports')
        .select(['status', 'feed', 'accepted'])
        .where('id', '=', report)
        .executeTakeFirstOrThrow();
      expect(row).toEqual({ status: 'processed', feed: 'intelmq', accepted: 1 });
    });
  });
});
