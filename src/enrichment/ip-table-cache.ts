/**
 * The IP table's columns as one binary file, so a restart maps arrays instead of parsing 60 MB of CSV.
 * Layout (host byte order, checked by a marker): a 48-byte header — magic, byte-order marker, format
 * version, payload length, CRC-32 of the payload, the four range counts, the two block counts, the name
 * bytes — then each column in a fixed order, every section padded to 4 bytes. The ranges' bounds are not
 * stored: the blocks hold them. A file that fails any check is not used.
 */
import { mkdir, open, readdir, readFile, rename, rm, writeFile, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import type { AsnColumns, CountryColumns, DataPackage, IpTableData } from './ip-table-build.ts';
import type { Blocks, Lanes } from './ip-ranges.ts';

const MAGIC = 'TOCSINIP';
const BYTE_ORDER = 0x01020304;
/** Raise when the layout or the meaning of the columns changes: old files are then rebuilt. */
const FORMAT_VERSION = 2;
const HEADER_BYTES = 56;

/** The cache file for these package versions; a new version of either package means a new file. */
export function cacheFileName(packages: { asn: DataPackage; country: DataPackage }): string {
  const safe = (s: string) => s.replace(/[^0-9A-Za-z.-]/g, '_');
  return `ip-table-v${FORMAT_VERSION}-asn-${safe(packages.asn.version)}-cc-${safe(packages.country.version)}.bin`;
}

const pad4 = (n: number) => (n + 3) & ~3;

function asnSections(c: AsnColumns): ArrayBufferView[] {
  return [c.asn, c.name];
}

function countrySections(c: CountryColumns): ArrayBufferView[] {
  return [c.cc];
}

function blockSections(b: Blocks): ArrayBufferView[] {
  return [b.starts, b.asRange, b.country, b.prefix];
}

export function encodeIpTable(data: IpTableData): Buffer {
  const names = Buffer.from(data.names.join('\n'), 'utf8');
  const sections = [
    ...asnSections(data.ipv4Asn),
    ...countrySections(data.ipv4Country),
    ...asnSections(data.ipv6Asn),
    ...countrySections(data.ipv6Country),
    ...blockSections(data.ipv4Blocks),
    ...blockSections(data.ipv6Blocks),
    names,
  ];
  const payloadLength = sections.reduce((sum, s) => sum + pad4(s.byteLength), 0);
  const file = Buffer.alloc(HEADER_BYTES + payloadLength);
  let offset = HEADER_BYTES;
  for (const s of sections) {
    file.set(new Uint8Array(s.buffer, s.byteOffset, s.byteLength), offset);
    offset += pad4(s.byteLength);
  }
  const payload = file.subarray(HEADER_BYTES);
  file.write(MAGIC, 0, 'latin1');
  const header = new Uint32Array(file.buffer, file.byteOffset + 8, (HEADER_BYTES - 8) / 4);
  header.set([
    BYTE_ORDER,
    FORMAT_VERSION,
    payloadLength,
    crc32(payload),
    data.ipv4Asn.count,
    data.ipv4Country.count,
    data.ipv6Asn.count,
    data.ipv6Country.count,
    data.ipv4Blocks.count,
    data.ipv6Blocks.count,
    names.byteLength,
  ]);
  return file;
}

/** The columns in `file`, or undefined if it is truncated, corrupted or of another format. */
export function decodeIpTable(file: Buffer): IpTableData | undefined {
  if (file.byteLength < HEADER_BYTES || file.toString('latin1', 0, 8) !== MAGIC) return undefined;
  // Typed-array views need 4-byte alignment; a Buffer from a pool may not have it.
  const bytes = file.byteOffset % 4 === 0 ? file : Buffer.from(file);
  const header = new Uint32Array(bytes.buffer, bytes.byteOffset + 8, (HEADER_BYTES - 8) / 4);
  const [order, version, payloadLength, checksum, v4a, v4c, v6a, v6c, v4b, v6b, nameBytes] = header;
  if (order !== BYTE_ORDER || version !== FORMAT_VERSION) return undefined;
  if (payloadLength !== bytes.byteLength - HEADER_BYTES) return undefined;
  if (crc32(bytes.subarray(HEADER_BYTES)) !== checksum) return undefined;
  if (v4a === undefined || v4c === undefined || v6a === undefined || v6c === undefined) return undefined;
  if (v4b === undefined || v6b === undefined || nameBytes === undefined) return undefined;
  const asnBytes = (n: number) => 2 * n * 4;
  const countryBytes = (n: number) => pad4(n * 2);
  const blockBytes = (lanes: number, n: number) => n * lanes * 4 + 2 * n * 4 + pad4(n);
  const expected =
    asnBytes(v4a) +
    countryBytes(v4c) +
    asnBytes(v6a) +
    countryBytes(v6c) +
    blockBytes(1, v4b) +
    blockBytes(4, v6b) +
    pad4(nameBytes);
  if (expected !== payloadLength) return undefined;
  let offset = bytes.byteOffset + HEADER_BYTES;
  const u32 = (length: number): Uint32Array => {
    const view = new Uint32Array(bytes.buffer, offset, length);
    offset += length * 4;
    return view;
  };
  const u16 = (length: number): Uint16Array => {
    const view = new Uint16Array(bytes.buffer, offset, length);
    offset += pad4(length * 2);
    return view;
  };
  const u8 = (length: number): Uint8Array => {
    const view = new Uint8Array(bytes.buffer, offset, length);
    offset += pad4(length);
    return view;
  };
  const asn = (count: number): AsnColumns => ({ count, asn: u32(count), name: u32(count) });
  const country = (count: number): CountryColumns => ({ count, cc: u16(count) });
  const ipv4Asn = asn(v4a);
  const ipv4Country = country(v4c);
  const ipv6Asn = asn(v6a);
  const ipv6Country = country(v6c);
  const blocks = (lanes: Lanes, count: number): Blocks => ({
    lanes,
    count,
    starts: u32(count * lanes),
    asRange: u32(count),
    country: u32(count),
    prefix: u8(count),
  });
  const ipv4Blocks = blocks(1, v4b);
  const ipv6Blocks = blocks(4, v6b);
  const names = splitNames(Buffer.from(bytes.buffer, offset, nameBytes));
  return { ipv4Asn, ipv4Country, ipv6Asn, ipv6Country, ipv4Blocks, ipv6Blocks, names };
}

/*
 * The names, each decoded on its own. Decoded as one text and split, every name would be a piece of one
 * string held as UTF-16 (some names are not Latin-1), and so would every text an event's name is joined
 * into: its record line was then encoded to UTF-8 a character at a time (V8's `Utf8::Encode<uint16_t>`:
 * 3.4 % of an ingest's parse worker), where a one-byte text is converted in blocks.
 */
function splitNames(bytes: Buffer): string[] {
  const names: string[] = [];
  let start = 0;
  for (;;) {
    const end = bytes.indexOf(0x0a, start);
    names.push(bytes.toString('utf8', start, end === -1 ? bytes.length : end));
    if (end === -1) return names;
    start = end + 1;
  }
}

/** The cached columns, or undefined when there is no usable file. */
export async function readIpTableCache(dir: string, fileName: string): Promise<IpTableData | undefined> {
  let file: Buffer;
  try {
    file = await readFile(join(dir, fileName));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  return decodeIpTable(file);
}

/**
 * The cache file in shared memory, for threads to read in place, or undefined when there is no usable file.
 * Read straight into it: a copy on the way would hold the table twice for a while.
 */
export async function readSharedIpTableCache(
  dir: string,
  fileName: string,
): Promise<SharedArrayBuffer | undefined> {
  let handle: FileHandle;
  try {
    handle = await open(join(dir, fileName), 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    const { size } = await handle.stat();
    const shared = new SharedArrayBuffer(size);
    const view = new Uint8Array(shared);
    for (let at = 0; at < size;) {
      const { bytesRead } = await handle.read(view, at, size - at, at);
      if (bytesRead === 0) return undefined;
      at += bytesRead;
    }
    return decodeIpTable(Buffer.from(shared)) === undefined ? undefined : shared;
  } finally {
    await handle.close();
  }
}

/**
 * Writes the cache file whole (a temporary file, then a rename: a reader never sees half a file) and
 * removes the files of other package versions.
 */
export async function writeIpTableCache(dir: string, fileName: string, data: IpTableData): Promise<void> {
  await mkdir(dir, { recursive: true });
  const temporary = join(dir, `${fileName}.${process.pid}.tmp`);
  await writeFile(temporary, encodeIpTable(data));
  await rename(temporary, join(dir, fileName));
  for (const other of await readdir(dir)) {
    if (other !== fileName && /^ip-table-v\d+-.*\.bin$/.test(other))
      await rm(join(dir, other), { force: true });
  }
}
