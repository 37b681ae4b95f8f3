/**
 * A streaming reader of RPSL objects as RIPE publishes them in its database split files
 * (ftp.ripe.net/ripe/dbase/split/, RFC 2622 §2). Pure: decoded text in, objects and problems out, in
 * batches, so that a multi-gigabyte `ripe.db.inetnum` passes through in flat memory.
 */

export interface RpslObject {
  kind: 'object';
  /** 1-based line of the object's first attribute (its class line). */
  line: number;
  /** The name of the first attribute, lower-case (`inetnum`, `role`, ...). */
  class: string;
  /**
   * Attributes in order, names lower-case, values cleaned as RIPE's whois server does: continuation lines
   * joined with one space, each line's comment (from `#`) removed, white space collapsed.
   */
  attributes: [name: string, value: string][];
}

export interface RpslProblem {
  kind: 'problem';
  /** 1-based line at fault (the offending line, not the object's first line). */
  line: number;
  reason: string;
}

export type RpslItem = RpslObject | RpslProblem;

export interface RpslReadOptions {
  /** Items per yielded batch (default 1,000). */
  batchSize?: number;
  /** A longer line is a problem for its object and is never held in memory (default 16,384 characters). */
  maxLineLength?: number;
  /** Most characters of kept attribute text per object; beyond it the object is a problem (default 4 MiB). */
  maxObjectLength?: number;
  /**
   * Keep only these attributes (lower-case names; the class line is always kept). RIPE `aut-num` objects
   * can run to tens of thousands of `import:`/`export:` lines that an abuse-contact import never reads.
   */
  attributes?: ReadonlySet<string>;
  /** Accepted classes; an object whose first attribute is another name is a problem. Default: any. */
  classes?: ReadonlySet<string>;
}

const defaultBatchSize = 1000;
const defaultMaxLineLength = 16_384;
const defaultMaxObjectLength = 4 * 1024 * 1024;

/** RFC 2622 §2: letters, digits, '-' and '_', starting with a letter, ending with a letter or a digit. */
const attributeNamePattern = /^[A-Za-z](?:[A-Za-z0-9_-]*[A-Za-z0-9])?$/;

/**
 * Reads RPSL objects from decoded text chunks (any sizes, split anywhere; LF or CRLF; the final newline may
 * be missing; a byte-order mark is dropped). Objects are separated by blank (empty or white-space) lines;
 * lines starting with `%` or `#` (the split files' header, whois server messages) are skipped wherever they
 * are. A malformed object (a line that is neither `name: value` nor a continuation, a bad attribute name, a
 * first line that is a continuation, an overlong line or object) becomes one problem naming the offending
 * line, and reading goes on with the next object.
 *
 * @example
 * for await (const batch of readRpslObjects(text, { attributes: new Set(['nic-hdl', 'abuse-mailbox']) }))
 *   for (const item of batch) if (item.kind === 'object') console.log(item.class, item.attributes);
 */
export async function* readRpslObjects(
  input: AsyncIterable<string> | Iterable<string>,
  options: RpslReadOptions = {},
): AsyncGenerator<RpslItem[]> {
  const batchSize = Math.max(1, options.batchSize ?? defaultBatchSize);
  const builder = new ObjectBuilder(options);
  let batch: RpslItem[] = [];
  for await (const line of readLines(input, options.maxLineLength ?? defaultMaxLineLength)) {
    const item = builder.add(line);
    if (item !== undefined) {
      batch.push(item);
      if (batch.length >= batchSize) {
        yield batch;
        batch = [];
      }
    }
  }
  const last = builder.finish();
  if (last !== undefined) batch.push(last);
  if (batch.length > 0) yield batch;
}

/** The values of every attribute called `name` (lower-case), in order. */
export function attributeValues(object: RpslObject, name: string): string[] {
  const values: string[] = [];
  for (const [key, value] of object.attributes) if (key === name) values.push(value);
  return values;
}

/** The value of the first attribute called `name` (lower-case), if any. */
export function firstAttribute(object: RpslObject, name: string): string | undefined {
  for (const [key, value] of object.attributes) if (key === name) return value;
  return undefined;
}

/** A physical line: its number and text without the line break; `overlong` when the text was dropped. */
interface Line {
  number: number;
  text: string;
  overlong: boolean;
}

async function* readLines(
  input: AsyncIterable<string> | Iterable<string>,
  maxLength: number,
): AsyncGenerator<Line> {
  let pending = '';
  let overlong = false;
  let number = 0;
  for await (const chunk of input) {
    let start = 0;
    for (;;) {
      const end = chunk.indexOf('\n', start);
      if (end === -1) break;
      number += 1;
      let text = overlong ? '' : pending + chunk.slice(start, end);
      if (number === 1 && text.startsWith('\uFEFF')) text = text.slice(1);
      const tooLong = overlong || lengthWithoutCr(text) > maxLength;
      yield { number, text: tooLong ? '' : stripCr(text), overlong: tooLong };
      pending = '';
      overlong = false;
      start = end + 1;
    }
    if (!overlong) {
      pending += chunk.slice(start);
      // The bound holds however the input is chunked: the rest of this line is counted, never kept.
      if (pending.length > maxLength + 1) {
        pending = '';
        overlong = true;
      }
    }
  }
  if (overlong || pending.length > 0) {
    number += 1;
    if (number === 1 && pending.startsWith('\uFEFF')) pending = pending.slice(1);
    const tooLong = overlong || lengthWithoutCr(pending) > maxLength;
    yield { number, text: tooLong ? '' : stripCr(pending), overlong: tooLong };
  }
}

function stripCr(text: string): string {
  return text.endsWith('\r') ? text.slice(0, -1) : text;
}

function lengthWithoutCr(text: string): number {
  return text.endsWith('\r') ? text.length - 1 : text.length;
}

function isBlank(text: string): boolean {
  return text.trim() === '';
}

function isContinuation(text: string): boolean {
  const first = text.charCodeAt(0);
  return first === 0x20 || first === 0x09 || first === 0x2b; // space, tab, '+'
}

/** Accumulates the lines of one object at a time; `add` returns an item when a line completes one. */
class ObjectBuilder {
  private readonly keep: ReadonlySet<string> | undefined;
  private readonly classes: ReadonlySet<string> | undefined;
  private readonly maxObjectLength: number;
  private readonly maxLineLength: number;
  /** Line of the current object's first line, 0 between objects. */
  private startLine = 0;
  private objectClass = '';
  private attributes: [string, string[]][] = [];
  /** Whether continuation lines belong to a kept attribute. */
  private keepingCurrent = false;
  private size = 0;
  /** The problem found in the current object; the rest of it is skipped up to the next blank line. */
  private problem: RpslProblem | undefined;

  constructor(options: RpslReadOptions) {
    this.keep = options.attributes;
    this.classes = options.classes;
    this.maxObjectLength = options.maxObjectLength ?? defaultMaxObjectLength;
    this.maxLineLength = options.maxLineLength ?? defaultMaxLineLength;
  }

  add(line: Line): RpslItem | undefined {
    if (!line.overlong && isBlank(line.text)) return this.finish();
    const first = line.text.charCodeAt(0);
    if (!line.overlong && (first === 0x25 || first === 0x23)) return undefined; // '%' or '#'
    const atStart = this.startLine === 0;
    if (atStart) this.startLine = line.number;
    if (this.problem !== undefined) return undefined;
    if (line.overlong) {
      this.fail(line.number, `line ${line.number} is longer than ${this.maxLineLength} characters`);
      return undefined;
    }
    if (isContinuation(line.text)) {
      if (atStart) {
        this.fail(line.number, 'the object starts with a continuation line, not with its class line');
        return undefined;
      }
      if (this.keepingCurrent) this.append(line.text.slice(1), line.number);
      return undefined;
    }
    const colon = line.text.indexOf(':');
    if (colon === -1) {
      this.fail(line.number, `line ${line.number} is neither "name: value" nor a continuation line`);
      return undefined;
    }
    const name = line.text.slice(0, colon);
    if (!attributeNamePattern.test(name)) {
      this.fail(
        line.number,
        `attribute name ${JSON.stringify(name)} has characters other than letters, digits, '-' and '_'`,
      );
      return undefined;
    }
    const lower = name.toLowerCase();
    if (atStart) {
      if (this.classes !== undefined && !this.classes.has(lower)) {
        this.fail(line.number, `the object's first attribute "${lower}" is not a class read here`);
        return undefined;
      }
      this.objectClass = lower;
    }
    this.keepingCurrent = atStart || this.keep === undefined || this.keep.has(lower);
    if (this.keepingCurrent) {
      this.attributes.push([lower, []]);
      this.append(line.text.slice(colon + 1), line.number);
    }
    return undefined;
  }

  /** Ends the current object (at a blank line or the end of input). */
  finish(): RpslItem | undefined {
    if (this.startLine === 0) return undefined;
    const item: RpslItem = this.problem ?? {
      kind: 'object',
      line: this.startLine,
      class: this.objectClass,
      attributes: this.attributes.map(([name, parts]) => [name, cleanValue(parts)]),
    };
    this.startLine = 0;
    this.objectClass = '';
    this.attributes = [];
    this.keepingCurrent = false;
    this.size = 0;
    this.problem = undefined;
    return item;
  }

  private append(text: string, lineNumber: number): void {
    const current = this.attributes.at(-1);
    if (current === undefined) return;
    this.size += text.length;
    if (this.size > this.maxObjectLength) {
      this.fail(lineNumber, `the object is longer than ${this.maxObjectLength} characters`);
      return;
    }
    current[1].push(text);
  }

  private fail(lineNumber: number, reason: string): void {
    this.problem = {
      kind: 'problem',
      line: lineNumber,
      reason: `${reason} (object at line ${this.startLine} skipped)`,
    };
    this.attributes = [];
  }
}

/**
 * RIPE's clean value: on each physical line, drop everything from `#` (RPSL end-of-line comment), trim;
 * join the non-empty lines with one space and collapse runs of white space (as whois `getCleanValue`).
 */
function cleanValue(parts: string[]): string {
  const kept: string[] = [];
  for (const part of parts) {
    const hash = part.indexOf('#');
    const text = (hash === -1 ? part : part.slice(0, hash)).trim();
    if (text !== '') kept.push(text);
  }
  return kept.join(' ').replace(/\s+/g, ' ');
}
