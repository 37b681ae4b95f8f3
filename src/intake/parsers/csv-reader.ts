/**
 * A streaming CSV reader (RFC 4180 quoting, any delimiter) that keeps each record's original text and the
 * line it starts on, so a bad record is reported by line and IDF `raw` holds what the feed sent. Lenient
 * where Python's csv module is (a stray quote inside an unquoted field is kept as text), strict about size:
 * a record longer than `maxRecordLength` is reported and skipped up to the next line break, so one runaway
 * quote or a 10 MB line cannot take the rest of the file with it.
 */
export interface CsvRecord {
  /** 1-based line of the input where the record starts. */
  line: number;
  fields: string[];
  /** The record as it appeared in the input, without its line break. */
  text: string;
}

export interface CsvProblem {
  line: number;
  problem: string;
}

export type CsvItem = CsvRecord | CsvProblem;

export interface CsvReaderOptions {
  delimiter?: string;
  /** Longest record accepted, in characters. */
  maxRecordLength?: number;
  /** The line number of the input's first line (default 1), for a part of a file read on its own. */
  firstLine?: number;
}

export const defaultMaxRecordLength = 1024 * 1024;

/*
 * Records are handed on a few at a time rather than a whole input chunk (some thousand) at once: the
 * fewer records are alive when the young generation is collected, the fewer it copies and promotes. With
 * the 256 KiB chunks of `readInputEntries` and the Shadowserver parser, parsing and preparing 200,000
 * `scan_http` rows promoted 151 MB to the old generation in batches of a chunk, 36 MB in batches of 16 to
 * 64, and ran 20-30 % faster; batches of 128 or 256 were worse than whole chunks (269 and 518 MB).
 */
const recordsPerBatch = 32;

export function isCsvProblem(item: CsvItem): item is CsvProblem {
  return 'problem' in item;
}

type QuotedParse = { kind: 'record'; fields: string[]; end: number; lines: number } | { kind: 'incomplete' };

/** Reads records from text chunks split anywhere; yields them in batches of up to `recordsPerBatch`. */
export async function* readCsv(
  input: AsyncIterable<string>,
  options: CsvReaderOptions = {},
): AsyncGenerator<CsvItem[]> {
  const delimiter = options.delimiter ?? ',';
  if (delimiter.length !== 1 || delimiter === '"' || delimiter === '\n' || delimiter === '\r') {
    throw new Error(
      `CSV delimiter must be one character other than a quote or line break, got ${JSON.stringify(delimiter)}`,
    );
  }
  const maxLength = options.maxRecordLength ?? defaultMaxRecordLength;
  let buffer = '';
  let line = options.firstLine ?? 1;
  let skipping = false;
  let first = true;

  for await (let chunk of input) {
    if (first && chunk.length > 0) {
      first = false;
      if (chunk.charCodeAt(0) === 0xfeff) chunk = chunk.slice(1);
    }
    buffer = buffer.length === 0 ? chunk : buffer + chunk;
    let out: CsvItem[] = [];
    let pos = 0;
    let nextQuote = -2;
    for (;;) {
      if (out.length >= recordsPerBatch) {
        yield out;
        out = [];
      }
      if (skipping) {
        const newline = buffer.indexOf('\n', pos);
        if (newline === -1) {
          pos = buffer.length;
          break;
        }
        pos = newline + 1;
        line++;
        skipping = false;
        continue;
      }
      const newline = buffer.indexOf('\n', pos);
      if (newline === -1) {
        if (buffer.length - pos > maxLength) {
          out.push(tooLong(line, maxLength));
          skipping = true;
          pos = buffer.length;
        }
        break;
      }
      if (nextQuote !== -1 && nextQuote < pos) nextQuote = buffer.indexOf('"', pos);
      if (nextQuote === -1 || nextQuote > newline) {
        const end = newline > pos && buffer.charCodeAt(newline - 1) === 13 ? newline - 1 : newline;
        if (end - pos > maxLength) {
          out.push(tooLong(line, maxLength));
        } else if (end > pos) {
          const text = buffer.slice(pos, end);
          out.push({ line, fields: text.split(delimiter), text });
        }
        pos = newline + 1;
        line++;
        continue;
      }
      const parsed = parseQuoted(buffer, pos, delimiter, false, maxLength);
      if (parsed.kind === 'incomplete') {
        if (buffer.length - pos > maxLength) {
          out.push(tooLong(line, maxLength));
          skipping = true;
          pos = buffer.length;
        }
        break;
      }
      out.push({ line, fields: parsed.fields, text: recordText(buffer, pos, parsed.end) });
      line += parsed.lines;
      pos = parsed.end;
    }
    buffer = pos >= buffer.length ? '' : buffer.slice(pos);
    if (out.length > 0) yield out;
  }

  if (skipping || buffer.length === 0) return;
  const parsed = parseQuoted(buffer, 0, delimiter, true, maxLength);
  if (parsed.kind === 'incomplete') {
    yield [{ line, problem: 'unterminated quoted field at the end of the input (truncated file?)' }];
  } else if (buffer.trim() !== '') {
    yield [{ line, fields: parsed.fields, text: recordText(buffer, 0, parsed.end) }];
  }
}

function tooLong(line: number, maxLength: number): CsvProblem {
  return {
    line,
    problem: `record longer than ${maxLength.toLocaleString('en-US')} characters; skipped to the next line`,
  };
}

function recordText(buffer: string, start: number, end: number): string {
  let stop = end;
  if (stop > start && buffer.charCodeAt(stop - 1) === 10) stop--;
  if (stop > start && buffer.charCodeAt(stop - 1) === 13) stop--;
  return buffer.slice(start, stop);
}

/**
 * Parses one record starting at `start` that contains quotes. Returns where the next record starts and how
 * many line breaks the record consumed, or `incomplete` when the buffer ends inside it (unless `atEnd`).
 */
function parseQuoted(
  buffer: string,
  start: number,
  delimiter: string,
  atEnd: boolean,
  maxLength: number,
): QuotedParse {
  const fields: string[] = [];
  const delimiterCode = delimiter.charCodeAt(0);
  let field = '';
  let pos = start;
  let lines = 0;
  const length = buffer.length;
  // The next line feed at or after `pos`, found once and moved on only past line feeds inside quotes, so
  // counting them costs one scan of the record rather than one per quoted field.
  let nextNewline = buffer.indexOf('\n', start);
  for (;;) {
    if (pos - start > maxLength) return { kind: 'incomplete' };
    if (pos >= length) {
      if (!atEnd) return { kind: 'incomplete' };
      fields.push(field);
      return { kind: 'record', fields, end: pos, lines };
    }
    const code = buffer.charCodeAt(pos);
    if (
      code === 34 &&
      field.length === 0 &&
      (pos === start || buffer.charCodeAt(pos - 1) === delimiterCode)
    ) {
      // A quoted field: up to the closing quote, with "" standing for one quote.
      pos++;
      for (;;) {
        const quote = buffer.indexOf('"', pos);
        if (quote === -1 || quote - start > maxLength) return { kind: 'incomplete' };
        field += buffer.slice(pos, quote);
        while (nextNewline !== -1 && nextNewline < quote) {
          lines++;
          nextNewline = buffer.indexOf('\n', nextNewline + 1);
        }
        if (buffer.charCodeAt(quote + 1) === 34) {
          field += '"';
          pos = quote + 2;
          continue;
        }
        if (quote + 1 >= length && !atEnd) return { kind: 'incomplete' };
        pos = quote + 1;
        break;
      }
      // Text between the closing quote and the delimiter is kept, as Python's csv module does.
      const after = scanUnquoted(buffer, pos, delimiterCode);
      field += buffer.slice(pos, after);
      pos = after;
      if (pos >= length && !atEnd) return { kind: 'incomplete' };
      continue;
    }
    if (code === delimiterCode) {
      fields.push(field);
      field = '';
      pos++;
      if (pos >= length && atEnd) {
        fields.push('');
        return { kind: 'record', fields, end: pos, lines };
      }
      continue;
    }
    if (code === 13 || code === 10) {
      if (code === 13) {
        if (pos + 1 >= length && !atEnd) return { kind: 'incomplete' };
        if (buffer.charCodeAt(pos + 1) === 10) pos++;
        else if (pos + 1 < length) {
          // A bare carriage return is data, as on the unquoted path: only LF (or CRLF) ends a line.
          field += '\r';
          pos++;
          continue;
        }
      }
      fields.push(field);
      return { kind: 'record', fields, end: pos + 1, lines: lines + 1 };
    }
    const end = scanUnquoted(buffer, pos + 1, delimiterCode);
    field += buffer.slice(pos, end);
    pos = end;
  }
}

/**
 * Index of the next delimiter or line break at or after `from` (or the end of the buffer). A carriage return
 * stops the scan only before LF or at the end of the buffer, where the caller decides.
 */
function scanUnquoted(buffer: string, from: number, delimiterCode: number): number {
  let pos = from;
  const length = buffer.length;
  while (pos < length) {
    const code = buffer.charCodeAt(pos);
    if (code === delimiterCode || code === 10) return pos;
    if (code === 13 && (pos + 1 >= length || buffer.charCodeAt(pos + 1) === 10)) return pos;
    pos++;
  }
  return pos;
}
