import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp } from '../../test/app.ts';
import { createTestStore } from '../../test/db.ts';
import type { Store } from '../platform/db/index.ts';
import { reportSubmissionSchema } from './api-schemas.ts';
import { openApiPath, type OpenApiDocument } from './openapi.ts';

let store: Store;
beforeAll(async () => {
  store = await createTestStore();
});
afterAll(async () => {
  await store.close();
});

const methods = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

/** Every `$ref` in a JSON value. */
function refs(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) for (const v of value) refs(v, out);
  else if (typeof value === 'object' && value !== null) {
    for (const [key, v] of Object.entries(value)) {
      if (key === '$ref' && typeof v === 'string') out.push(v);
      else refs(v, out);
    }
  }
  return out;
}

describe('the OpenAPI document', () => {
  it('is OpenAPI 3.1 in shape: info, paths of operations with responses, resolvable references', async () => {
    const { app } = createTestApp(store);
    const response = await app.request('/api/openapi.json');
    expect(response.status).toBe(200);
    const doc = (await response.json()) as OpenApiDocument;
    expect(doc.openapi).toMatch(/^3\.1\.\d+$/);
    expect(doc.info).toMatchObject({ title: expect.any(String) as string, version: '9.9.9' });
    const ids = new Set<string>();
    for (const [path, item] of Object.entries(doc.paths)) {
      expect(path).toMatch(/^\//);
      for (const [method, operation] of Object.entries(item)) {
        expect(methods).toContain(method);
        expect(Object.keys(operation.responses).length).toBeGreaterThan(0);
        for (const status of Object.keys(operation.responses)) expect(status).toMatch(/^[1-5]\d\d$/);
        expect(ids.has(operation.operationId)).toBe(false);
        ids.add(operation.operationId);
        // Every path parameter is declared, and every declared one is in the path.
        const inPath = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
        const declared = (operation.parameters ?? []).filter((p) => p.in === 'path').map((p) => p.name);
        expect(declared.sort()).toEqual(inPath.sort());
        for (const scheme of (operation.security ?? []).flatMap((s) => Object.keys(s))) {
          expect(doc.components.securitySchemes).toHaveProperty(scheme);
        }
      }
    }
    for (const target of refs(doc)) {
      const id = target.replace('#/components/schemas/', '');
      expect(target.startsWith('#/components/schemas/')).toBe(true);
      expect(doc.components.schemas).toHaveProperty(id);
    }
    for (const schema of Object.values(doc.components.schemas)) {
      expect(schema).not.toHaveProperty('$schema');
    }
  });

  it('describes every registered /api route, and no route that does not exist', async () => {
    const { app } = createTestApp(store);
    const doc = (await (await app.request('/api/openapi.json')).json()) as OpenApiDocument;
    const registered = new Set(
      app.routes
        .filter((route) => route.path.startsWith('/api/') && route.method !== 'ALL')
        .map((route) => `${route.method.toLowerCase()} ${openApiPath(route.path)}`),
    );
    const documented = new Set(
      Object.entries(doc.paths).flatMap(([path, item]) => Object.keys(item).map((m) => `${m} ${path}`)),
    );
    expect(registered.size).toBeGreaterThan(5);
    expect([...registered].filter((r) => !documented.has(r))).toEqual([]);
    expect([...documented].filter((d) => !registered.has(d))).toEqual([]);
  });

  it('takes its request schemas from the zod schemas the routes validate with', async () => {
    const { app } = createTestApp(store);
    const doc = (await (await app.request('/api/openapi.json')).json()) as OpenApiDocument;
    const submission = doc.components.schemas.ReportSubmission as {
      properties: Record<string, unknown>;
      required: string[];
    };
    expect(submission.required).toEqual(['events']);
    expect(Object.keys(submission.properties)).toEqual(Object.keys(reportSubmissionSchema.shape));
    const event = doc.components.schemas.IdfEvent as { properties: Record<string, { description: string }> };
    expect(event.properties['source.ip']?.description).toMatch(/IP address/);
    expect(
      doc.paths['/api/v1/reports']?.post?.requestBody?.content['application/vnd.tocsin.report+json'],
    ).toEqual({ schema: { $ref: '#/components/schemas/ReportSubmission' } });
    expect(doc.paths['/api/v1/review/{eventId}']?.post?.requestBody?.content['application/json']).toEqual({
      schema: { $ref: '#/components/schemas/ReviewDecision' },
    });
  });

  it('is readable at /api/docs: server-rendered HTML without scripts', async () => {
    const { app } = createTestApp(store);
    const response = await app.request('/api/docs');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    const page = await response.text();
    expect(page).not.toMatch(/<script/i);
    expect(page).toContain('<code>/api/v1/reports/{id}</code>');
    expect(page).toContain('id="schema-ReportSubmission"');
    expect(page).toContain('<code>report.tlp</code>');
    expect(page).toContain('<code>source.ip</code>');
    expect(response.headers.get('content-security-policy')).toContain("default-src 'self'");
  });
});
