/**
 * The OpenAPI 3.1 document of the HTTP API (`GET /api/openapi.json`, rendered at `GET /api/docs`). Its
 * schemas are generated with `z.toJSONSchema` from the zod schemas that the routes validate with
 * (`api-schemas.ts`); a test checks that every registered `/api` route is described here and nothing else.
 */
import { z } from 'zod';
import { apiSchemas, maxEventsPerReport, reportMediaType } from './api-schemas.ts';

export type JsonSchema = Record<string, unknown>;

export interface OpenApiOperation {
  summary: string;
  description?: string;
  operationId: string;
  tags: string[];
  security?: Record<string, string[]>[];
  parameters?: {
    name: string;
    in: 'path' | 'query' | 'header';
    required?: boolean;
    description: string;
    schema: JsonSchema;
  }[];
  requestBody?: { required: boolean; description?: string; content: Record<string, { schema: JsonSchema }> };
  responses: Record<string, { description: string; content?: Record<string, { schema: JsonSchema }> }>;
  'x-scope'?: string;
}

export interface OpenApiDocument {
  openapi: '3.1.0';
  info: { title: string; version: string; description: string };
  servers: { url: string }[];
  tags: { name: string; description: string }[];
  paths: Record<string, Record<string, OpenApiOperation>>;
  components: {
    schemas: Record<string, JsonSchema>;
    securitySchemes: Record<string, Record<string, string>>;
  };
}

const ref = (id: string): JsonSchema => ({ $ref: `#/components/schemas/${id}` });
const json = (id: string) => ({ 'application/json': { schema: ref(id) } });
const errorResponse = (description: string) => ({ description, content: json('Error') });
const keyed = (scope: string): Pick<OpenApiOperation, 'security' | 'x-scope'> => ({
  security: [{ bearerAuth: [] }, { apiKeyHeader: [] }],
  'x-scope': scope,
});
const authErrors = {
  '401': errorResponse(
    'No API key, or one that is unknown or revoked (`auth.missing_credentials`, `auth.invalid_credentials`).',
  ),
  '403': errorResponse('The key lacks the scope (`auth.forbidden`).'),
};

/** Every component schema, generated from the registered zod schemas (JSON Schema draft 2020-12). */
export function componentSchemas(): Record<string, JsonSchema> {
  const generated = z.toJSONSchema(apiSchemas, {
    target: 'draft-2020-12',
    uri: (id) => `#/components/schemas/${id}`,
  }) as { schemas: Record<string, JsonSchema> };
  const schemas: Record<string, JsonSchema> = {};
  for (const [id, schema] of Object.entries(generated.schemas)) {
    const { $schema: _schema, $id: _id, ...rest } = schema;
    schemas[id] = rest;
  }
  return schemas;
}

const fileTypes = [
  'text/csv',
  'application/json',
  'application/x-ndjson',
  'application/jsonl',
  'text/plain',
  'application/gzip',
  'application/zip',
  'application/octet-stream',
];

/** The document for this instance; `version` is Tocsin's. */
export function buildOpenApiDocument({
  version,
  instanceName,
}: {
  version: string;
  instanceName: string;
}): OpenApiDocument {
  const binary = { type: 'string', contentMediaType: 'application/octet-stream' };
  const idParameter = (name: string, description: string) => ({
    name,
    in: 'path' as const,
    required: true,
    description,
    schema: { type: 'string', format: 'uuid' },
  });
  return {
    openapi: '3.1.0',
    info: {
      title: `${instanceName} API`,
      version,
      description:
        'The partner API of a Tocsin reporting point: send reports (a JSON report with events, or a feed ' +
        'file), follow their processing, read the assessment framework, and work the review queue. ' +
        'Authenticate with an API key of your source (`Authorization: Bearer tocsin_…` or `X-API-Key`); ' +
        'keys are made with `tocsin keys create --source NAME --scope …`. Errors are ' +
        '`{"error":{"code","message"}}` with stable codes.',
    },
    servers: [{ url: '/' }],
    tags: [
      { name: 'reports', description: 'Reports from partners: JSON reports with events and feed files.' },
      { name: 'assessment', description: 'The published assessment framework and the review queue.' },
      { name: 'meta', description: 'This document.' },
    ],
    paths: {
      '/api/v1/reports': {
        post: {
          operationId: 'submitReport',
          tags: ['reports'],
          summary: 'Send a report: a JSON report with events, or a feed file',
          description:
            `**JSON report** (\`Content-Type: ${reportMediaType}\`): report metadata and 1 to ` +
            `${maxEventsPerReport} IDF events. Every event is validated by the IDF field registry; if any ` +
            'event or field is invalid the whole request is refused with 422 and every problem by path ' +
            "(`events[3].source.ip`), and nothing is stored. The source is the API key's. " +
            '\n\n**Feed file** (any other accepted type): Shadowserver CSV (report type from the file name), ' +
            'IntelMQ JSON (`application/json`), IDF JSON lines, gzip or zip of these; raw body with ' +
            '`?filename=` or `Content-Disposition`, or multipart field `file`. A bad record in a file is a ' +
            'reject counted in the report; the rest of the file is accepted.' +
            '\n\nEither way the report is recorded and answered 202 at once; processing (parsing, ' +
            'enrichment, assessment, routing) goes on in the background: follow it with the `self` link.',
          ...keyed('reports:write'),
          parameters: [
            {
              name: 'filename',
              in: 'query',
              description: "A feed file's name (Shadowserver: the report type comes from it).",
              schema: { type: 'string' },
            },
            {
              name: 'feed',
              in: 'query',
              description: 'The feed of a file, when its name does not tell.',
              schema: { type: 'string', enum: ['shadowserver', 'intelmq', 'jsonl'] },
            },
            {
              name: 'report',
              in: 'query',
              description: 'Shadowserver report type, overriding the file name.',
              schema: { type: 'string' },
            },
            {
              name: 'feed_name',
              in: 'query',
              description: '`feed.name` for every event of a file.',
              schema: { type: 'string' },
            },
          ],
          requestBody: {
            required: true,
            content: {
              [reportMediaType]: { schema: ref('ReportSubmission') },
              ...Object.fromEntries(fileTypes.map((type) => [type, { schema: binary }])),
              'multipart/form-data': {
                schema: { type: 'object', properties: { file: binary }, required: ['file'] },
              },
            },
          },
          responses: {
            '202': {
              description: 'Recorded; processing goes on in the background.',
              content: json('ReportReceipt'),
            },
            ...authErrors,
            '413': errorResponse(
              'Larger than the limit (`intake.payload_too_large`): 16 MiB for a JSON report, `UPLOAD_MAX_BYTES` for a file, 256 MiB multipart.',
            ),
            '415': errorResponse('A content type not accepted (`intake.unsupported_media_type`).'),
            '422': errorResponse(
              'A JSON report with invalid content: `details.errors` lists each problem by path (`core.invalid_input`).',
            ),
          },
        },
      },
      '/api/v1/reports/{id}': {
        get: {
          operationId: 'getReport',
          tags: ['reports'],
          summary: 'The status and counts of a report',
          description:
            'Only to the source that sent it; any other key gets 404, as for a report that does not exist.',
          ...keyed('reports:read'),
          parameters: [idParameter('id', 'The report id from the receipt.')],
          responses: {
            '200': { description: 'The report.', content: json('ReportStatus') },
            ...authErrors,
            '404': errorResponse('No such report for this source (`core.not_found`).'),
          },
        },
      },
      '/api/v1/framework': {
        get: {
          operationId: 'getFramework',
          tags: ['assessment'],
          summary: 'The assessment framework in force',
          description: 'Public; the same framework is published as a page at `/framework`.',
          responses: { '200': { description: 'The framework.', content: json('Framework') } },
        },
      },
      '/api/v1/review': {
        get: {
          operationId: 'listReview',
          tags: ['assessment'],
          summary: 'The review queue',
          ...keyed('review'),
          parameters: [
            {
              name: 'limit',
              in: 'query',
              description: 'At most this many items (1..1000, default 100).',
              schema: { type: 'integer', minimum: 1, maximum: 1000 },
            },
          ],
          responses: {
            '200': { description: 'Events in review, oldest first.', content: json('ReviewQueue') },
            ...authErrors,
            '422': errorResponse('A bad `limit`.'),
          },
        },
      },
      '/api/v1/review/{eventId}': {
        post: {
          operationId: 'decideReview',
          tags: ['assessment'],
          summary: "An analyst's decision on an event in review",
          description: 'Recorded as a new assessment with the key and the reason, and audited.',
          ...keyed('review'),
          parameters: [idParameter('eventId', 'The event id.')],
          requestBody: { required: true, content: json('ReviewDecision') },
          responses: {
            '200': { description: 'The new assessment in force.', content: json('StoredAssessment') },
            ...authErrors,
            '404': errorResponse('No such event.'),
            '409': errorResponse('The event is not in review (`assessment.not_in_review`).'),
            '422': errorResponse('A body without action or reason.'),
          },
        },
      },
      '/api/openapi.json': {
        get: {
          operationId: 'getOpenApi',
          tags: ['meta'],
          summary: 'This document (OpenAPI 3.1)',
          responses: {
            '200': {
              description: 'The document.',
              content: { 'application/json': { schema: { type: 'object' } } },
            },
          },
        },
      },
      '/api/docs': {
        get: {
          operationId: 'getApiDocs',
          tags: ['meta'],
          summary: 'This document as a readable page',
          responses: {
            '200': { description: 'HTML.', content: { 'text/html': { schema: { type: 'string' } } } },
          },
        },
      },
    },
    components: {
      schemas: componentSchemas(),
      securitySchemes: {
        bearerAuth: {
          type: 'http',
          scheme: 'bearer',
          description: 'An API key: `Authorization: Bearer tocsin_<id>_<secret>`.',
        },
        apiKeyHeader: {
          type: 'apiKey',
          in: 'header',
          name: 'X-API-Key',
          description: 'The same key in `X-API-Key`.',
        },
      },
    },
  };
}

/** `/api/v1/reports/:id` (Hono) → `/api/v1/reports/{id}` (OpenAPI). */
export function openApiPath(honoPath: string): string {
  return honoPath.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}
