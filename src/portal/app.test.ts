import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backend, createTestStore } from '../../test/db.ts';
import { AppError } from '../core/index.ts';
import type { Store } from '../platform/db/index.ts';
import { createMemoryLogger, createTestApp } from '../../test/app.ts';

const { log, lines: logLines } = createMemoryLogger();

let store: Store;

beforeAll(async () => {
  store = await createTestStore();
});

afterAll(async () => {
  await store.close();
});

function app(name = 'CERT Test') {
  return createTestApp(store, { instanceName: name, log }).app;
}

describe(`portal on ${backend}`, () => {
  it('answers /healthz with 200 and the database state', async () => {
    const response = await app().request('/healthz');
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(await response.json()).toMatchObject({ status: 'ok', database: { backend, ok: true } });
  });

  it('shows a home page that names the instance and links to what exists', async () => {
    const response = await app().request('/');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/html');
    const body = await response.text();
    expect(body).toContain('<title>Home · CERT Test</title>');
    expect(body).toContain('href="/healthz"');
    expect(body).toContain('Tocsin 9.9.9');
  });

  it('escapes what it shows on pages', async () => {
    const body = await (await app('<script>alert(1)</script>').request('/')).text();
    expect(body).not.toContain('<script>alert(1)</script>');
    expect(body).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
  });

  it('sends security headers', async () => {
    const response = await app().request('/');
    expect(response.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(response.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('x-frame-options')).toBe('DENY');
    expect(response.headers.get('referrer-policy')).toBe('no-referrer');
    expect(response.headers.get('strict-transport-security')).toContain('max-age=31536000');
  });

  it('logs each request with its id', async () => {
    const response = await app().request('/healthz?probe=log');
    const id = response.headers.get('x-request-id');
    expect(id).toBeTruthy();
    expect(logLines).toContainEqual(
      expect.objectContaining({
        requestId: id,
        method: 'GET',
        path: '/healthz',
        status: 200,
        msg: 'request',
      }),
    );
  });

  it('answers unknown paths with a JSON error', async () => {
    const response = await app().request('/no/such/page');
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({
      error: { code: 'core.not_found', message: 'No such resource: GET /no/such/page' },
    });
  });

  it('maps error codes to statuses and hides unexpected errors', async () => {
    const withFailures = app();
    withFailures.get('/invalid', () => {
      throw new AppError('core.invalid_input', 'field x is wrong', { details: { field: 'x' } });
    });
    withFailures.get('/outage', () => {
      throw new AppError('platform.database_unavailable');
    });
    withFailures.get('/bug', () => {
      throw new Error('secret internals');
    });
    const invalid = await withFailures.request('/invalid');
    expect(invalid.status).toBe(422);
    expect(await invalid.json()).toEqual({
      error: { code: 'core.invalid_input', message: 'field x is wrong', details: { field: 'x' } },
    });
    const outage = await withFailures.request('/outage');
    expect(outage.status).toBe(503);
    expect(await outage.json()).toEqual({
      error: { code: 'platform.database_unavailable', message: 'The database does not answer.' },
    });
    const bug = await withFailures.request('/bug');
    expect(bug.status).toBe(500);
    const text = await bug.text();
    expect(text).not.toContain('secret internals');
    expect(JSON.parse(text)).toEqual({
      error: { code: 'core.internal', message: 'An unexpected internal error.' },
    });
  });
});

describe('health with a database that is gone', () => {
  it('answers 503', async () => {
    const closed = await createTestStore();
    await closed.close();
    const response = await createTestApp(closed, { log }).app.request('/healthz');
    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({ status: 'unavailable', database: { ok: false } });
  });
});
