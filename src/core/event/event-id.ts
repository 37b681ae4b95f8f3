import { hash } from 'node:crypto';
import type { Event } from './types.ts';

/*
 * One fact, one id: the same event reported again (another day's file, another feed run) must land on the
 * same row, so the id covers the content only. `time.observation` says when we saw it and `raw` how the
 * source wrote it, neither what it is; both are left out, as are members without a value (`undefined`,
 * `null`). The id is the first 16 bytes of SHA-256 over a canonical JSON text (keys sorted by UTF-16 code
 * units at every level, as RFC 8785 does) with the version and variant bits of a UUIDv8 (RFC 9562 §5.8, the
 * form §6.5 names for SHA-256 name-based ids), so that it is a valid UUID wherever one is expected (STIX,
 * MISP, a PostgreSQL `uuid` column).
 */

const excluded: ReadonlySet<string> = new Set(['time.observation', 'raw']);

// Field names repeat in every event: their JSON form is computed once. Bounded, as extra keys are open-ended.
const quotedKeys = new Map<string, string>();
const maxQuotedKeys = 4096;

function quotedKey(key: string): string {
  let quoted = quotedKeys.get(key);
  if (quoted === undefined) {
    quoted = `${JSON.stringify(key)}:`;
    if (quotedKeys.size < maxQuotedKeys) quotedKeys.set(key, quoted);
  }
  return quoted;
}

/** The content id of an event: stable under key order, different for any other difference. */
export function eventId(event: Event): string {
  return idOfCanonical(canonicalBody(event).text);
}

/** An event's canonical JSON text (`canonicalBody`), what its id is the hash of. */
export interface CanonicalBody {
  /** The members' JSON text in key order: `{"a":1,"b":"x"}`. */
  text: string;
  /** Whether every member of the event is in `text` or `excluded`: none was null (which `text` leaves out). */
  complete: boolean;
}

/*
 * Events of one feed come with the same keys in the same order, so what their canonical text needs is
 * worked out once per key sequence: the keys in sorted order, and an object with those keys in that order
 * (made by JSON.parse, so its properties are fast) that each event's values are copied into. JSON.stringify
 * of that copy is the canonical text, made in one pass as one flat string, which hashing then reads without
 * first joining the pieces. The copy serves only while every value is a scalar: nested values need their
 * keys sorted, null members are left out, and those events take the member-by-member path.
 */
interface KeyPlan {
  keys: readonly string[];
  /** The keys of the body (all but `excluded`), sorted. */
  sorted: readonly string[];
  /** An object with the `sorted` keys in that order, or undefined where a key would not keep its place. */
  template: Record<string, unknown> | undefined;
}

let lastPlan: KeyPlan = { keys: [], sorted: [], template: {} };

function keyPlan(event: Event): KeyPlan {
  const keys = Object.keys(event);
  const last = lastPlan.keys;
  if (keys.length === last.length) {
    let same = true;
    for (let at = 0; at < keys.length; at++) {
      if (keys[at] !== last[at]) {
        same = false;
        break;
      }
    }
    if (same) return lastPlan;
  }
  const sorted = keys.filter((key) => !excluded.has(key)).sort();
  // Integer-like keys come first in any object whatever their insertion order, and `__proto__` cannot be
  // set by assignment: neither is an IDF key, and an event with one takes the member-by-member path.
  const template = sorted.some((key) => key === '__proto__' || /^(?:0|[1-9]\d*)$/.test(key))
    ? undefined
    : (JSON.parse(`{${sorted.map((key) => `${JSON.stringify(key)}:null`).join(',')}}`) as Record<
        string,
        unknown
      >);
  lastPlan = { keys, sorted, template };
  return lastPlan;
}

/** The canonical JSON text of an event, without `time.observation`, `raw` or members without a value. */
export function canonicalBody(event: Event): CanonicalBody {
  const plan = keyPlan(event);
  if (plan.template !== undefined) {
    const copy: Record<string, unknown> = { ...plan.template };
    let scalar = true;
    for (const key of plan.sorted) {
      const member = event[key];
      // JSON.stringify writes strings, finite and non-finite numbers, booleans and leaves out undefined,
      // functions and symbols exactly as `canonicalJson` does.
      if (typeof member === 'object' || typeof member === 'bigint') {
        scalar = false;
        break;
      }
      copy[key] = member;
    }
    if (scalar) return { text: JSON.stringify(copy), complete: true };
  }
  return membersOf(event, plan.sorted);
}

function membersOf(event: Event, sorted: readonly string[]): CanonicalBody {
  let members = '';
  let complete = true;
  for (const key of sorted) {
    const member = event[key];
    if (member === null) {
      complete = false;
      continue;
    }
    const value = canonicalJson(member);
    if (value === undefined) continue;
    members += `${members.length === 0 ? '' : ','}${quotedKey(key)}${value}`;
  }
  return { text: `{${members}}`, complete };
}

/**
 * The SHA-256 digest of an event's canonical text, as a one-byte string (character i is byte i): what its
 * id is made of (`idOfCanonical`), for a writer of binary ids (`BinaryRowsBuilder.uuidV8`) that needs no
 * text.
 */
export function idDigestOfCanonical(text: string): string {
  return hash('sha256', text, 'binary');
}

/** The id of an event from its canonical text (`canonicalBody`). */
export function idOfCanonical(text: string): string {
  const hex = hash('sha256', text, 'hex');
  // Version 8 in the 13th hex digit, variant 10xx in the 17th.
  const variant = variantDigits[hexDigit(hex.charCodeAt(16)) & 3] ?? '8';
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** A member's JSON text as the canonical form writes it: `"key":value`, or undefined for no value. */
export function canonicalMember(key: string, value: unknown): string | undefined {
  const json = canonicalJson(value);
  return json === undefined ? undefined : `${quotedKey(key)}${json}`;
}

const variantDigits = ['8', '9', 'a', 'b'] as const;

function hexDigit(c: number): number {
  return c <= 57 ? c - 48 : c - 87;
}

// What JSON.stringify escapes in a string: quote, backslash, control characters, surrogates (lone ones).
const needsEscape = /["\\\u0000-\u001f\ud800-\udfff]/;

/**
 * JSON text with sorted object keys; `undefined` where JSON.stringify would leave the member out. Event
 * values are sanitised scalars almost always, so those are handled first and without recursion.
 */
function canonicalJson(value: unknown): string | undefined {
  switch (typeof value) {
    case 'string':
      return needsEscape.test(value) ? JSON.stringify(value) : `"${value}"`;
    case 'number':
      return Number.isFinite(value) ? String(value) : 'null';
    case 'boolean':
      return value ? 'true' : 'false';
    case 'undefined':
    case 'function':
    case 'symbol':
      return undefined;
    case 'bigint':
      throw new TypeError('an event value is a bigint, which JSON cannot hold');
    case 'object':
      return canonicalObject(value);
  }
}

function canonicalObject(value: object | null): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) {
    let text = '[';
    for (let i = 0; i < value.length; i++)
      text += `${i === 0 ? '' : ','}${canonicalJson(value[i]) ?? 'null'}`;
    return `${text}]`;
  }
  const toJson = (value as { toJSON?: unknown }).toJSON;
  if (typeof toJson === 'function') return canonicalJson(toJson.call(value)) ?? 'null';
  const record = value as Record<string, unknown>;
  let text = '{';
  for (const key of Object.keys(record).sort()) {
    const member = canonicalJson(record[key]);
    if (member === undefined) continue;
    text += `${text.length === 1 ? '' : ','}${JSON.stringify(key)}:${member}`;
  }
  return `${text}}`;
}
