import { Hono } from 'hono';
import { raw } from 'hono/html';
import { layout } from './pages/layout.ts';
import {
  buildOpenApiDocument,
  type JsonSchema,
  type OpenApiDocument,
  type OpenApiOperation,
} from './openapi.ts';

export interface ApiDocsRoutesDeps {
  version: string;
  instanceName: string;
}

/**
 * `GET /api/openapi.json`: the OpenAPI 3.1 document; `GET /api/docs`: the same document as a page, rendered
 * on the server (no scripts, so the self-only CSP holds).
 */
export function apiDocsRoutes({ version, instanceName }: ApiDocsRoutesDeps) {
  const routes = new Hono();
  const document = buildOpenApiDocument({ version, instanceName });
  const page = layout({ title: 'API reference', instanceName, body: raw(renderDocument(document)) });
  routes.get('/api/openapi.json', (c) => c.json(document));
  routes.get('/api/docs', (c) => c.html(page));
  return routes;
}

const methods = ['get', 'post', 'put', 'patch', 'delete'] as const;

function escape(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

/** Escaped text with `code` and **bold** spans, paragraphs on blank lines. */
function prose(text: string): string {
  return text
    .split(/\n\n+/)
    .map(
      (paragraph) =>
        `<p>${escape(paragraph)
          .replace(/`([^`]+)`/g, '<code>$1</code>')
          .replace(/\*\*([^*]+)\*\*/g, '<strong>$1</strong>')}</p>`,
    )
    .join('');
}

function inline(text: string | undefined): string {
  if (text === undefined) return '';
  return escape(text).replace(/`([^`]+)`/g, '<code>$1</code>');
}

function refId(schema: JsonSchema): string | undefined {
  const target = schema.$ref;
  return typeof target === 'string' ? target.replace('#/components/schemas/', '') : undefined;
}

/** A schema's type in words, with links to named schemas. */
function typeOf(schema: JsonSchema): string {
  const id = refId(schema);
  if (id !== undefined) return `<a href="#schema-${escape(id)}">${escape(id)}</a>`;
  const alternatives = (schema.anyOf ?? schema.oneOf) as JsonSchema[] | undefined;
  if (alternatives !== undefined) return alternatives.map(typeOf).join(' or ');
  if (Array.isArray(schema.enum))
    return `one of ${schema.enum.map((v) => `<code>${escape(String(v))}</code>`).join(', ')}`;
  if (schema.const !== undefined) return `<code>${escape(JSON.stringify(schema.const))}</code>`;
  const type = schema.type;
  if (type === 'array') return `array of ${typeOf((schema.items as JsonSchema | undefined) ?? {})}`;
  const names = Array.isArray(type) ? type.join(' or ') : typeof type === 'string' ? type : 'any JSON value';
  const format = typeof schema.format === 'string' ? ` (${schema.format})` : '';
  const limits = [
    typeof schema.maxLength === 'number' ? `at most ${schema.maxLength} characters` : undefined,
    typeof schema.minItems === 'number' ? `at least ${schema.minItems}` : undefined,
    typeof schema.maxItems === 'number' ? `at most ${schema.maxItems}` : undefined,
  ].filter((x) => x !== undefined);
  return `${escape(names)}${escape(format)}${limits.length > 0 ? `, ${limits.join(', ')}` : ''}`;
}

/** Rows for an object's properties; nested objects (and arrays of them) are spelled out as `a.b`. */
function propertyRows(schema: JsonSchema, prefix = ''): string[] {
  const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((schema.required ?? []) as string[]);
  const rows: string[] = [];
  for (const [name, property] of Object.entries(properties)) {
    const path = `${prefix}${name}`;
    rows.push(
      `<tr><td><code>${escape(path)}</code></td><td>${typeOf(property)}</td><td>${required.has(name) ? 'yes' : ''}</td><td>${inline(property.description as string | undefined)}</td></tr>`,
    );
    if (property.type === 'object' && property.properties !== undefined)
      rows.push(...propertyRows(property, `${path}.`));
    const items = property.items as JsonSchema | undefined;
    if (property.type === 'array' && items?.type === 'object' && items.properties !== undefined) {
      rows.push(...propertyRows(items, `${path}[].`));
    }
  }
  const additional = schema.additionalProperties;
  if (typeof additional === 'object' && additional !== null) {
    rows.push(
      `<tr><td><em>other keys</em></td><td>${typeOf(additional as JsonSchema)}</td><td></td><td></td></tr>`,
    );
  }
  return rows;
}

function table(head: string[], rows: string[]): string {
  if (rows.length === 0) return '';
  return `<table><thead><tr>${head.map((h) => `<th>${h}</th>`).join('')}</tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function renderOperation(method: string, path: string, op: OpenApiOperation): string {
  const parts = [
    `<section class="op" id="${escape(op.operationId)}">`,
    `<h3><span class="method">${method.toUpperCase()}</span> <code>${escape(path)}</code></h3>`,
    `<p><strong>${inline(op.summary)}</strong></p>`,
    op.description === undefined ? '' : prose(op.description),
    op['x-scope'] === undefined
      ? '<p>No API key needed.</p>'
      : `<p>API key with the scope <code>${escape(op['x-scope'])}</code>.</p>`,
  ];
  if (op.parameters !== undefined && op.parameters.length > 0) {
    parts.push('<h4>Parameters</h4>');
    parts.push(
      table(
        ['name', 'in', 'type', 'description'],
        op.parameters.map(
          (p) =>
            `<tr><td><code>${escape(p.name)}</code>${p.required === true ? ' (required)' : ''}</td><td>${p.in}</td><td>${typeOf(p.schema)}</td><td>${inline(p.description)}</td></tr>`,
        ),
      ),
    );
  }
  if (op.requestBody !== undefined) {
    parts.push('<h4>Request body</h4>');
    parts.push(
      table(
        ['content type', 'schema'],
        Object.entries(op.requestBody.content).map(
          ([type, { schema }]) => `<tr><td><code>${escape(type)}</code></td><td>${typeOf(schema)}</td></tr>`,
        ),
      ),
    );
  }
  parts.push('<h4>Responses</h4>');
  parts.push(
    table(
      ['status', 'meaning', 'body'],
      Object.entries(op.responses).map(([status, response]) => {
        const body = Object.entries(response.content ?? {})
          .map(([type, { schema }]) => `${typeOf(schema)} <small>(${escape(type)})</small>`)
          .join('<br>');
        return `<tr><td>${escape(status)}</td><td>${inline(response.description)}</td><td>${body}</td></tr>`;
      }),
    ),
  );
  parts.push('</section>');
  return parts.join('');
}

/** The whole document as HTML (escaped here; the layout adds the frame). */
export function renderDocument(document: OpenApiDocument): string {
  const operations: { method: string; path: string; op: OpenApiOperation }[] = [];
  for (const [path, item] of Object.entries(document.paths)) {
    for (const method of methods) {
      const op = item[method];
      if (op !== undefined) operations.push({ method, path, op });
    }
  }
  return [
    `<style>table{border-collapse:collapse;width:100%;font-size:.875rem;margin:.5rem 0 1rem}th,td{border:1px solid #ccc;padding:.25rem .5rem;text-align:left;vertical-align:top}.method{font-family:monospace;background:#1b1b1b;color:#fff;padding:0 .4rem;border-radius:3px}section.op{border-top:1px solid #ddd;margin-top:1.5rem}</style>`,
    `<h1>${escape(document.info.title)} <small>${escape(document.info.version)}</small></h1>`,
    prose(document.info.description),
    '<p>The machine-readable document: <a href="/api/openapi.json">/api/openapi.json</a> (OpenAPI 3.1).</p>',
    '<h2>Operations</h2><ul>',
    ...operations.map(
      ({ method, path, op }) =>
        `<li><a href="#${escape(op.operationId)}"><code>${method.toUpperCase()} ${escape(path)}</code></a>: ${inline(op.summary)}</li>`,
    ),
    '</ul>',
    ...operations.map(({ method, path, op }) => renderOperation(method, path, op)),
    '<h2>Schemas</h2>',
    ...Object.entries(document.components.schemas).map(
      ([id, schema]) =>
        `<section id="schema-${escape(id)}"><h3>${escape(id)}</h3>${prose((schema.description as string | undefined) ?? '')}${table(['field', 'type', 'required', 'description'], propertyRows(schema))}</section>`,
    ),
  ].join('\n');
}
