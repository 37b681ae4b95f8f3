import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { pipeline } from 'node:stream';
import { createGunzip } from 'node:zlib';
import {
  attributeValues,
  firstAttribute,
  readRpslObjects,
  type RpslItem,
  type RpslObject,
  type RpslReadOptions,
} from './rpsl.ts';

/**
 * What the directory import needs from the RIPE database split files: network objects (IPv4 ranges as
 * CIDRs, IPv6 CIDRs, ASNs) with their organisation, country, name and abuse mailbox, and the organisations.
 *
 * RIPE publishes each class in its own file (ripe.db.organisation.gz, ripe.db.role.gz, ripe.db.aut-num.gz,
 * ripe.db.inetnum.gz, ripe.db.inet6num.gz), and an abuse contact is found through references (resource ->
 * `abuse-c` or `org` -> organisation `abuse-c` -> role `abuse-mailbox`). So the import has two passes:
 *
 * 1. `indexRipeContacts` reads the small files (organisations, roles; some hundred thousand objects, a
 *    few tens of MB in memory) into a `RipeContactIndex`;
 * 2. `importRipeNetObjects` streams the large files (tens of millions of lines) against that index and
 *    yields one record per CIDR or ASN with the abuse mailbox already resolved, in flat memory;
 * 3. `listRipeOrganisations` then lists the organisations (only those the records referenced, if asked).
 *
 * `importRipeSplitFiles` does the three over file paths. Everything is pure apart from `readRipeSplitFile`.
 */

export type RipeNetObject =
  | { kind: 'cidr'; value: string; orgId?: string; country?: string; name?: string }
  | { kind: 'asn'; value: number; orgId?: string; country?: string; name?: string };

export interface RipeNetObjectRecord {
  kind: 'netobject';
  /** Line of the RIPE object (its class line); an inetnum range yields several records with one line. */
  line: number;
  objectClass: 'inetnum' | 'inet6num' | 'aut-num';
  netobject: RipeNetObject;
  /** The first address of `abuseMailboxes`, the one to write to. */
  abuseMailbox?: string;
  abuseMailboxes: string[];
  /** The role handle the abuse contact came from, upper-case, and whose `abuse-c` it was. */
  abuseC?: string;
  abuseFrom?: 'object' | 'organisation';
  mntBy: string[];
  status?: string;
}

export interface RipeOrganisationRecord {
  kind: 'organisation';
  line: number;
  /** `organisation:` handle, upper-case (`ORG-EXAMPLE1-RIPE`). */
  orgId: string;
  name?: string;
  country?: string;
  abuseC?: string;
  abuseMailbox?: string;
  abuseMailboxes: string[];
}

export interface RipeProblemRecord {
  kind: 'problem';
  line: number;
  /** The RPSL attribute at fault, when one is (`inetnum`, `aut-num`, `abuse-mailbox`, ...). */
  field?: string;
  reason: string;
  /** The input file, when read through `importRipeSplitFiles`. */
  file?: string;
}

export type RipeImportItem = RipeNetObjectRecord | RipeOrganisationRecord | RipeProblemRecord;

export interface RipeOrganisation {
  line: number;
  orgId: string;
  name?: string;
  country?: string;
  abuseC?: string;
}

export interface RipeRole {
  line: number;
  nicHdl: string;
  abuseMailboxes: string[];
}

/** Organisations and abuse roles by upper-case handle; the result of the first pass. */
export interface RipeContactIndex {
  organisations: Map<string, RipeOrganisation>;
  /** Only roles with a usable `abuse-mailbox` (the only ones an `abuse-c` can resolve to). */
  roles: Map<string, RipeRole>;
  /** Organisation handles referenced by the network objects imported so far. */
  referencedOrganisations: Set<string>;
}

export interface RipeImportOptions {
  /**
   * Keep only network objects of this country (ISO 3166 alpha-2): any of an object's `country:` values,
   * or, when it has none (RIPE `aut-num` objects have none), its organisation's `country:`.
   */
  country?: string;
  /**
   * When given, the ASNs whose `aut-num` objects are kept, instead of the country test: e.g. the ASNs that
   * delegated-ripencc-latest assigns to a country (the registry's own record of an ASN's country, which
   * certbund-contact reads for `--restrict-to-country`).
   */
  asns?: ReadonlySet<number>;
  batchSize?: number;
}

/** Attributes each pass reads; everything else is dropped while parsing. */
export const ripeContactAttributes: ReadonlySet<string> = new Set([
  'organisation',
  'org-name',
  'country',
  'abuse-c',
  'role',
  'nic-hdl',
  'abuse-mailbox',
]);
export const ripeNetObjectAttributes: ReadonlySet<string> = new Set([
  'inetnum',
  'inet6num',
  'aut-num',
  'as-name',
  'netname',
  'org',
  'country',
  'abuse-c',
  'mnt-by',
  'status',
]);

export function createRipeContactIndex(): RipeContactIndex {
  return { organisations: new Map(), roles: new Map(), referencedOrganisations: new Set() };
}

/**
 * First pass: adds the `organisation` and `role` objects of `items` to `index` (objects of other classes
 * are passed over, so a full database dump can be given) and yields the problems found. Call it once per
 * file, in any order; drain it before the second pass.
 */
export async function* indexRipeContacts(
  index: RipeContactIndex,
  items: AsyncIterable<RpslItem[]>,
): AsyncGenerator<RipeProblemRecord[]> {
  for await (const batch of items) {
    const problems: RipeProblemRecord[] = [];
    for (const item of batch) {
      if (item.kind === 'problem') problems.push({ kind: 'problem', line: item.line, reason: item.reason });
      else if (item.class === 'organisation') addOrganisation(index, item, problems);
      else if (item.class === 'role') addRole(index, item, problems);
    }
    if (problems.length > 0) yield problems;
  }
}

/**
 * Second pass: one record per CIDR (an `inetnum` range is split into the fewest CIDRs that cover it
 * exactly) or ASN, with the abuse contact resolved as RIPE does: the object's own `abuse-c`, else its
 * organisation's `abuse-c`, then that role's `abuse-mailbox`. A malformed `inetnum`/`inet6num`/`aut-num`
 * value is a problem naming the line and the attribute, whatever the object's country (it cannot be placed).
 * An object whose abuse contact does not resolve is still yielded, without a mailbox: RIPE then takes the
 * contact of the closest enclosing network, which needs all networks at once and is left to the importer.
 */
export async function* importRipeNetObjects(
  index: RipeContactIndex,
  items: AsyncIterable<RpslItem[]>,
  options: RipeImportOptions = {},
): AsyncGenerator<Array<RipeNetObjectRecord | RipeProblemRecord>> {
  const country = options.country?.toUpperCase();
  for await (const batch of items) {
    const out: Array<RipeNetObjectRecord | RipeProblemRecord> = [];
    for (const item of batch) {
      if (item.kind === 'problem') out.push({ kind: 'problem', line: item.line, reason: item.reason });
      else if (item.class === 'inetnum' || item.class === 'inet6num' || item.class === 'aut-num')
        convertNetObject(index, item, item.class, country, options.asns, out);
    }
    if (out.length > 0) yield out;
  }
}

/** The organisations of the index with their abuse mailboxes; `referencedOnly`: those records referenced. */
export function* listRipeOrganisations(
  index: RipeContactIndex,
  options: { referencedOnly?: boolean } = {},
): Generator<RipeOrganisationRecord> {
  for (const organisation of index.organisations.values()) {
    if (options.referencedOnly === true && !index.referencedOrganisations.has(organisation.orgId)) continue;
    const mailboxes =
      organisation.abuseC === undefined ? [] : (index.roles.get(organisation.abuseC)?.abuseMailboxes ?? []);
    yield {
      kind: 'organisation',
      line: organisation.line,
      orgId: organisation.orgId,
      ...definedOnly({ name: organisation.name, country: organisation.country, abuseC: organisation.abuseC }),
      ...(mailboxes[0] === undefined ? {} : { abuseMailbox: mailboxes[0] }),
      abuseMailboxes: mailboxes,
    };
  }
}

export interface RipeSplitFiles {
  /** ripe.db.organisation(.gz) and ripe.db.role(.gz), in any order. */
  contactFiles: string[];
  /** ripe.db.inetnum(.gz), ripe.db.inet6num(.gz), ripe.db.aut-num(.gz). */
  netObjectFiles: string[];
}

/**
 * The whole two-pass import over files: contact problems, then the network-object records, then the
 * organisations those records reference. Problems carry the file's path.
 */
export async function* importRipeSplitFiles(
  files: RipeSplitFiles,
  options: RipeImportOptions = {},
): AsyncGenerator<RipeImportItem[]> {
  const index = createRipeContactIndex();
  const read = (path: string, attributes: ReadonlySet<string>): AsyncGenerator<RpslItem[]> =>
    readRpslObjects(readRipeSplitFile(path), { attributes, ...batchOption(options) });
  for (const path of files.contactFiles) {
    for await (const problems of indexRipeContacts(index, read(path, ripeContactAttributes)))
      yield problems.map((problem) => ({ ...problem, file: path }));
  }
  for (const path of files.netObjectFiles) {
    for await (const batch of importRipeNetObjects(index, read(path, ripeNetObjectAttributes), options))
      yield batch.map((item) => (item.kind === 'problem' ? { ...item, file: path } : item));
  }
  const batchSize = options.batchSize ?? 1000;
  let organisations: RipeOrganisationRecord[] = [];
  for (const organisation of listRipeOrganisations(index, { referencedOnly: true })) {
    organisations.push(organisation);
    if (organisations.length >= batchSize) {
      yield organisations;
      organisations = [];
    }
  }
  if (organisations.length > 0) yield organisations;
}

/**
 * The text of a split file, plain or gzip (recognised by its magic bytes, not its name), streamed and
 * decoded as UTF-8; an invalid byte (older dumps were Latin-1) becomes U+FFFD and the rest of the value
 * stays readable.
 */
export async function* readRipeSplitFile(path: string): AsyncGenerator<string> {
  const gzip = await hasGzipMagic(path);
  const file = createReadStream(path, { highWaterMark: 256 * 1024 });
  // pipeline() ends the gunzip output with any read error, where pipe() would leave it hanging.
  const bytes = gzip ? pipeline(file, createGunzip(), () => undefined) : file;
  const decoder = new TextDecoder('utf-8');
  try {
    for await (const chunk of bytes) {
      const text = decoder.decode(chunk as Uint8Array, { stream: true });
      if (text.length > 0) yield text;
    }
  } finally {
    file.destroy();
    bytes.destroy();
  }
  const rest = decoder.decode();
  if (rest.length > 0) yield rest;
}

async function hasGzipMagic(path: string): Promise<boolean> {
  const handle = await open(path, 'r');
  try {
    const head = Buffer.alloc(2);
    const { bytesRead } = await handle.read(head, 0, 2, 0);
    return bytesRead === 2 && head[0] === 0x1f && head[1] === 0x8b;
  } finally {
    await handle.close();
  }
}

function batchOption(options: RipeImportOptions): RpslReadOptions {
  return options.batchSize === undefined ? {} : { batchSize: options.batchSize };
}

function addOrganisation(index: RipeContactIndex, object: RpslObject, problems: RipeProblemRecord[]): void {
  const orgId = handle(firstAttribute(object, 'organisation'));
  if (orgId === undefined) {
    problems.push(problem(object.line, 'organisation', 'the organisation object has no handle'));
    return;
  }
  if (index.organisations.has(orgId)) {
    problems.push(problem(object.line, 'organisation', `organisation ${orgId} appears more than once`));
    return;
  }
  const country = readCountry(object, problems);
  index.organisations.set(orgId, {
    line: object.line,
    orgId,
    ...definedOnly({
      name: nonEmpty(firstAttribute(object, 'org-name')),
      country: country[0],
      abuseC: handle(firstAttribute(object, 'abuse-c')),
    }),
  });
}

function addRole(index: RipeContactIndex, object: RpslObject, problems: RipeProblemRecord[]): void {
  const mailboxValues = attributeValues(object, 'abuse-mailbox');
  // Most roles are not abuse roles; only those with an abuse-mailbox can be an abuse-c.
  if (mailboxValues.length === 0) return;
  const nicHdl = handle(firstAttribute(object, 'nic-hdl'));
  if (nicHdl === undefined) {
    problems.push(problem(object.line, 'nic-hdl', 'the role has an abuse-mailbox but no nic-hdl'));
    return;
  }
  const abuseMailboxes: string[] = [];
  for (const value of mailboxValues) {
    const { addresses, invalid } = parseMailboxList(value);
    for (const address of addresses) if (!abuseMailboxes.includes(address)) abuseMailboxes.push(address);
    for (const text of invalid) {
      problems.push(
        problem(
          object.line,
          'abuse-mailbox',
          `${JSON.stringify(text)} is not an e-mail address (role ${nicHdl})`,
        ),
      );
    }
  }
  if (abuseMailboxes.length === 0) return;
  if (index.roles.has(nicHdl)) {
    problems.push(problem(object.line, 'nic-hdl', `role ${nicHdl} appears more than once`));
    return;
  }
  index.roles.set(nicHdl, { line: object.line, nicHdl, abuseMailboxes });
}

function convertNetObject(
  index: RipeContactIndex,
  object: RpslObject,
  objectClass: 'inetnum' | 'inet6num' | 'aut-num',
  country: string | undefined,
  asns: ReadonlySet<number> | undefined,
  out: Array<RipeNetObjectRecord | RipeProblemRecord>,
): void {
  const primary = firstAttribute(object, objectClass) ?? '';
  let asn: number | undefined;
  let values: string[] | number[];
  if (objectClass === 'aut-num') {
    asn = parseAsn(primary);
    if (asn === undefined) {
      out.push(problem(object.line, objectClass, `${JSON.stringify(primary)} is not an AS number (ASnnn)`));
      return;
    }
    values = [asn];
  } else {
    const parsed = objectClass === 'inetnum' ? parseInetnum(primary) : parseInet6num(primary);
    if (typeof parsed === 'string') {
      out.push(problem(object.line, objectClass, parsed));
      return;
    }
    values = parsed;
  }

  const orgId = handle(firstAttribute(object, 'org'));
  const organisation = orgId === undefined ? undefined : index.organisations.get(orgId);
  const problems: RipeProblemRecord[] = [];
  const ownCountries = readCountry(object, problems);
  const countries =
    ownCountries.length > 0
      ? ownCountries
      : organisation?.country === undefined
        ? []
        : [organisation.country];
  const kept =
    asn !== undefined && asns !== undefined
      ? asns.has(asn)
      : country === undefined || countries.includes(country);
  if (!kept) return;
  out.push(...problems);

  const ownAbuseC = handle(firstAttribute(object, 'abuse-c'));
  const abuseC = ownAbuseC ?? organisation?.abuseC;
  const abuseMailboxes = abuseC === undefined ? [] : (index.roles.get(abuseC)?.abuseMailboxes ?? []);
  if (orgId !== undefined) index.referencedOrganisations.add(orgId);
  const common = definedOnly({
    orgId,
    country: countries[0],
    name: nonEmpty(firstAttribute(object, objectClass === 'aut-num' ? 'as-name' : 'netname')),
  });
  const rest: Omit<RipeNetObjectRecord, 'kind' | 'line' | 'objectClass' | 'netobject'> = {
    abuseMailboxes,
    mntBy: attributeValues(object, 'mnt-by').flatMap((value) => value.split(/[\s,]+/).filter(Boolean)),
  };
  if (abuseMailboxes[0] !== undefined) rest.abuseMailbox = abuseMailboxes[0];
  if (abuseC !== undefined) {
    rest.abuseC = abuseC;
    rest.abuseFrom = ownAbuseC === undefined ? 'organisation' : 'object';
  }
  const status = nonEmpty(firstAttribute(object, 'status'));
  if (status !== undefined) rest.status = status;
  for (const value of values) {
    const netobject: RipeNetObject =
      typeof value === 'number' ? { kind: 'asn', value, ...common } : { kind: 'cidr', value, ...common };
    out.push({ kind: 'netobject', line: object.line, objectClass, netobject, ...rest });
  }
}

/**
 * Country codes of an object, upper-case. certbund-contact notes values like `DE # DE NL FR` (the comment
 * is gone by now) and lower-case codes; the first word counts.
 */
function readCountry(object: RpslObject, problems: RipeProblemRecord[]): string[] {
  const countries: string[] = [];
  for (const value of attributeValues(object, 'country')) {
    const code = (value.split(' ')[0] ?? '').toUpperCase();
    if (/^[A-Z]{2}$/.test(code)) countries.push(code);
    else problems.push(problem(object.line, 'country', `${JSON.stringify(value)} is not a country code`));
  }
  return countries;
}

function problem(line: number, field: string, reason: string): RipeProblemRecord {
  return { kind: 'problem', line, field, reason };
}

/** RPSL handles are case-insensitive; the directory keys them upper-case. */
function handle(value: string | undefined): string | undefined {
  const first = value?.split(' ')[0];
  return first === undefined || first === '' ? undefined : first.toUpperCase();
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

/** Drops undefined properties, so records compare and serialise without `key: undefined`. */
function definedOnly<T extends Record<string, unknown>>(values: T): Partial<T> {
  const out: Partial<T> = {};
  for (const key of Object.keys(values) as (keyof T)[]) if (values[key] !== undefined) out[key] = values[key];
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// Values

/** `AS3333` (asplain, RFC 5396) to 3333; undefined if malformed or beyond 32 bits. */
export function parseAsn(text: string): number | undefined {
  const match = /^AS(0|[1-9][0-9]{0,9})$/i.exec(text);
  if (match?.[1] === undefined) return undefined;
  const value = Number(match[1]);
  return value <= 0xffffffff ? value : undefined;
}

/** Dotted-quad IPv4 to a number; no leading zeros (`010` could be read as octal). */
export function parseIpv4(text: string): number | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0;
  for (const part of parts) {
    if (!/^(0|[1-9][0-9]{0,2})$/.test(part)) return undefined;
    const octet = Number(part);
    if (octet > 255) return undefined;
    value = value * 256 + octet;
  }
  return value;
}

export function formatIpv4(value: number): string {
  return [value / 2 ** 24, value / 2 ** 16, value / 2 ** 8, value]
    .map((part) => Math.floor(part) % 256)
    .join('.');
}

/** The fewest CIDRs that cover exactly `first`..`last` (inclusive), in address order. */
export function ipv4RangeToCidrs(first: number, last: number): string[] {
  const cidrs: string[] = [];
  let start = first;
  while (start <= last) {
    // The largest block aligned at `start` that does not run past `last`.
    let bits = 0;
    while (bits < 32 && start % 2 ** (bits + 1) === 0 && start + 2 ** (bits + 1) - 1 <= last) bits += 1;
    cidrs.push(`${formatIpv4(start)}/${32 - bits}`);
    start += 2 ** bits;
  }
  return cidrs;
}

/** An `inetnum:` value, `first - last` (or a CIDR), to CIDRs; a string says what is wrong. */
export function parseInetnum(text: string): string[] | string {
  const dash = text.indexOf('-');
  if (dash === -1) {
    const cidr = parseIpv4Cidr(text);
    return cidr ?? `${JSON.stringify(text)} is not an IPv4 range "first - last"`;
  }
  const first = parseIpv4(text.slice(0, dash).trim());
  const last = parseIpv4(text.slice(dash + 1).trim());
  if (first === undefined || last === undefined)
    return `${JSON.stringify(text)} is not an IPv4 range "first - last"`;
  if (first > last) return `${JSON.stringify(text)} is an IPv4 range that ends before it starts`;
  return ipv4RangeToCidrs(first, last);
}

function parseIpv4Cidr(text: string): string[] | undefined {
  const slash = text.indexOf('/');
  if (slash === -1) return undefined;
  const address = parseIpv4(text.slice(0, slash));
  const length = prefixLength(text.slice(slash + 1), 32);
  if (address === undefined || length === undefined) return undefined;
  const size = 2 ** (32 - length);
  return address % size === 0 ? [`${formatIpv4(address)}/${length}`] : undefined;
}

function prefixLength(text: string, max: number): number | undefined {
  if (!/^(0|[1-9][0-9]{0,2})$/.test(text)) return undefined;
  const value = Number(text);
  return value <= max ? value : undefined;
}

/** An `inet6num:` value (a CIDR without host bits) in RFC 5952 form; a string says what is wrong. */
export function parseInet6num(text: string): string[] | string {
  const slash = text.indexOf('/');
  const address = slash === -1 ? undefined : parseIpv6(text.slice(0, slash));
  const length = slash === -1 ? undefined : prefixLength(text.slice(slash + 1), 128);
  if (address === undefined || length === undefined) return `${JSON.stringify(text)} is not an IPv6 CIDR`;
  if ((address & ((1n << BigInt(128 - length)) - 1n)) !== 0n)
    return `${JSON.stringify(text)} has host bits set beyond the /${length} prefix`;
  return [`${formatIpv6(address)}/${length}`];
}

/** IPv6 text (RFC 4291 §2.2, including `::` and a dotted-quad tail) to a 128-bit number. */
export function parseIpv6(text: string): bigint | undefined {
  let groups = text.split(':');
  const last = groups.at(-1) ?? '';
  if (last.includes('.')) {
    const v4 = parseIpv4(last);
    if (v4 === undefined) return undefined;
    groups = [...groups.slice(0, -1), (v4 >>> 16).toString(16), (v4 & 0xffff).toString(16)];
  }
  const gap = text.indexOf('::');
  if (gap !== -1 && text.indexOf('::', gap + 1) !== -1) return undefined;
  let words: string[];
  if (gap === -1) {
    words = groups;
  } else {
    const head = text.slice(0, gap);
    const headGroups = head === '' ? [] : head.split(':');
    const tailGroups = groups.slice(headGroups.length + (head === '' ? 2 : 1));
    // `::` at the very end leaves one empty group behind.
    const tail = tailGroups.length === 1 && tailGroups[0] === '' ? [] : tailGroups;
    const missing = 8 - headGroups.length - tail.length;
    if (missing < 1) return undefined;
    words = [...headGroups, ...Array<string>(missing).fill('0'), ...tail];
  }
  if (words.length !== 8) return undefined;
  let value = 0n;
  for (const word of words) {
    if (!/^[0-9A-Fa-f]{1,4}$/.test(word)) return undefined;
    value = (value << 16n) | BigInt(Number.parseInt(word, 16));
  }
  return value;
}

/** RFC 5952 §4: lower-case, no leading zeros, the longest run (2+) of zero groups as `::`, first if tied. */
export function formatIpv6(value: bigint): string {
  const words: number[] = [];
  for (let shift = 112n; shift >= 0n; shift -= 16n) words.push(Number((value >> shift) & 0xffffn));
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8;) {
    if (words[i] !== 0) {
      i += 1;
      continue;
    }
    let j = i;
    while (j < 8 && words[j] === 0) j += 1;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = words.map((word) => word.toString(16));
  if (bestStart === -1) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`;
}

/**
 * The addresses of an `abuse-mailbox:` value. RIPE data holds more than one address per value (separated
 * by white space or commas), `addr <addr>` display forms, trailing `(comments)` and quoted local parts
 * with spaces (the cases of certbund-contact's role samples). Domains are lower-cased; local parts are
 * kept as written, since RFC 5321 §2.4 lets a mail server tell their case apart.
 */
export function parseMailboxList(value: string): { addresses: string[]; invalid: string[] } {
  const tokens: { text: string; bracketed: boolean }[] = [];
  let current = '';
  let bracketed = false;
  let inQuote = false;
  let commentDepth = 0;
  const flush = (): void => {
    if (current !== '') tokens.push({ text: current, bracketed });
    current = '';
    bracketed = false;
  };
  for (let i = 0; i < value.length; i += 1) {
    const c = value.charAt(i);
    if (inQuote) {
      current += c;
      if (c === '\\' && i + 1 < value.length) {
        i += 1;
        current += value.charAt(i);
      } else if (c === '"') inQuote = false;
    } else if (commentDepth > 0) {
      if (c === '(') commentDepth += 1;
      else if (c === ')') commentDepth -= 1;
    } else if (c === '(') {
      flush();
      commentDepth = 1;
    } else if (c === '"') {
      current += c;
      inQuote = true;
    } else if (c === '<') {
      flush();
      bracketed = true;
    } else if (c === '>' || c === ',' || c === ';' || c === ' ' || c === '\t') {
      const wasBracketed: boolean = bracketed;
      flush();
      bracketed = wasBracketed && c !== '>';
    } else current += c;
  }
  flush();
  const hasBracketed = tokens.some((token) => token.bracketed);
  const addresses: string[] = [];
  const invalid: string[] = [];
  for (const { text } of tokens) {
    const address = normaliseAddress(text);
    if (address !== undefined) {
      if (!addresses.includes(address)) addresses.push(address);
    } else if (!(hasBracketed && !text.includes('@'))) {
      // Words without '@' beside an <address> are its display name.
      invalid.push(text);
    }
  }
  return { addresses, invalid };
}

const atext = "[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+";
const localPartPattern = new RegExp(`^(?:${atext}(?:\\.${atext})*|"(?:[^"\\\\\\r\\n]|\\\\.)*")$`);
const domainPattern =
  /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

function normaliseAddress(text: string): string | undefined {
  const at = text.lastIndexOf('@');
  if (at <= 0 || text.length > 254) return undefined;
  const local = text.slice(0, at);
  const domain = text.slice(at + 1);
  if (local.length > 64 || domain.length > 253) return undefined;
  if (!localPartPattern.test(local) || !domainPattern.test(domain)) return undefined;
  return `${local}@${domain.toLowerCase()}`;
}
