import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Hono } from 'hono';
import { AppError, isUuid } from '../core/index.ts';
import {
  findReport,
  isFeedKind,
  receiveReport,
  type IngestRequest,
  type ReportProcessor,
  type ReportRecord,
} from '../intake/index.ts';
import type { Store } from '../platform/db/index.ts';
import { requireApiKey, type ApiKeyVariables } from './api-auth.ts';
import { reportMediaType, validateReportSubmission, type ReportSubmission } from './api-schemas.ts';

export interface ReportRoutesDeps {
  store: Store;
  processor: ReportProcessor;
  /** Where uploads wait for processing. */
  uploadDir: string;
  maxUploadBytes: number;
}

/** Raw bodies any size up to the limit stream to disk; multipart bodies are buffered, so they get a lower cap. */
const maxMultipartBytes = 256 * 1024 * 1024;
/** A JSON report is parsed in memory: larger sets of events go as a JSON lines file. */
const maxJsonReportBytes = 16 * 1024 * 1024;

const acceptedTypes = new Set([
  'text/csv',
  'text/plain',
  'application/json',
  'application/x-ndjson',
  'application/jsonl',
  'application/gzip',
  'application/x-gzip',
  'application/zip',
  'application/x-zip-compressed',
  'application/octet-stream',
  'multipart/form-data',
  reportMediaType,
]);

/**
 * `POST /api/v1/reports`: a partner sends a JSON report with events (`application/vnd.tocsin.report+json`,
 * validated whole: one bad event refuses the request with 422) or uploads a feed file (raw body with
 * `?filename=` or `Content-Disposition`, or multipart field `file`); answered 202 with the report id while
 * processing goes on in the background. Both become a report processed by the same `ReportProcessor`.
 * `GET /api/v1/reports/:id`: status and counts, to the source that sent it only.
 */
export function reportRoutes({ store, processor, uploadDir, maxUploadBytes }: ReportRoutesDeps) {
  const routes = new Hono<{ Variables: ApiKeyVariables }>();

  routes.post('/api/v1/reports', requireApiKey(store, 'reports:write'), async (c) => {
    const principal = c.get('principal');
    const contentType =
      (c.req.header('content-type') ?? 'application/octet-stream').split(';')[0]?.trim().toLowerCase() ?? '';
    if (!acceptedTypes.has(contentType)) {
      throw new AppError(
        'intake.unsupported_media_type',
        `Content-Type ${contentType} is not accepted; send a JSON report with events as ${reportMediaType}, or a feed file as it is (text/csv, application/json, application/gzip, application/zip, application/octet-stream) or as multipart/form-data.`,
      );
    }
    const declared = Number(c.req.header('content-length') ?? Number.NaN);
    const limit =
      contentType === 'multipart/form-data'
        ? Math.min(maxUploadBytes, maxMultipartBytes)
        : contentType === reportMediaType
          ? Math.min(maxUploadBytes, maxJsonReportBytes)
          : maxUploadBytes;
    if (Number.isFinite(declared) && declared > limit) throw tooLarge(limit);

    await mkdir(uploadDir, { recursive: true });
    if (contentType === reportMediaType) {
      const body = c.req.raw.body;
      if (body === null) throw new AppError('core.invalid_input', 'the request has no body');
      const chunks: Buffer[] = [];
      for await (const chunk of limitStream(limit)(Readable.fromWeb(body as never))) chunks.push(chunk);
      let json: unknown;
      try {
        json = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch (error) {
        throw invalidReport([{ path: '(body)', reason: `not valid JSON: ${(error as Error).message}` }]);
      }
      const checked = validateReportSubmission(json, principal.source);
      if (!checked.ok) throw invalidReport(checked.errors);
      const lines = reportEventLines(checked.submission, principal.source);
      const partial = join(uploadDir, `${randomUUID()}.part`);
      try {
        await writeFile(partial, lines.map((line) => `${JSON.stringify(line)}\n`).join(''));
        const request: IngestRequest = {
          path: partial,
          fileName: 'api-report.jsonl',
          source: principal.source,
          feed: 'jsonl',
        };
        const report = await receiveReport({ store }, request);
        const path = join(uploadDir, report.id);
        await rename(partial, path);
        void processor.enqueue(report, { ...request, path });
        return c.json(
          {
            report: report.id,
            status: 'received',
            events: lines.length,
            links: { self: `/api/v1/reports/${report.id}` },
          },
          202,
        );
      } catch (error) {
        await rm(partial, { force: true });
        throw error;
      }
    }
    const partial = join(uploadDir, `${randomUUID()}.part`);
    let fileName = uploadFileName(
      c.req.query('filename') ??
        c.req.header('x-filename') ??
        contentDispositionName(c.req.header('content-disposition')),
    );
    try {
      if (contentType === 'multipart/form-data') {
        const form = await c.req.parseBody();
        const file = form.file;
        if (!(file instanceof File))
          throw new AppError('core.invalid_input', 'multipart upload without a "file" part');
        if (file.size > limit) throw tooLarge(limit);
        fileName = uploadFileName(file.name) ?? fileName;
        await pipeline(Readable.fromWeb(file.stream() as never), createWriteStream(partial));
      } else {
        const body = c.req.raw.body;
        if (body === null) throw new AppError('core.invalid_input', 'the request has no body');
        await pipeline(Readable.fromWeb(body as never), limitStream(limit), createWriteStream(partial));
      }
      const feedParam = c.req.query('feed');
      if (feedParam !== undefined && !isFeedKind(feedParam)) {
        throw new AppError(
          'core.invalid_input',
          `feed ${JSON.stringify(feedParam)}: expected shadowserver, csv, intelmq or jsonl`,
          {
            details: { field: 'feed' },
          },
        );
      }
      if (feedParam === 'csv') {
        throw new AppError(
          'core.invalid_input',
          'generic CSV needs a mapping; upload it with the CLI for now',
          { details: { field: 'feed' } },
        );
      }
      const request: IngestRequest = {
        path: partial,
        fileName: fileName ?? 'upload',
        source: principal.source,
        feed: feedParam,
        reportType: c.req.query('report'),
        feedName: c.req.query('feed_name'),
      };
      const report = await receiveReport({ store }, request);
      const path = join(uploadDir, report.id);
      await rename(partial, path);
      void processor.enqueue(report, { ...request, path });
      return c.json(
        { report: report.id, status: 'received', links: { self: `/api/v1/reports/${report.id}` } },
        202,
      );
    } catch (error) {
      await rm(partial, { force: true });
      throw error;
    }
  });

  routes.get('/api/v1/reports/:id', requireApiKey(store, 'reports:read'), async (c) => {
    const id = c.req.param('id');
    const report = isUuid(id) ? await findReport(store, id) : undefined;
    // Another source's report is answered exactly like a missing one: its existence is not theirs to know.
    if (report === undefined || report.source !== c.get('principal').source) {
      throw new AppError('core.not_found', `No report ${id}.`);
    }
    return c.json(presentReport(report));
  });

  return routes;
}

function presentReport(report: ReportRecord) {
  return {
    id: report.id,
    source: report.source,
    feed: report.feed,
    report_type: report.reportType,
    file_name: report.fileName,
    received_at: report.receivedAt.toISOString(),
    finished_at: report.finishedAt?.toISOString() ?? null,
    size_bytes: report.sizeBytes,
    sha256: report.sha256,
    status: report.status,
    accepted: report.accepted,
    duplicates: report.duplicates,
    rejected: report.rejected,
    rejects: report.rejects,
    error: report.error,
  };
}

function invalidReport(errors: { path: string; reason: string }[]): AppError {
  const first = errors[0];
  return new AppError(
    'core.invalid_input',
    `The report is refused: ${errors.length === 1 ? '1 problem' : `${errors.length} problems`}` +
      (first === undefined ? '' : `, first ${first.path}: ${first.reason}`),
    { details: { errors } },
  );
}

/**
 * The events of a JSON report as IDF JSON lines for the jsonl parser, with what the report says for all of
 * them filled in where an event has no value of its own: `tlp`, `time.source`, `event_description.text`;
 * `feed.name` is `api` and `feed.provider` the key's source unless the event names them.
 */
function reportEventLines(submission: ReportSubmission, source: string): Record<string, unknown>[] {
  const { report } = submission;
  return submission.events.map((event) => {
    const line: Record<string, unknown> = { ...event };
    line['feed.name'] ??= 'api';
    line['feed.provider'] ??= source;
    if (report?.tlp !== undefined) line.tlp ??= report.tlp;
    if (report?.observed !== undefined) line['time.source'] ??= report.observed;
    if (report?.description !== undefined) line['event_description.text'] ??= report.description;
    return line;
  });
}

function tooLarge(limit: number): AppError {
  return new AppError('intake.payload_too_large', `The upload is larger than ${limit} bytes.`, {
    details: { limit },
  });
}

/** A pipeline step that stops the upload with 413 once more than `limit` bytes have arrived. */
function limitStream(limit: number) {
  return async function* (source: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
    let received = 0;
    for await (const chunk of source) {
      received += chunk.length;
      if (received > limit) throw tooLarge(limit);
      yield chunk;
    }
  };
}

function contentDispositionName(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const star = /filename\*\s*=\s*(?:UTF-8'')?([^;]+)/i.exec(header)?.[1];
  if (star !== undefined) {
    try {
      return decodeURIComponent(star.trim().replace(/^"|"$/g, ''));
    } catch {
      return undefined;
    }
  }
  return /filename\s*=\s*"?([^";]+)"?/i.exec(header)?.[1];
}

/** A reporter's file name, kept only as a label: no directories, no control characters, at most 255 characters. */
function uploadFileName(name: string | undefined): string | undefined {
  if (name === undefined) return undefined;
  const base = name.replace(/\\/g, '/').split('/').pop() ?? '';
  const clean = base
    .replace(/[\u0000-\u001f\u007f]/g, '')
    .trim()
    .slice(0, 255);
  return clean === '' || clean === '.' || clean === '..' ? undefined : clean;
}
