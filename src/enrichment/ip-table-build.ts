/**
 * Builds the IP table's columns from the CSV files of the npm packages `@ip-location-db/asn`
 * (`ip_range_start,ip_range_end,autonomous_system_number,autonomous_system_organization`) and
 * `@ip-location-db/geo-whois-asn-country` (`ip_range_start,ip_range_end,country_code`); ranges are
 * inclusive (the packages' README, "CSV Format").
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { AppError } from '../core/index.ts';
import {
  cutBlocks,
  mergeAdjacent,
  resolveOverlaps,
  type Blocks,
  type Lanes,
  type Ranges,
} from './ip-ranges.ts';

/**
 * The AS ranges of one family, by the index a block gives: AS number and index into `IpTableData.names`.
 * Their bounds are not kept: the blocks hold them.
 */
export interface AsnColumns {
  count: number;
  asn: Uint32Array;
  name: Uint32Array;
}

/** The country ranges of one family: a code packed as two ASCII bytes (`"NL"` is 0x4e4c). */
export interface CountryColumns {
  count: number;
  cc: Uint16Array;
}

export interface IpTableData {
  ipv4Asn: AsnColumns;
  ipv4Country: CountryColumns;
  ipv6Asn: AsnColumns;
  ipv6Country: CountryColumns;
  /** The address space cut by both tables and by each AS range's CIDR blocks: what a lookup searches. */
  ipv4Blocks: Blocks;
  ipv6Blocks: Blocks;
  /** AS holder names, each once. */
  names: string[];
}

export interface DataPackage {
  name: string;
  version: string;
  dir: string;
}

export const asnPackage = '@ip-location-db/asn';
export const countryPackage = '@ip-location-db/geo-whois-asn-country';

/** Where the two data packages are installed, and their versions (the cache key). */
export async function findDataPackages(): Promise<{ asn: DataPackage; country: DataPackage }> {
  const require = createRequire(import.meta.url);
  const locate = async (name: string): Promise<DataPackage> => {
    const manifest = require.resolve(`${name}/package.json`);
    const { version } = JSON.parse(await readFile(manifest, 'utf8')) as { version: string };
    return { name, version, dir: dirname(manifest) };
  };
  return { asn: await locate(asnPackage), country: await locate(countryPackage) };
}

/**
 * The files read: the `-num` forms, whose bounds are decimal numbers (IPv6 ones up to 2^128 - 1), so
 * loading needs no address parsing. The packages' other files hold the same rows with address text.
 */
export const ipDataFiles = {
  ipv4Asn: 'asn-ipv4-num.csv',
  ipv6Asn: 'asn-ipv6-num.csv',
  ipv4Country: 'geo-whois-asn-country-ipv4-num.csv',
  ipv6Country: 'geo-whois-asn-country-ipv6-num.csv',
} as const;

/** Reads and indexes both packages' IPv4 and IPv6 files. */
export async function buildIpTableData(packages: {
  asn: DataPackage;
  country: DataPackage;
}): Promise<IpTableData> {
  const names = new NameTable();
  const read = (pkg: DataPackage, file: string) => readFile(join(pkg.dir, file));
  const [asn4, asn6, cc4, cc6] = await Promise.all([
    read(packages.asn, ipDataFiles.ipv4Asn),
    read(packages.asn, ipDataFiles.ipv6Asn),
    read(packages.country, ipDataFiles.ipv4Country),
    read(packages.country, ipDataFiles.ipv6Country),
  ]);
  const ipv4Asn = readAsnCsv(asn4, 1, ipDataFiles.ipv4Asn, names);
  const ipv6Asn = readAsnCsv(asn6, 4, ipDataFiles.ipv6Asn, names);
  const ipv4Country = readCountryCsv(cc4, 1, ipDataFiles.ipv4Country);
  const ipv6Country = readCountryCsv(cc6, 4, ipDataFiles.ipv6Country);
  return {
    ipv4Asn: { count: ipv4Asn.count, asn: ipv4Asn.asn, name: ipv4Asn.name },
    ipv6Asn: { count: ipv6Asn.count, asn: ipv6Asn.asn, name: ipv6Asn.name },
    ipv4Country: { count: ipv4Country.count, cc: ipv4Country.cc },
    ipv6Country: { count: ipv6Country.count, cc: ipv6Country.cc },
    ipv4Blocks: cutBlocks(ipv4Asn, ipv4Country),
    ipv6Blocks: cutBlocks(ipv6Asn, ipv6Country),
    names: names.list,
  };
}

/**
 * AS holder names, each kept once. Rows of one AS nearly always carry one name, so a row's name is first
 * compared as bytes with the names already seen for its AS number: most rows decode no string at all.
 */
class NameTable {
  readonly list: string[] = [];
  private readonly bytes: Uint8Array[] = [];
  private readonly byAsn = new Map<number, number[]>();
  private readonly index = new Map<string, number>();

  /** The index of the name in `buf[start..end)`, a CSV field (RFC 4180 §2: quoted, `""` for a quote). */
  add(asn: number, buf: Buffer, start: number, end: number): number {
    const known = this.byAsn.get(asn);
    if (known !== undefined) {
      for (const i of known) if (sameBytes(this.bytes[i], buf, start, end)) return i;
    }
    const name = readField(buf, start, end);
    if (name === undefined) return -1;
    let i = this.index.get(name);
    if (i === undefined) {
      i = this.list.length;
      this.list.push(name);
      this.index.set(name, i);
      this.bytes.push(Uint8Array.prototype.slice.call(buf, start, end));
    }
    if (known === undefined) this.byAsn.set(asn, [i]);
    else known.push(i);
    return i;
  }
}

function sameBytes(a: Uint8Array | undefined, buf: Buffer, start: number, end: number): boolean {
  if (a?.length !== end - start) return false;
  for (let k = 0; k < a.length; k++) if (a[k] !== buf[start + k]) return false;
  return true;
}

function readField(buf: Buffer, start: number, end: number): string | undefined {
  if (buf[start] !== QUOTE) return buf.toString('utf8', start, end);
  if (end - start < 2 || buf[end - 1] !== QUOTE) return undefined;
  const inner = buf.toString('utf8', start + 1, end - 1);
  if (!inner.includes('"')) return inner;
  return inner.replaceAll('""', '').includes('"') ? undefined : inner.replaceAll('""', '"');
}

const QUOTE = 34;
const COMMA = 44;
const CR = 13;
const LF = 10;

/** Typed columns that grow as rows arrive. */
class RowBuffer implements Ranges {
  readonly lanes: Lanes;
  count = 0;
  starts: Uint32Array;
  ends: Uint32Array;
  values: Uint32Array;
  names: Uint32Array;

  constructor(lanes: Lanes, capacity: number) {
    this.lanes = lanes;
    this.starts = new Uint32Array(capacity * lanes);
    this.ends = new Uint32Array(capacity * lanes);
    this.values = new Uint32Array(capacity);
    this.names = new Uint32Array(capacity);
  }

  /** Makes room for one more row. */
  reserve(): void {
    if (this.count < this.values.length) return;
    const grow = (a: Uint32Array) => {
      const b = new Uint32Array(a.length * 2);
      b.set(a);
      return b;
    };
    this.starts = grow(this.starts);
    this.ends = grow(this.ends);
    this.values = grow(this.values);
    this.names = grow(this.names);
  }
}

/** 16-bit limbs, most significant first, for reading a 128-bit decimal number. */
const limbs = new Uint32Array(8);

/**
 * Reads the decimal number at `pos` into `target[offset..]` (one lane for IPv4, four for IPv6); returns
 * the position after it, or -1 if there is no digit or the number does not fit.
 */
function readDecimal(buf: Buffer, pos: number, lanes: Lanes, target: Uint32Array, offset: number): number {
  const first = pos;
  if (lanes === 1) {
    let n = 0;
    for (let d = (buf[pos] ?? 0) - 48; d >= 0 && d <= 9; d = (buf[++pos] ?? 0) - 48) n = n * 10 + d;
    if (pos === first || pos - first > 10 || n > 0xffffffff) return -1;
    target[offset] = n;
    return pos;
  }
  limbs.fill(0);
  for (;;) {
    // Up to four digits at a time: a limb times 10^4 plus a carry stays below 2^31.
    let chunk = 0;
    let scale = 1;
    for (let d = (buf[pos] ?? 0) - 48; d >= 0 && d <= 9 && scale < 10000; d = (buf[++pos] ?? 0) - 48) {
      chunk = chunk * 10 + d;
      scale *= 10;
    }
    if (scale === 1) break;
    let carry = chunk;
    for (let k = 7; k >= 0; k--) {
      const v = (limbs[k] ?? 0) * scale + carry;
      limbs[k] = v & 0xffff;
      carry = v >>> 16;
    }
    if (carry !== 0) return -1;
  }
  if (pos === first) return -1;
  for (let k = 0; k < 4; k++) target[offset + k] = (limbs[2 * k] ?? 0) * 65536 + (limbs[2 * k + 1] ?? 0);
  return pos;
}

/**
 * Reads each non-empty line of a `*-num.csv` file: its `start,end,` into row `rows.count`, the rest with
 * `onRow(rest, end)` (`rest` is where the line goes on, `end` where it stops), which says whether the
 * rest is well-formed. Throws on the first malformed line: a broken data package is an outage.
 */
function readRows(
  buf: Buffer,
  rows: RowBuffer,
  file: string,
  onRow: (rest: number, end: number) => boolean,
): void {
  const { lanes } = rows;
  let line = 0;
  for (let pos = 0; pos < buf.length;) {
    line++;
    let eol = buf.indexOf(LF, pos);
    if (eol < 0) eol = buf.length;
    const end = buf[eol - 1] === CR ? eol - 1 : eol;
    if (end > pos) {
      rows.reserve();
      const row = rows.count;
      const afterStart = readDecimal(buf, pos, lanes, rows.starts, row * lanes);
      const afterEnd =
        afterStart < 0 || buf[afterStart] !== COMMA
          ? -1
          : readDecimal(buf, afterStart + 1, lanes, rows.ends, row * lanes);
      if (afterEnd < 0 || afterEnd >= end || buf[afterEnd] !== COMMA || !ordered(rows, row)) {
        throw malformed(file, line, buf.toString('utf8', pos, end));
      }
      if (!onRow(afterEnd + 1, end)) throw malformed(file, line, buf.toString('utf8', pos, end));
      rows.count++;
    }
    pos = eol + 1;
  }
}

function malformed(file: string, line: number, text: string): AppError {
  return new AppError('core.internal', `IP data file ${file}, line ${line}: ${JSON.stringify(text)}`, {
    details: { file, line },
  });
}

/** Whether row `row` does not end before it starts. */
function ordered(rows: RowBuffer, row: number): boolean {
  const { lanes } = rows;
  for (let k = 0; k < lanes; k++) {
    const s = rows.starts[row * lanes + k] ?? 0;
    const e = rows.ends[row * lanes + k] ?? 0;
    if (s !== e) return s < e;
  }
  return true;
}

function readAsnCsv(buf: Buffer, lanes: Lanes, file: string, names: NameTable): AsnColumns & Ranges {
  const rows = new RowBuffer(lanes, Math.ceil(buf.length / 40));
  readRows(buf, rows, file, (rest, end) => {
    const afterAsn = readDecimal(buf, rest, 1, rows.values, rows.count);
    if (afterAsn < 0 || afterAsn >= end || buf[afterAsn] !== COMMA) return false;
    const name = names.add(rows.values[rows.count] ?? 0, buf, afterAsn + 1, end);
    rows.names[rows.count] = name;
    return name >= 0;
  });
  const segments = resolveOverlaps(rows);
  return {
    ...segments,
    asn: segments.rows.map((row) => rows.values[row] ?? 0),
    name: segments.rows.map((row) => rows.names[row] ?? 0),
  };
}

function readCountryCsv(buf: Buffer, lanes: Lanes, file: string): CountryColumns & Ranges {
  const rows = new RowBuffer(lanes, Math.ceil(buf.length / 24));
  readRows(buf, rows, file, (rest, end) => {
    const first = buf[rest] ?? 0;
    const second = buf[rest + 1] ?? 0;
    rows.values[rows.count] = (first << 8) | second;
    return end - rest === 2 && isUpperLetter(first) && isUpperLetter(second);
  });
  const segments = resolveOverlaps(rows);
  const codes = segments.rows.map((row) => rows.values[row] ?? 0);
  // Touching ranges of one country are one range for a lookup: fewer ranges, shorter searches.
  const merged = mergeAdjacent(segments, (a, b) => codes[a] === codes[b]);
  return { ...merged, cc: Uint16Array.from(merged.rows, (row) => rows.values[row] ?? 0) };
}

function isUpperLetter(c: number): boolean {
  return c >= 65 && c <= 90;
}
