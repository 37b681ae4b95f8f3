/**
 * The IP table: IPv4 and IPv6 address -> AS number, AS holder name, network and country, from the npm data
 * packages `@ip-location-db/asn` and `@ip-location-db/geo-whois-asn-country` (CC BY 4.0: RouteViews,
 * DB-IP, NRO; see the README for the attribution text).
 *
 * Two tables per family, one for AS data and one for countries, since the packages cut the address space
 * at different boundaries; a lookup is one search in each. Each table is sorted, non-overlapping ranges
 * in typed arrays with a 65,536-bucket index on the top 16 bits, so a search touches a few cache lines.
 */
import { join } from 'node:path';
import {
  formatIPv4,
  formatIPv4Network,
  formatIPv6Network,
  ipv4BlockPrefix,
  ipv6BlockPrefix,
  parseIPv4,
  parseIPv6,
} from '../core/net/ip-address.ts';
import { bucketIndex, findIPv4, findIPv6 } from './ip-ranges.ts';
import {
  buildIpTableData,
  findDataPackages,
  type AsnColumns,
  type CountryColumns,
  type IpTableData,
} from './ip-table-build.ts';
import { cacheFileName, readIpTableCache, writeIpTableCache } from './ip-table-cache.ts';

/** What the table knows about one address. A field is undefined where the data has no range for it. */
export interface IpInfo {
  /** Autonomous system number of the range holding the address. */
  asn: number | undefined;
  /** Name of the AS holder, as the data package spells it. */
  asName: string | undefined;
  /**
   * The largest CIDR block that holds the address and lies wholly inside its AS range: the range itself
   * when it is one CIDR block, else the block holding the address in the range's minimal CIDR
   * decomposition. It never includes an address outside the range.
   */
  network: string | undefined;
  /** ISO 3166-1 alpha-2 country code. */
  cc: string | undefined;
}

export interface IpTableStats {
  loadedFrom: 'csv' | 'cache';
  /** Ranges after overlaps are resolved (and touching ranges of one country are joined). */
  ranges: { ipv4Asn: number; ipv4Country: number; ipv6Asn: number; ipv6Country: number };
  asNames: number;
  packages: { name: string; version: string }[];
  /** Why the cache file could not be written, if it could not; the table works without it. */
  cacheWriteError?: string;
}

const IPV4_MAX = 0xffffffff;

export class IpTable {
  readonly stats: IpTableStats;
  private readonly v6Asn: AsnColumns;
  private readonly v6Country: CountryColumns;
  private readonly names: string[];
  /** The IPv4 columns the hot path reads, held directly: one load fewer per access. */
  private readonly v4AsnStarts: Uint32Array;
  private readonly v4AsnEnds: Uint32Array;
  private readonly v4AsnNumbers: Uint32Array;
  private readonly v4AsnNames: Uint32Array;
  private readonly v4CountryStarts: Uint32Array;
  private readonly v4CountryEnds: Uint32Array;
  private readonly v4CountryCodes: Uint16Array;
  private readonly v4AsnBuckets: Uint32Array;
  private readonly v4CountryBuckets: Uint32Array;
  private readonly v6AsnBuckets: Uint32Array;
  private readonly v6CountryBuckets: Uint32Array;
  /** Country codes by their packed form, filled as met; dense, so reading it stays a plain array load. */
  private readonly countryCodes: string[] = new Array<string>(65536).fill('');
  private readonly lanes = new Uint32Array(4);
  /**
   * Network text of AS ranges that are one CIDR block, filled as lookups meet them: most lookups then
   * format nothing. Bounded by the number of ranges; ranges of several blocks are formatted each time.
   */
  private readonly v4Networks: string[];
  private readonly v6Networks: string[];

  constructor(data: IpTableData, stats: IpTableStats) {
    this.v6Asn = data.ipv6Asn;
    this.v6Country = data.ipv6Country;
    this.names = data.names;
    this.v4AsnStarts = data.ipv4Asn.starts;
    this.v4AsnEnds = data.ipv4Asn.ends;
    this.v4AsnNumbers = data.ipv4Asn.asn;
    this.v4AsnNames = data.ipv4Asn.name;
    this.v4CountryStarts = data.ipv4Country.starts;
    this.v4CountryEnds = data.ipv4Country.ends;
    this.v4CountryCodes = data.ipv4Country.cc;
    this.v4AsnBuckets = bucketIndex(data.ipv4Asn);
    this.v4CountryBuckets = bucketIndex(data.ipv4Country);
    this.v6AsnBuckets = bucketIndex(data.ipv6Asn);
    this.v6CountryBuckets = bucketIndex(data.ipv6Country);
    this.v4Networks = new Array<string>(data.ipv4Asn.count).fill('');
    this.v6Networks = new Array<string>(data.ipv6Asn.count).fill('');
    this.stats = stats;
  }

  /**
   * The facts for an IPv4 or IPv6 address in text form, or undefined for text that is no address (a
   * prefix length, a zone id, leading zeros in a dotted quad) and for an address no range holds.
   *
   * An IPv4-mapped IPv6 address (`::ffff:192.0.2.1`, RFC 4291 §2.5.5.2) is looked up as its IPv4 address
   * (the IPv6 files hold no range in ::ffff:0:0/96), and its network is given in the same mapped form
   * (`::ffff:192.0.2.0/120`), so the network always holds the address as it was written.
   */
  lookup(ip: string): IpInfo | undefined {
    if (ip.includes(':')) {
      const lanes = this.lanes;
      if (!parseIPv6(ip, lanes)) return undefined;
      if (lanes[0] === 0 && lanes[1] === 0 && lanes[2] === 0xffff) return this.lookupV4(lanes[3] ?? 0, true);
      return this.lookupIPv6Lanes(lanes);
    }
    const address = parseIPv4(ip);
    return address < 0 ? undefined : this.lookupV4(address, false);
  }

  /**
   * The facts for an IPv4 address given as an unsigned 32-bit number (192.0.2.1 is 0xc0000201), for
   * callers that hold addresses as numbers; undefined for a number that is no such address.
   */
  lookupIPv4(address: number): IpInfo | undefined {
    if (!(address >= 0 && address <= IPV4_MAX) || Math.floor(address) !== address) return undefined;
    return this.lookupV4(address, false);
  }

  private lookupV4(address: number, mapped: boolean): IpInfo | undefined {
    const a = findIPv4(this.v4AsnStarts, this.v4AsnEnds, this.v4AsnBuckets, address);
    const c = findIPv4(this.v4CountryStarts, this.v4CountryEnds, this.v4CountryBuckets, address);
    if (a < 0 && c < 0) return undefined;
    let asn: number | undefined;
    let asName: string | undefined;
    let network: string | undefined;
    if (a >= 0) {
      asn = this.v4AsnNumbers[a];
      asName = this.names[this.v4AsnNames[a] ?? 0];
      network = mapped ? this.mappedNetwork(address, a) : this.v4Network(address, a);
    }
    return { asn, asName, network, cc: c < 0 ? undefined : this.countryCode(this.v4CountryCodes[c] ?? 0) };
  }

  /** The network of IPv4 `address` in AS range `a`; cached for a range that is one CIDR block. */
  private v4Network(address: number, a: number): string {
    const cached = this.v4Networks[a];
    if (cached !== undefined && cached !== '') return cached;
    const start = this.v4AsnStarts[a] ?? 0;
    const end = this.v4AsnEnds[a] ?? 0;
    const prefix = ipv4BlockPrefix(address, start, end);
    const network = formatIPv4Network(address, prefix);
    if (2 ** (32 - prefix) === end - start + 1) this.v4Networks[a] = network;
    return network;
  }

  private mappedNetwork(address: number, a: number): string {
    const prefix = ipv4BlockPrefix(address, this.v4AsnStarts[a] ?? 0, this.v4AsnEnds[a] ?? 0);
    const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
    return `::ffff:${formatIPv4((address & mask) >>> 0)}/${prefix + 96}`;
  }

  /** As `v4Network` for the IPv6 address in `lanes`. */
  private v6Network(lanes: Uint32Array, a: number): string {
    const cached = this.v6Networks[a];
    if (cached !== undefined && cached !== '') return cached;
    const { starts, ends } = this.v6Asn;
    const prefix = ipv6BlockPrefix(lanes, 0, starts, ends, a * 4);
    const network = formatIPv6Network(lanes, 0, prefix);
    if (isWholeRange(starts, ends, a * 4, prefix)) this.v6Networks[a] = network;
    return network;
  }

  private lookupIPv6Lanes(lanes: Uint32Array): IpInfo | undefined {
    const a = findIPv6(this.v6Asn.starts, this.v6Asn.ends, this.v6AsnBuckets, lanes);
    const c = findIPv6(this.v6Country.starts, this.v6Country.ends, this.v6CountryBuckets, lanes);
    if (a < 0 && c < 0) return undefined;
    let asn: number | undefined;
    let asName: string | undefined;
    let network: string | undefined;
    if (a >= 0) {
      const columns = this.v6Asn;
      asn = columns.asn[a];
      asName = this.names[columns.name[a] ?? 0];
      network = this.v6Network(lanes, a);
    }
    return { asn, asName, network, cc: c < 0 ? undefined : this.countryCode(this.v6Country.cc[c] ?? 0) };
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
    asNames: data.names.length,
    packages,
  };
}

/** Whether the range at `starts[o..]`..`ends[o..]` is exactly the CIDR block of `prefix` bits at its start. */
function isWholeRange(starts: Uint32Array, ends: Uint32Array, o: number, prefix: number): boolean {
  for (let k = 0; k < 4; k++) {
    const bits = Math.min(Math.max(prefix - 32 * k, 0), 32);
    const hostMask = bits === 32 ? 0 : 0xffffffff >>> bits;
    const start = starts[o + k] ?? 0;
    const end = ends[o + k] ?? 0;
    if ((start & hostMask) !== 0 || (end & hostMask) >>> 0 !== hostMask) return false;
    if ((start ^ end) & ~hostMask) return false;
  }
  return true;
}
