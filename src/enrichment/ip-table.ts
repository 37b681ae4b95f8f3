/**
 * The IP table: IPv4 and IPv6 address -> AS number, AS holder name, network and country, from the npm data
 * packages `@ip-location-db/asn` and `@ip-location-db/geo-whois-asn-country` (CC BY 4.0: RouteViews,
 * DB-IP, NRO; see the README for the attribution text).
 *
 * The AS ranges and the country ranges cut the address space at different places, and the network of an
 * address is the CIDR block of its AS range's decomposition that holds it. Both tables and those CIDR
 * blocks are merged, at build time, into one sorted table of blocks per family, each block with one
 * answer: a lookup is one binary search (after a 65,536-bucket index on the top 16 bits) and returns the
 * block's answer, built once when first asked for and then shared.
 */
import { join } from 'node:path';
import {
  formatIPv4,
  formatIPv4Network,
  formatIPv6Network,
  parseIPv4,
  parseIPv6,
} from '../core/net/ip-address.ts';
import { bucketIndex, findBlockIPv4, findBlockIPv6, type Blocks } from './ip-ranges.ts';
import {
  buildIpTableData,
  findDataPackages,
  type AsnColumns,
  type CountryColumns,
  type IpTableData,
} from './ip-table-build.ts';
import {
  cacheFileName,
  decodeIpTable,
  encodeIpTable,
  readIpTableCache,
  readSharedIpTableCache,
  writeIpTableCache,
} from './ip-table-cache.ts';

/**
 * What the table knows about one address. A field is undefined where the data has no range for it.
 * Objects the table returns are frozen and shared by every address of one block (see `IpTable.lookup`).
 */
export interface IpInfo {
  /** Autonomous system number of the range holding the address. */
  readonly asn: number | undefined;
  /** Name of the AS holder, as the data package spells it. */
  readonly asName: string | undefined;
  /**
   * The largest CIDR block that holds the address and lies wholly inside its AS range: the range itself
   * when it is one CIDR block, else the block holding the address in the range's minimal CIDR
   * decomposition. It never includes an address outside the range.
   */
  readonly network: string | undefined;
  /** ISO 3166-1 alpha-2 country code. */
  readonly cc: string | undefined;
}

export interface IpTableStats {
  loadedFrom: 'csv' | 'cache';
  /** Ranges after overlaps are resolved (and touching ranges of one country are joined). */
  ranges: { ipv4Asn: number; ipv4Country: number; ipv6Asn: number; ipv6Country: number };
  /** Blocks of one answer each: the ranges of both tables cut by each other and into CIDR blocks. */
  blocks: { ipv4: number; ipv6: number };
  asNames: number;
  packages: { name: string; version: string }[];
  /** Why the cache file could not be written, if it could not; the table works without it. */
  cacheWriteError?: string;
}

/** One family's blocks, the columns their indexes point into, and the answers built so far. */
interface Family {
  blocks: Blocks;
  buckets: Uint32Array;
  asn: AsnColumns;
  country: CountryColumns;
  /**
   * The answer of each block, built on first use; undefined until then and for blocks without any data.
   * A plain dense array, so reading it is one load; it holds at most one object per block.
   */
  answers: (IpInfo | undefined)[];
}

function family(blocks: Blocks, asn: AsnColumns, country: CountryColumns): Family {
  return {
    blocks,
    buckets: bucketIndex(blocks),
    asn,
    country,
    answers: new Array<IpInfo | undefined>(blocks.count).fill(undefined),
  };
}

export class IpTable {
  readonly stats: IpTableStats;
  private readonly names: string[];
  private readonly v4: Family;
  private readonly v6: Family;
  /** The IPv4 columns the hot path reads, held directly: one load fewer per access. */
  private readonly v4Starts: Uint32Array;
  private readonly v4Buckets: Uint32Array;
  private readonly v4Answers: (IpInfo | undefined)[];
  /** Country codes by their packed form, filled as met; dense, so reading it stays a plain array load. */
  private readonly countryCodes: string[] = new Array<string>(65536).fill('');
  private readonly lanes = new Uint32Array(4);

  constructor(data: IpTableData, stats: IpTableStats) {
    this.names = data.names;
    this.v4 = family(data.ipv4Blocks, data.ipv4Asn, data.ipv4Country);
    this.v6 = family(data.ipv6Blocks, data.ipv6Asn, data.ipv6Country);
    this.v4Starts = this.v4.blocks.starts;
    this.v4Buckets = this.v4.buckets;
    this.v4Answers = this.v4.answers;
    this.stats = stats;
  }

  /**
   * The facts for an IPv4 or IPv6 address in text form, or undefined for text that is no address (a
   * prefix length, a zone id, leading zeros in a dotted quad) and for an address no range holds.
   *
   * An IPv4-mapped IPv6 address (`::ffff:192.0.2.1`, RFC 4291 §2.5.5.2) is looked up as its IPv4 address
   * (the IPv6 files hold no range in ::ffff:0:0/96), and its network is given in the same mapped form
   * (`::ffff:192.0.2.0/120`), so the network always holds the address as it was written.
   *
   * The answer is frozen and shared: every address of one block (a piece of the address space with one
   * AS range, country and network) gets the same object, built on the first lookup in the block. A
   * lookup whose block was met before allocates nothing. Copy the object to change it.
   */
  lookup(ip: string): IpInfo | undefined {
    // IPv4 first: no scan for a colon, and IPv6 text fails the IPv4 parse within its first group.
    const address = parseIPv4(ip);
    if (address >= 0) {
      const i = findBlockIPv4(this.v4Starts, this.v4Buckets, address);
      return this.v4Answers[i] ?? this.answer(this.v4, i);
    }
    const lanes = this.lanes;
    if (!parseIPv6(ip, lanes)) return undefined;
    if (lanes[0] === 0 && lanes[1] === 0 && lanes[2] === 0xffff) return this.lookupMapped(lanes[3] ?? 0);
    const i = findBlockIPv6(this.v6.blocks.starts, this.v6.buckets, lanes);
    return this.v6.answers[i] ?? this.answer(this.v6, i);
  }

  /**
   * The facts for an IPv4 address given as an unsigned 32-bit number (192.0.2.1 is 0xc0000201), for
   * callers that hold addresses as numbers; undefined for a number that is no such address. The answer is
   * shared and frozen, as for `lookup`.
   */
  lookupIPv4(address: number): IpInfo | undefined {
    // Only an integer in 0..2^32-1 survives the conversion to uint32 unchanged (NaN and 1.5 do not).
    if (address >>> 0 !== address) return undefined;
    const i = findBlockIPv4(this.v4Starts, this.v4Buckets, address);
    return this.v4Answers[i] ?? this.answer(this.v4, i);
  }

  /** Builds and keeps the answer of block `i`; undefined for a block that no range holds. */
  private answer(f: Family, i: number): IpInfo | undefined {
    const { blocks } = f;
    const a = (blocks.asRange[i] ?? 0) - 1;
    const c = (blocks.country[i] ?? 0) - 1;
    if (a < 0 && c < 0) return undefined;
    let asn: number | undefined;
    let asName: string | undefined;
    let network: string | undefined;
    if (a >= 0) {
      asn = f.asn.asn[a];
      asName = this.names[f.asn.name[a] ?? 0];
      const prefix = blocks.prefix[i] ?? 0;
      network =
        blocks.lanes === 1
          ? formatIPv4Network(blocks.starts[i] ?? 0, prefix)
          : formatIPv6Network(blocks.starts, i * 4, prefix);
    }
    const cc = c < 0 ? undefined : this.countryCode(f.country.cc[c] ?? 0);
    const info: IpInfo = Object.freeze({ asn, asName, network, cc });
    f.answers[i] = info;
    return info;
  }

  /** An IPv4-mapped address: the IPv4 answer with its network written in the mapped form. */
  private lookupMapped(address: number): IpInfo | undefined {
    const i = findBlockIPv4(this.v4Starts, this.v4Buckets, address);
    const info = this.v4Answers[i] ?? this.answer(this.v4, i);
    if (info?.network === undefined) return info;
    const prefix = this.v4.blocks.prefix[i] ?? 0;
    const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
    return { ...info, network: `::ffff:${formatIPv4((address & mask) >>> 0)}/${prefix + 96}` };
  }

  private countryCode(packed: number): string {
    const known = this.countryCodes[packed];
    if (known !== undefined && known !== '') return known;
    const code = String.fromCharCode(packed >>> 8, packed & 0xff);
    this.countryCodes[packed] = code;
    return code;
  }
}

export interface LoadIpTableOptions {
  /**
   * Folder for the binary cache file (the service passes `<TOCSIN_DATA_DIR>/ip-table`). Without it the
   * table is built from the CSV files each time. The file is named after both package versions and
   * rebuilt when either changes or when it fails its checks (truncated, corrupted, other format).
   */
  cacheDir?: string;
}

/** Loads the IP table from the cache file if a valid one exists, else from the packages' CSV files. */
export async function loadIpTable(options: LoadIpTableOptions = {}): Promise<IpTable> {
  const packages = await findDataPackages();
  const sources = [packages.asn, packages.country].map(({ name, version }) => ({ name, version }));
  const fileName = cacheFileName(packages);
  const { cacheDir } = options;
  if (cacheDir !== undefined) {
    const cached = await readIpTableCache(cacheDir, fileName);
    if (cached !== undefined) return new IpTable(cached, statsOf(cached, 'cache', sources));
  }
  const data = await buildIpTableData(packages);
  const stats = statsOf(data, 'csv', sources);
  if (cacheDir !== undefined) {
    try {
      await writeIpTableCache(cacheDir, fileName, data);
    } catch (error) {
      stats.cacheWriteError = `${join(cacheDir, fileName)}: ${error instanceof Error ? error.message : String(error)}`;
    }
  }
  return new IpTable(data, stats);
}

/**
 * The IP table's cache file in memory that worker threads share (each parse worker would otherwise hold
 * its own 28 MB copy): the bytes `loadIpTable` reads from `cacheDir`, the file made first when missing.
 */
export async function sharedIpTableBytes(cacheDir: string): Promise<SharedArrayBuffer> {
  const packages = await findDataPackages();
  const fileName = cacheFileName(packages);
  const shared = await readSharedIpTableCache(cacheDir, fileName);
  if (shared !== undefined) return shared;
  const data = await buildIpTableData(packages);
  // As `loadIpTable`: a cache that cannot be written costs the next start a rebuild, nothing more.
  await writeIpTableCache(cacheDir, fileName, data).catch(() => undefined);
  const file = encodeIpTable(data);
  const built = new SharedArrayBuffer(file.byteLength);
  new Uint8Array(built).set(file);
  return built;
}

/** The IP table over bytes from `sharedIpTableBytes`, without copying them. */
export async function ipTableOfBytes(bytes: SharedArrayBuffer): Promise<IpTable> {
  const data = decodeIpTable(Buffer.from(bytes));
  if (data === undefined) throw new Error('the shared IP table bytes are not a valid cache file');
  const packages = await findDataPackages();
  const sources = [packages.asn, packages.country].map(({ name, version }) => ({ name, version }));
  return new IpTable(data, statsOf(data, 'cache', sources));
}

function statsOf(
  data: IpTableData,
  loadedFrom: IpTableStats['loadedFrom'],
  packages: IpTableStats['packages'],
): IpTableStats {
  return {
    loadedFrom,
    ranges: {
      ipv4Asn: data.ipv4Asn.count,
      ipv4Country: data.ipv4Country.count,
      ipv6Asn: data.ipv6Asn.count,
      ipv6Country: data.ipv6Country.count,
    },
    blocks: { ipv4: data.ipv4Blocks.count, ipv6: data.ipv6Blocks.count },
    asNames: data.names.length,
    packages,
  };
}
