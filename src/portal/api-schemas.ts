/**
 * The zod schemas of the HTTP API: the same objects validate requests (in the route handlers) and generate
 * the OpenAPI document (`openapi.ts`), so the published reference cannot drift from what is enforced.
 * Each schema that the document names is registered in `apiSchemas` under its component id.
 */
import { z } from 'zod';
import { eventFields, sanitiseField, tlpLevels, type FieldSpec } from '../core/index.ts';

/** Component id of each named schema in the OpenAPI document. */
export const apiSchemas = z.registry<{ id: string; description?: string }>();

/** The media type of a JSON report with events; `application/json` stays an IntelMQ feed file. */
export const reportMediaType = 'application/vnd.tocsin.report+json';

/** At most this many events in one JSON report; larger sets go as a feed file (JSON lines). */
export const maxEventsPerReport = 10_000;

/** The property schema of an IDF field: its JSON type(s) for the document; the registry judges the value. */
function fieldSchema(spec: FieldSpec): z.ZodType {
  const description = `${spec.description} (IDF type ${spec.type}${spec.form ? `: ${spec.form}` : ''})`;
  switch (spec.type) {
    case 'Integer':
    case 'Float':
    case 'ASN':
    case 'Accuracy':
      return z.union([z.number(), z.string()]).optional().describe(description);
    case 'Boolean':
      return z.union([z.boolean(), z.string()]).optional().describe(description);
    case 'JSON':
    case 'JSONDict':
      return z.unknown().optional().describe(description);
    case 'String':
    case 'LowercaseString':
    case 'UppercaseString':
    case 'IPAddress':
    case 'IPNetwork':
    case 'DateTime':
    case 'FQDN':
    case 'URL':
    case 'Base64':
    case 'ClassificationTaxonomy':
    case 'ClassificationType':
    case 'TLP':
    case 'Registry':
    case 'Severity': {
      const text = spec.length === undefined ? z.string() : z.string().max(spec.length);
      return text.optional().describe(description);
    }
  }
}

export const idfEventSchema = z
  .object({
    ...Object.fromEntries([...eventFields.values()].map((spec) => [spec.name, fieldSchema(spec)])),
    extra: z
      .record(z.string(), z.unknown())
      .optional()
      .describe('Free-form fields as one object; each key becomes an `extra.<key>` field.'),
  })
  .catchall(z.unknown())
  .describe(
    'One event in IntelMQ Data Format: flat dotted keys (`source.ip`, `classification.type`, `time.source`). ' +
      'Besides the fields listed, any `extra.<key>` (lower-case letters, digits, "_", dot-separated) holds a ' +
      'JSON value. Every field is validated and sanitised by the IDF field registry; an unknown key is an error.',
  );
apiSchemas.add(idfEventSchema, { id: 'IdfEvent' });

const tlpLabels = [...tlpLevels, ...tlpLevels.map((level) => `TLP:${level}` as const)] as const;

export const reportSubmissionSchema = z
  .strictObject({
    report: z
      .strictObject({
        source: z
          .string()
          .optional()
          .describe(
            "The reporting source. The API key's source is authoritative: when given, it must be that name.",
          ),
        description: z
          .string()
          .max(10_000)
          .optional()
          .describe('What the report is about; becomes `event_description.text` of events without one.'),
        tlp: z
          .enum(tlpLabels)
          .optional()
          .describe('TLP 2.0 label of the whole report; applied to events without their own `tlp`.'),
        observed: z.iso
          .datetime({ offset: true })
          .optional()
          .describe('When the facts were observed (ISO 8601); `time.source` of events without one.'),
      })
      .optional()
      .describe('What holds for the whole report.'),
    events: z
      .array(idfEventSchema)
      .min(1)
      .max(maxEventsPerReport)
      .describe(`The events, 1 to ${maxEventsPerReport}.`),
  })
  .describe(
    `A report with events, sent as \`${reportMediaType}\`. The whole request is refused (422) when any event ` +
      'is invalid, with every problem listed by path; nothing of it is stored.',
  );
apiSchemas.add(reportSubmissionSchema, { id: 'ReportSubmission' });

export type ReportSubmission = z.infer<typeof reportSubmissionSchema>;

export const reportReceiptSchema = z
  .object({
    report: z.uuid().describe('The report id: ask for its status with GET /api/v1/reports/{id}.'),
    status: z.literal('received'),
    events: z.int().optional().describe('For a JSON report: how many events it carries.'),
    links: z.object({ self: z.string() }),
  })
  .describe('The report was recorded; processing goes on in the background.');
apiSchemas.add(reportReceiptSchema, { id: 'ReportReceipt' });

export const reportStatusSchema = z
  .object({
    id: z.uuid(),
    source: z.string(),
    feed: z.string().describe('shadowserver, csv, intelmq, jsonl, or unknown until processed'),
    report_type: z.string().nullable().describe('The Shadowserver report type, for Shadowserver reports.'),
    file_name: z.string().nullable(),
    received_at: z.iso.datetime(),
    finished_at: z.iso.datetime().nullable(),
    size_bytes: z.int().nullable(),
    sha256: z.string().nullable(),
    status: z.enum(['received', 'processing', 'processed', 'failed']),
    accepted: z.int().describe('Events stored as new by this report.'),
    duplicates: z.int().describe('Events already known (a sighting was added).'),
    rejected: z.int().describe('Records refused; the first ones are listed in `rejects`.'),
    rejects: z.array(
      z.object({
        line: z.int(),
        field: z.string().optional(),
        reason: z.string(),
        file: z.string().optional(),
      }),
    ),
    error: z.string().nullable().describe('Why the report failed as a whole.'),
  })
  .describe('A report: its processing status and counts.');
apiSchemas.add(reportStatusSchema, { id: 'ReportStatus' });

export const fieldErrorSchema = z.object({
  path: z.string().describe('Where in the request: `events[3].source.ip`, `report.tlp`.'),
  reason: z.string(),
});
apiSchemas.add(fieldErrorSchema, { id: 'FieldError' });

export const errorBodySchema = z
  .object({
    error: z.object({
      code: z.string().describe('A stable error id from src/core/error-codes.ts, e.g. auth.forbidden.'),
      message: z.string(),
      details: z
        .object({ errors: z.array(fieldErrorSchema).optional() })
        .catchall(z.unknown())
        .optional()
        .describe('For 422 on a JSON report: `errors`, every problem by path.'),
    }),
  })
  .describe('Every failure is answered with this body.');
apiSchemas.add(errorBodySchema, { id: 'Error' });

/** The body of `POST /api/v1/review/{eventId}`, enforced by the route. */
export const reviewDecisionSchema = z
  .object({
    action: z.enum(['approve', 'reject']).describe('approve: warn (notify); reject: do not warn.'),
    reason: z.string().trim().min(1, { message: 'a reason is required' }).max(4000),
    outcome: z
      .enum(['disputed', 'false-positive'])
      .optional()
      .describe('On reject: why (default disputed). Approve records confirmed.'),
  })
  .describe("An analyst's decision on an event in review.");
apiSchemas.add(reviewDecisionSchema, { id: 'ReviewDecision' });

const reasonSchema = z.looseObject({ rule: z.string().optional() });

export const reviewQueueSchema = z
  .object({
    items: z.array(
      z.object({
        eventId: z.uuid(),
        assessmentId: z.string(),
        assessedAt: z.iso.datetime(),
        severity: z.string(),
        reasons: z.array(reasonSchema),
        classificationType: z.string().nullable(),
        sourceIp: z.string().nullable(),
        feedName: z.string().nullable(),
      }),
    ),
  })
  .describe('Events whose assessment in force says a person must look, oldest first.');
apiSchemas.add(reviewQueueSchema, { id: 'ReviewQueue' });

export const storedAssessmentSchema = z
  .object({ assessment: z.looseObject({ id: z.string(), eventId: z.uuid(), decision: z.string() }) })
  .describe('The new assessment in force, with the analyst and the reason.');
apiSchemas.add(storedAssessmentSchema, { id: 'StoredAssessment' });

export const frameworkSchema = z
  .looseObject({
    version: z.string(),
    title: z.object({ nl: z.string(), en: z.string() }),
    rules: z.array(z.looseObject({ id: z.string() })),
  })
  .describe('The assessment framework in force (config/assessment/framework.yaml as JSON).');
apiSchemas.add(frameworkSchema, { id: 'Framework' });

export interface FieldError {
  path: string;
  reason: string;
}

/** `['events', 3, 'source.ip']` → `events[3].source.ip`. */
export function issuePath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? String(part) : `.${String(part)}`;
  }
  return out;
}

const maxErrorsListed = 100;

/**
 * Checks a JSON report: its shape by the schema, then every field of every event by the IDF field registry
 * (the same sanitisers the feed parsers use). Returns every problem by path, at most 100.
 */
export function validateReportSubmission(
  body: unknown,
  keySource: string,
): { ok: true; submission: ReportSubmission } | { ok: false; errors: FieldError[] } {
  const errors: FieldError[] = [];
  const seen = new Set<string>();
  const add = (path: string, reason: string): void => {
    if (seen.has(path) || errors.length >= maxErrorsListed) return;
    seen.add(path);
    errors.push({ path, reason });
  };
  const parsed = reportSubmissionSchema.safeParse(body);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) add(issuePath(issue.path) || '(body)', issue.message);
  }
  const record = isRecord(body) ? body : {};
  const report = isRecord(record.report) ? record.report : {};
  if (report.source !== undefined && report.source !== keySource) {
    add('report.source', `this API key reports for source ${JSON.stringify(keySource)}`);
  }
  const events = Array.isArray(record.events) ? (record.events as unknown[]) : [];
  events.forEach((event, index) => {
    if (!isRecord(event)) return;
    const at = `events[${index}]`;
    if (Object.keys(event).length === 0) add(at, 'an event needs at least one IDF field');
    for (const [name, value] of Object.entries(event)) {
      if (name === 'extra') {
        if (!isRecord(value)) continue;
        for (const [key, inner] of Object.entries(value)) {
          const field = `extra.${key}`;
          if (Object.hasOwn(event, field)) add(`${at}.${field}`, 'given twice: as a field and inside extra');
          const result = sanitiseField(field, inner);
          if (!result.ok) add(`${at}.extra.${key}`, result.reason);
        }
        continue;
      }
      if (seen.has(`${at}.${name}`)) continue;
      const result = sanitiseField(name, value);
      if (!result.ok) add(`${at}.${name}`, result.reason);
    }
  });
  if (errors.length > 0 || !parsed.success) return { ok: false, errors };
  return { ok: true, submission: parsed.data };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
