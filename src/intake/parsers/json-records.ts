import { AppError, buildEvent } from '../../core/index.ts';
import { defaultMaxRecordLength } from './csv-reader.ts';
import type { FeedParser, ParseItem, ParseOptions } from './types.ts';

/**
 * A streaming reader of JSON objects for the JSON feeds (IntelMQ events, IDF JSON lines): either JSON Lines
 * (one object per line; blank lines skipped) or one JSON array of objects, told apart by the first
 * character. The array is split into elements by a small scanner over brackets and strings, so a file far
 * larger than memory is read element by element; a malformed line or element is a problem with its line
 * (JSON Lines) or its index + 1 (array), and reading goes on with the next one.
 */
export interface JsonRecord {
  line: number;
  /** The line or array element as it appeared in the input. */
  text: string;
  value: Record<string, unknown>;
}

export interface JsonProblem {
  line: number;
  problem: string;
}

export type JsonItem = JsonRecord | JsonProblem;

export interface JsonReaderOptions {
  /** Longest line or array element accepted, in characters. */
  maxRecordLength?: number;
}

export function isJsonProblem(item: JsonItem): item is JsonProblem {
  return 'problem' in item;
}

/** Reads objects from text chunks split anywhere; throws `intake.unreadable_input` only for an empty input. */
export async function* readJsonRecords(
  input: AsyncIterable<string>,
  options: JsonReaderOptions = {},
): AsyncGenerator<JsonItem[]> {
  const maxLength = options.maxRecordLength ?? defaultMaxRecordLength;
  const iterator = input[Symbol.asyncIterator]();
  let head = '';
  for (;;) {
    const next = await iterator.next();
    if (next.done === true) {
      if (head.trim() === '') throw new AppError('intake.unreadable_input', 'The input is empty.');
      break;
    }
    head += head.length === 0 && next.value.charCodeAt(0) === 0xfeff ? next.value.slice(1) : next.value;
    // Whitespace decides nothing; it is kept so that line numbers stay right.
    if (head.trimStart() !== '') break;
  }
  const rest: AsyncIterable<string> = { [Symbol.asyncIterator]: () => iterator };
  if (head.trimStart().startsWith('[')) yield* readArray(head, rest, maxLength);
  else yield* readLines(head, rest, maxLength);
}

function toItem(line: number, text: string, what: string): JsonItem {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { line, problem: `${what} is not valid JSON: ${(error as Error).message}` };
  }
  if (!isJsonObject(value)) return { line, problem: `${what} is not a JSON object` };
  return { line, text, value };
}

function tooLong(line: number, what: string, maxLength: number): JsonProblem {
  return { line, problem: `${what} longer than ${maxLength.toLocaleString('en-US')} characters; skipped` };
}

async function* readLines(
  head: string,
  rest: AsyncIterable<string>,
  maxLength: number,
): AsyncGenerator<JsonItem[]> {
  let buffer = head;
  let line = 1;
  let skipping = false;
  const take = (): JsonItem[] => {
    const out: JsonItem[] = [];
    let pos = 0;
    for (;;) {
      const newline = buffer.indexOf('\n', pos);
      if (newline === -1) {
        if (!skipping && buffer.length - pos > maxLength) {
          out.push(tooLong(line, 'line', maxLength));
          skipping = true;
        }
        if (skipping) pos = buffer.length;
        break;
      }
      if (skipping) skipping = false;
      else {
        const end = newline > pos && buffer.charCodeAt(newline - 1) === 13 ? newline - 1 : newline;
        if (end - pos > maxLength) out.push(tooLong(line, 'line', maxLength));
        else {
          const text = buffer.slice(pos, end);
          if (text.trim() !== '') out.push(toItem(line, text, 'line'));
        }
      }
      pos = newline + 1;
      line++;
    }
    buffer = pos >= buffer.length ? '' : buffer.slice(pos);
    return out;
  };
  const first = take();
  if (first.length > 0) yield first;
  for await (const chunk of rest) {
    buffer += chunk;
    const out = take();
    if (out.length > 0) yield out;
  }
  if (buffer.trim() !== '') {
    const text = buffer.endsWith('\r') ? buffer.slice(0, -1) : buffer;
    yield [text.length > maxLength ? tooLong(line, 'line', maxLength) : toItem(line, text, 'line')];
  }
}

/**
 * Splits `[ elem, elem, ... ]` into element texts. `depth` counts open brackets of the current element;
 * commas and the closing bracket at depth 0 outside strings end an element. Brackets are not matched by
 * kind: JSON.parse finds such errors in the element, and the scanner stays in step at the next comma.
 */
async function* readArray(
  head: string,
  rest: AsyncIterable<string>,
  maxLength: number,
): AsyncGenerator<JsonItem[]> {
  let phase = 'before' as 'before' | 'inside' | 'after';
  let depth = 0;
  let inString = false;
  let escaped = false;
  let pending = '';
  let started = false;
  let skipping = false;
  let index = 0;
  let reportedTrailing = false;

  const scan = (chunk: string): JsonItem[] => {
    const out: JsonItem[] = [];
    let start = started ? 0 : -1;
    const end = (stop: number): void => {
      index++;
      if (!skipping) {
        const what = `element ${index}`;
        const size = pending.length + stop - start;
        out.push(
          size > maxLength
            ? tooLong(index, what, maxLength)
            : toItem(index, (pending + chunk.slice(start, stop)).trimEnd(), what),
        );
      }
      pending = '';
      started = false;
      skipping = false;
      start = -1;
    };
    for (let i = 0; i < chunk.length; i++) {
      if (inString) {
        if (escaped) {
          escaped = false;
          continue;
        }
        const quote = chunk.indexOf('"', i);
        const stop = quote === -1 ? chunk.length : quote;
        let backslashes = 0;
        while (stop - 1 - backslashes >= i && chunk.charCodeAt(stop - 1 - backslashes) === 92) backslashes++;
        if (quote === -1) {
          escaped = backslashes % 2 === 1;
          break;
        }
        i = quote;
        if (backslashes % 2 === 0) inString = false;
        continue;
      }
      const code = chunk.charCodeAt(i);
      if (phase !== 'inside') {
        if (code === 32 || code === 9 || code === 10 || code === 13) continue;
        if (phase === 'before' && code === 91) {
          phase = 'inside';
          continue;
        }
        if (!reportedTrailing) {
          reportedTrailing = true;
          out.push({ line: index + 1, problem: 'text after the end of the JSON array; ignored' });
        }
        break;
      }
      if (!started) {
        if (code === 32 || code === 9 || code === 10 || code === 13) continue;
        if (code === 93) {
          phase = 'after';
          continue;
        }
        if (code === 44) {
          index++;
          out.push({ line: index, problem: `element ${index} is empty` });
          continue;
        }
        started = true;
        start = i;
      }
      if (code === 34) inString = true;
      else if (code === 123 || code === 91) depth++;
      else if ((code === 125 || code === 93) && depth > 0) depth--;
      else if (depth === 0 && (code === 44 || code === 93)) {
        end(i);
        if (code === 93) phase = 'after';
      }
    }
    if (started && !skipping) {
      if (pending.length + chunk.length - start > maxLength) {
        out.push(tooLong(index + 1, `element ${index + 1}`, maxLength));
        skipping = true;
        pending = '';
      } else pending += chunk.slice(start);
    }
    return out;
  };

  const first = scan(head);
  if (first.length > 0) yield first;
  for await (const chunk of rest) {
    const out = scan(chunk);
    if (out.length > 0) yield out;
  }
  if (phase === 'inside') {
    yield [{ line: index + 1, problem: 'the JSON array is not closed (truncated input?)' }];
  }
}

/**
 * A feed parser over JSON records (lines or one array): a record that is no JSON object is a reject, every
 * other goes to `toItem`.
 */
export function jsonFeedParser(toItem: (record: JsonRecord, options: ParseOptions) => ParseItem): FeedParser {
  return async function* (input, options) {
    for await (const batch of readJsonRecords(input)) {
      yield batch.map((item): ParseItem =>
        isJsonProblem(item)
          ? { kind: 'reject', line: item.line, reason: item.problem }
          : toItem(item, options),
      );
    }
  };
}

export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const base64Pattern = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Decodes IDF `raw` (base64 of UTF-8 text; line breaks inside tolerated); undefined when it is not base64. */
export function decodeBase64Text(value: string): string | undefined {
  const compact = /[\r\n ]/.test(value) ? value.replace(/[\r\n ]+/g, '') : value;
  if (!base64Pattern.test(compact)) return undefined;
  return Buffer.from(compact, 'base64').toString('utf8');
}

/**
 * The last step of both JSON feeds: `feed.name` from the options when given (as an IntelMQ collector sets
 * it), `time.observation` from the options unless the event has one, then `buildEvent`.
 */
export function eventItem(
  line: number,
  fields: Record<string, unknown>,
  raw: string,
  options: ParseOptions,
): ParseItem {
  if (options.feedName !== undefined) fields['feed.name'] = options.feedName;
  fields['time.observation'] ??= options.observationTime;
  const built = buildEvent(fields);
  if (!built.ok) return { kind: 'reject', line, field: built.field, reason: built.reason };
  return { kind: 'event', line, event: built.event, raw };
}
