import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { AppError } from '../core/index.ts';
import { parseShadowserverSchema } from './parsers/shadowserver-schema.ts';

/** Where Shadowserver publishes the schema that IntelMQ's `update_schema` fetches too. */
export const defaultShadowserverSchemaUrl = 'https://interchange.shadowserver.org/intelmq/v1/schema';

export interface InstalledSchema {
  path: string;
  reportTypes: number;
  created: string | undefined;
}

/**
 * Installs Shadowserver's report schema from a file or URL into the data directory. The schema carries no
 * licence, so Tocsin does not ship it: every instance fetches its own copy, as IntelMQ does. It is validated
 * before it replaces the installed one, and written atomically, so a bad download never breaks parsing.
 */
export async function installShadowserverSchema(
  target: string,
  from: { file: string } | { url: string },
  fetchImpl: typeof fetch = fetch,
): Promise<InstalledSchema> {
  let text: string;
  if ('file' in from) {
    try {
      text = readFileSync(from.file, 'utf8');
    } catch (error) {
      throw new AppError('core.invalid_input', `cannot read ${from.file}: ${(error as Error).message}`, {
        cause: error,
      });
    }
  } else {
    let response: Response;
    try {
      response = await fetchImpl(from.url, { signal: AbortSignal.timeout(60_000) });
    } catch (error) {
      throw new AppError('intake.schema_missing', `cannot fetch ${from.url}: ${(error as Error).message}`, {
        cause: error,
      });
    }
    if (!response.ok) {
      throw new AppError('intake.schema_missing', `cannot fetch ${from.url}: HTTP ${response.status}`);
    }
    text = await response.text();
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new AppError('core.invalid_input', `the schema is not JSON: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const schema = parseShadowserverSchema(json);
  mkdirSync(dirname(target), { recursive: true });
  const temporary = `${target}.${process.pid}.tmp`;
  writeFileSync(temporary, text);
  renameSync(temporary, target);
  const meta = (json as { _meta?: { date_created?: unknown } })._meta;
  return {
    path: target,
    reportTypes: schema.reports.size,
    created: typeof meta?.date_created === 'string' ? meta.date_created : undefined,
  };
}
