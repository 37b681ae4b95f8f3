/**
 * Sorted, non-overlapping address ranges in typed arrays, and their binary search. An IPv4 bound takes
 * one 32-bit lane, an IPv6 bound four (most significant first), so one layout serves both families.
 */

export type Lanes = 1 | 4;

/** Inclusive ranges: range i runs from `starts[i*lanes ..]` to `ends[i*lanes ..]`. */
export interface Ranges {
  lanes: Lanes;
  count: number;
  starts: Uint32Array;
  ends: Uint32Array;
}

/** Ranges after overlaps are resolved, each naming the input row whose value it carries. */
export interface Segments extends Ranges {
  rows: Uint32Array;
}

function toBigInt(lanes: Lanes, values: Uint32Array, i: number): bigint {
  if (lanes === 1) return BigInt(values[i] ?? 0);
  const o = i * 4;
  return (
    (BigInt(values[o] ?? 0) << 96n) |
    (BigInt(values[o + 1] ?? 0) << 64n) |
    (BigInt(values[o + 2] ?? 0) << 32n) |
    BigInt(values[o + 3] ?? 0)
  );
}

function compareBound(lanes: Lanes, a: Uint32Array, i: number, b: Uint32Array, j: number): number {
  for (let k = 0; k < lanes; k++) {
    const x = a[i * lanes + k] ?? 0;
    const y = b[j * lanes + k] ?? 0;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

/** Collects segments in typed arrays sized for the worst case, then trims them. */
class SegmentWriter {
  readonly lanes: Lanes;
  count = 0;
  private readonly starts: Uint32Array;
  private readonly ends: Uint32Array;
  private readonly rows: Uint32Array;

  constructor(lanes: Lanes, capacity: number) {
    this.lanes = lanes;
    this.starts = new Uint32Array(capacity * lanes);
    this.ends = new Uint32Array(capacity * lanes);
    this.rows = new Uint32Array(capacity);
  }

  copy(from: Ranges, i: number, row: number): void {
    const { lanes } = this;
    const to = this.count * lanes;
    for (let k = 0; k < lanes; k++) {
      this.starts[to + k] = from.starts[i * lanes + k] ?? 0;
      this.ends[to + k] = from.ends[i * lanes + k] ?? 0;
    }
    this.rows[this.count++] = row;
  }

  pushBig(start: bigint, end: bigint, row: number): void {
    const last = this.count - 1;
    // A resolved cluster may hand one row back in adjacent pieces: join them.
    if (last >= 0 && this.rows[last] === row && toBigInt(this.lanes, this.ends, last) + 1n === start) {
      this.setLanes(this.ends, last, end);
      return;
    }
    this.setLanes(this.starts, this.count, start);
    this.setLanes(this.ends, this.count, end);
    this.rows[this.count++] = row;
  }

  private setLanes(target: Uint32Array, i: number, value: bigint): void {
    for (let k = 0; k < this.lanes; k++) {
      target[i * this.lanes + k] = Number((value >> BigInt(32 * (this.lanes - 1 - k))) & 0xffffffffn);
    }
  }

  finish(): Segments {
    const { lanes, count } = this;
    return {
      lanes,
      count,
      starts: this.starts.slice(0, count * lanes),
      ends: this.ends.slice(0, count * lanes),
      rows: this.rows.slice(0, count),
    };
  }
}

interface ClusterRow {
  start: bigint;
  end: bigint;
  row: number;
}

/** Whether `a` wins over `b` where both hold an address: the narrower range, on a tie the later row. */
function wins(a: ClusterRow, b: ClusterRow): boolean {
  const sizeA = a.end - a.start;
  const sizeB = b.end - b.start;
  return sizeA < sizeB || (sizeA === sizeB && a.row > b.row);
}

/** Splits overlapping rows (sorted by start) into pieces, each given to the row that wins there. */
function resolveCluster(rows: ClusterRow[], out: SegmentWriter): void {
  const bounds = new Set<bigint>();
  for (const r of rows) {
    bounds.add(r.start);
    bounds.add(r.end + 1n);
  }
  const sorted = [...bounds].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  let active: ClusterRow[] = [];
  let next = 0;
  for (let b = 0; b + 1 < sorted.length; b++) {
    const point = sorted[b] ?? 0n;
    const pieceEnd = (sorted[b + 1] ?? 0n) - 1n;
    for (let r = rows[next]; r !== undefined && r.start <= point; r = rows[++next]) active.push(r);
    active = active.filter((r) => r.end >= point);
    let winner: ClusterRow | undefined;
    for (const r of active) if (winner === undefined || wins(r, winner)) winner = r;
    if (winner !== undefined) out.pushBig(point, pieceEnd, winner.row);
  }
}

/**
 * Resolves overlapping input ranges into disjoint segments sorted by start. Where ranges overlap, the
 * narrowest one holding an address gives its value (the most specific entry, as in longest-prefix
 * matching; a GeoFeed entry inside a WHOIS block); between ranges of equal size, the later row in the file.
 * The data files hold few overlaps, so only clusters of overlapping rows take the slow exact path.
 */
export function resolveOverlaps(input: Ranges): Segments {
  const { lanes, count } = input;
  let order: number[] | undefined;
  for (let i = 1; i < count; i++) {
    if (compareBound(lanes, input.starts, i, input.starts, i - 1) < 0) {
      order = Array.from({ length: count }, (_, k) => k);
      order.sort((a, b) => compareBound(lanes, input.starts, a, input.starts, b) || a - b);
      break;
    }
  }
  const sorted: Ranges = order === undefined ? input : permute(input, order);
  // A cluster of k rows gives at most 2k - 1 pieces.
  const out = new SegmentWriter(lanes, 2 * count);
  let i = 0;
  while (i < count) {
    let j = i + 1;
    let furthest = i;
    while (j < count && compareBound(lanes, sorted.starts, j, sorted.ends, furthest) <= 0) {
      if (compareBound(lanes, sorted.ends, j, sorted.ends, furthest) > 0) furthest = j;
      j++;
    }
    if (j === i + 1) out.copy(sorted, i, order?.[i] ?? i);
    else {
      const cluster: ClusterRow[] = [];
      for (let k = i; k < j; k++) {
        cluster.push({
          start: toBigInt(lanes, sorted.starts, k),
          end: toBigInt(lanes, sorted.ends, k),
          row: order?.[k] ?? k,
        });
      }
      resolveCluster(cluster, out);
    }
    i = j;
  }
  return out.finish();
}

function permute(input: Ranges, order: number[]): Ranges {
  const { lanes } = input;
  const starts = new Uint32Array(input.starts.length);
  const ends = new Uint32Array(input.ends.length);
  order.forEach((from, to) => {
    starts.set(input.starts.subarray(from * lanes, from * lanes + lanes), to * lanes);
    ends.set(input.ends.subarray(from * lanes, from * lanes + lanes), to * lanes);
  });
  return { lanes, count: input.count, starts, ends };
}

/** Joins touching segments for which `same(a, b)` holds (indices into `segments`), in place. */
export function mergeAdjacent(segments: Segments, same: (a: number, b: number) => boolean): Segments {
  const { lanes, starts, ends, rows } = segments;
  let kept = 0;
  let previous = -1;
  for (let i = 0; i < segments.count; i++) {
    if (previous >= 0 && same(previous, i) && follows(lanes, ends, kept - 1, starts, i)) {
      ends.copyWithin((kept - 1) * lanes, i * lanes, i * lanes + lanes);
      continue;
    }
    if (kept !== i) {
      starts.copyWithin(kept * lanes, i * lanes, i * lanes + lanes);
      ends.copyWithin(kept * lanes, i * lanes, i * lanes + lanes);
      rows[kept] = rows[i] ?? 0;
    }
    kept++;
    previous = i;
  }
  return {
    lanes,
    count: kept,
    starts: starts.slice(0, kept * lanes),
    ends: ends.slice(0, kept * lanes),
    rows: rows.slice(0, kept),
  };
}

/** Whether range `i` of `starts` begins right after bound `j` of `ends` (an add with carry). */
function follows(lanes: Lanes, ends: Uint32Array, j: number, starts: Uint32Array, i: number): boolean {
  let carry = 1;
  for (let k = lanes - 1; k >= 0; k--) {
    const sum = (ends[j * lanes + k] ?? 0) + carry;
    carry = sum > 0xffffffff ? 1 : 0;
    if (sum % 2 ** 32 !== (starts[i * lanes + k] ?? 0)) return false;
  }
  return carry === 0;
}

/**
 * `buckets[h]` is the number of ranges starting below `h << 16` (IPv4) or `h << 112` (IPv6), for h in
 * 0..65536: a search for an address in bucket h need only look at ranges buckets[h]-1 .. buckets[h+1]-1.
 */
export function bucketIndex(ranges: Pick<Ranges, 'lanes' | 'count' | 'starts'>): Uint32Array {
  const buckets = new Uint32Array(65537);
  let i = 0;
  for (let h = 0; h <= 65536; h++) {
    while (i < ranges.count && (ranges.starts[i * ranges.lanes] ?? 0) >>> 16 < h) i++;
    buckets[h] = i;
  }
  return buckets;
}

/** The index of the range holding the IPv4 `address`, or -1. */
export function findIPv4(
  starts: Uint32Array,
  ends: Uint32Array,
  buckets: Uint32Array,
  address: number,
): number {
  const h = address >>> 16;
  let low = buckets[h] ?? 0;
  let high = buckets[h + 1] ?? 0;
  // The first range starting after the address; the one before it is the only candidate.
  while (low < high) {
    const mid = (low + high) >>> 1;
    if ((starts[mid] ?? 0) <= address) low = mid + 1;
    else high = mid;
  }
  const i = low - 1;
  return i >= 0 && (ends[i] ?? 0) >= address ? i : -1;
}

/** The index of the range holding the IPv6 address in `lanes[0..3]`, or -1. */
export function findIPv6(
  starts: Uint32Array,
  ends: Uint32Array,
  buckets: Uint32Array,
  lanes: Uint32Array,
): number {
  const a0 = lanes[0] ?? 0;
  const a1 = lanes[1] ?? 0;
  const a2 = lanes[2] ?? 0;
  const a3 = lanes[3] ?? 0;
  const h = a0 >>> 16;
  let low = buckets[h] ?? 0;
  let high = buckets[h + 1] ?? 0;
  while (low < high) {
    const mid = (low + high) >>> 1;
    const o = mid * 4;
    const s0 = starts[o] ?? 0;
    let startsAfter: boolean;
    if (s0 !== a0) startsAfter = s0 > a0;
    else {
      const s1 = starts[o + 1] ?? 0;
      if (s1 !== a1) startsAfter = s1 > a1;
      else {
        const s2 = starts[o + 2] ?? 0;
        startsAfter = s2 !== a2 ? s2 > a2 : (starts[o + 3] ?? 0) > a3;
      }
    }
    if (startsAfter) high = mid;
    else low = mid + 1;
  }
  const i = low - 1;
  if (i < 0) return -1;
  const o = i * 4;
  const e0 = ends[o] ?? 0;
  if (e0 !== a0) return e0 > a0 ? i : -1;
  const e1 = ends[o + 1] ?? 0;
  if (e1 !== a1) return e1 > a1 ? i : -1;
  const e2 = ends[o + 2] ?? 0;
  if (e2 !== a2) return e2 > a2 ? i : -1;
  return (ends[o + 3] ?? 0) >= a3 ? i : -1;
}

/**
 * The address space cut into blocks, each with one answer: cut where the AS ranges or the country ranges
 * begin or end, and where a CIDR block of an AS range's minimal decomposition begins or ends. The block
 * holding an address thus names its AS range, its country range and its network at once.
 */
export interface Blocks {
  lanes: Lanes;
  count: number;
  /** Block i runs from `starts[i*lanes ..]` up to the next block's start (the last to the end of the space); block 0 starts at 0. */
  starts: Uint32Array;
  /** 1 + the index of the AS range holding block i, or 0 where none does. */
  asRange: Uint32Array;
  /** 1 + the index of the country range holding block i, or 0 where none does. */
  country: Uint32Array;
  /** Prefix length of the CIDR block of the AS range that holds block i (0 where no AS range does). */
  prefix: Uint8Array;
}

/** Growable block columns. */
class BlockWriter {
  readonly lanes: Lanes;
  count = 0;
  starts: Uint32Array;
  asRange: Uint32Array;
  country: Uint32Array;
  prefix: Uint8Array;

  constructor(lanes: Lanes, capacity: number) {
    this.lanes = lanes;
    this.starts = new Uint32Array(capacity * lanes);
    this.asRange = new Uint32Array(capacity);
    this.country = new Uint32Array(capacity);
    this.prefix = new Uint8Array(capacity);
  }

  push(start: Uint32Array, asRange: number, country: number, prefix: number): void {
    if (this.count === this.asRange.length) {
      const grow = <T extends Uint32Array | Uint8Array>(a: T, make: (n: number) => T): T => {
        const b = make(a.length * 2);
        b.set(a);
        return b;
      };
      this.starts = grow(this.starts, (n) => new Uint32Array(n));
      this.asRange = grow(this.asRange, (n) => new Uint32Array(n));
      this.country = grow(this.country, (n) => new Uint32Array(n));
      this.prefix = grow(this.prefix, (n) => new Uint8Array(n));
    }
    const { lanes, count } = this;
    for (let k = 0; k < lanes; k++) this.starts[count * lanes + k] = start[k] ?? 0;
    this.asRange[count] = asRange;
    this.country[count] = country;
    this.prefix[count] = prefix;
    this.count++;
  }

  finish(): Blocks {
    const { lanes, count } = this;
    return {
      lanes,
      count,
      starts: this.starts.slice(0, count * lanes),
      asRange: this.asRange.slice(0, count),
      country: this.country.slice(0, count),
      prefix: this.prefix.slice(0, count),
    };
  }
}

function copyBound(lanes: Lanes, from: Uint32Array, i: number, to: Uint32Array): void {
  for (let k = 0; k < lanes; k++) to[k] = from[i * lanes + k] ?? 0;
}

/** Adds `delta` (1 or -1) to the bound in `value` in place; false if it wraps around. */
function step(lanes: Lanes, value: Uint32Array, delta: 1 | -1): boolean {
  for (let k = lanes - 1; k >= 0; k--) {
    const old = value[k] ?? 0;
    value[k] = old + delta;
    if (delta === 1 ? old !== 0xffffffff : old !== 0) return true;
  }
  return false;
}

/** The number of trailing zero bits of the bound in `value` (32 * lanes for zero). */
function trailingZeros(lanes: Lanes, value: Uint32Array): number {
  for (let k = lanes - 1; k >= 0; k--) {
    const lane = value[k] ?? 0;
    if (lane !== 0) return 32 * (lanes - 1 - k) + 31 - Math.clz32(lane & -lane);
  }
  return 32 * lanes;
}

/** The position (0 = least significant) of the highest bit in which `a[0..]` and `b[j..]` differ, or -1. */
function highestDifference(lanes: Lanes, a: Uint32Array, b: Uint32Array, j: number): number {
  for (let k = 0; k < lanes; k++) {
    const x = ((a[k] ?? 0) ^ (b[j * lanes + k] ?? 0)) >>> 0;
    if (x !== 0) return 32 * (lanes - 1 - k) + 31 - Math.clz32(x);
  }
  return -1;
}

/** `to` = `from` with its `bits` lowest bits set. */
function setLowBits(lanes: Lanes, from: Uint32Array, bits: number, to: Uint32Array): void {
  for (let k = 0; k < lanes; k++) {
    const low = bits - 32 * (lanes - 1 - k);
    const mask = low <= 0 ? 0 : low >= 32 ? 0xffffffff : 0xffffffff >>> (32 - low);
    to[k] = ((from[k] ?? 0) | mask) >>> 0;
  }
}

/**
 * Cuts the address space by `asn` and `country` (each sorted and non-overlapping) and by the minimal CIDR
 * decomposition of each AS range. The decomposition taken greedily from a range's start, the largest
 * aligned block that fits each time, is the minimal one, so each block lies in the largest CIDR block
 * that holds its addresses and no address outside the range.
 */
export function cutBlocks(asn: Ranges, country: Ranges): Blocks {
  const { lanes } = asn;
  if (lanes === 1) return cutIPv4Blocks(asn, country);
  const bits = 32 * lanes;
  const out = new BlockWriter(lanes, Math.max(16, 2 * (asn.count + country.count)));
  const at = new Uint32Array(lanes);
  const cidrEnd = new Uint32Array(lanes);
  const end = new Uint32Array(lanes);
  const candidate = new Uint32Array(lanes);
  let a = 0;
  let c = 0;
  let cidrPrefix = -1;
  for (;;) {
    while (a < asn.count && compareBound(lanes, asn.ends, a, at, 0) < 0) a++;
    while (c < country.count && compareBound(lanes, country.ends, c, at, 0) < 0) c++;
    const inAsn = a < asn.count && compareBound(lanes, asn.starts, a, at, 0) <= 0;
    const inCountry = c < country.count && compareBound(lanes, country.starts, c, at, 0) <= 0;
    end.fill(0xffffffff);
    if (inAsn) {
      if (cidrPrefix < 0) {
        // A new CIDR block starts here: the largest aligned one that ends within the range.
        const difference = highestDifference(lanes, at, asn.ends, a);
        let size = Math.min(trailingZeros(lanes, at), difference + 1);
        setLowBits(lanes, at, size, cidrEnd);
        if (compareBound(lanes, cidrEnd, 0, asn.ends, a) > 0) setLowBits(lanes, at, --size, cidrEnd);
        cidrPrefix = bits - size;
      }
      end.set(cidrEnd);
    } else if (a < asn.count) {
      copyBound(lanes, asn.starts, a, end);
      step(lanes, end, -1);
    }
    if (inCountry) copyBound(lanes, country.ends, c, candidate);
    else if (c < country.count) {
      copyBound(lanes, country.starts, c, candidate);
      step(lanes, candidate, -1);
    } else candidate.fill(0xffffffff);
    if (compareBound(lanes, candidate, 0, end, 0) < 0) end.set(candidate);
    out.push(at, inAsn ? a + 1 : 0, inCountry ? c + 1 : 0, inAsn ? cidrPrefix : 0);
    if (inAsn && compareBound(lanes, end, 0, cidrEnd, 0) === 0) cidrPrefix = -1;
    at.set(end);
    if (!step(lanes, at, 1)) break;
  }
  return out.finish();
}

/** `cutBlocks` for IPv4, in plain numbers: bounds fit a double, and this runs at every load from CSV. */
function cutIPv4Blocks(asn: Ranges, country: Ranges): Blocks {
  const out = new BlockWriter(1, Math.max(16, 2 * (asn.count + country.count)));
  const start = new Uint32Array(1);
  let at = 0;
  let a = 0;
  let c = 0;
  let cidrEnd = -1;
  let cidrPrefix = 0;
  for (;;) {
    while (a < asn.count && (asn.ends[a] ?? 0) < at) a++;
    while (c < country.count && (country.ends[c] ?? 0) < at) c++;
    const inAsn = a < asn.count && (asn.starts[a] ?? 0) <= at;
    const inCountry = c < country.count && (country.starts[c] ?? 0) <= at;
    let end = 0xffffffff;
    if (inAsn) {
      if (cidrEnd < at) {
        // A new CIDR block starts here: the largest aligned one that ends within the range.
        const rangeEnd = asn.ends[a] ?? 0;
        const alignment = at === 0 ? 32 : 31 - Math.clz32(at & -at);
        let size = Math.min(alignment, 32 - Math.clz32((at ^ rangeEnd) >>> 0));
        if (at + 2 ** size - 1 > rangeEnd) size--;
        cidrEnd = at + 2 ** size - 1;
        cidrPrefix = 32 - size;
      }
      end = cidrEnd;
    } else if (a < asn.count) end = (asn.starts[a] ?? 0) - 1;
    if (inCountry) end = Math.min(end, country.ends[c] ?? 0);
    else if (c < country.count) end = Math.min(end, (country.starts[c] ?? 0) - 1);
    start[0] = at;
    out.push(start, inAsn ? a + 1 : 0, inCountry ? c + 1 : 0, inAsn ? cidrPrefix : 0);
    if (end === 0xffffffff) break;
    at = end + 1;
  }
  return out.finish();
}

/** The index of the block holding the IPv4 `address`; `buckets` from `bucketIndex(blocks)`. */
export function findBlockIPv4(starts: Uint32Array, buckets: Uint32Array, address: number): number {
  const h = address >>> 16;
  let low = buckets[h] ?? 0;
  let high = buckets[h + 1] ?? 0;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if ((starts[mid] ?? 0) <= address) low = mid + 1;
    else high = mid;
  }
  return low - 1;
}

/** The index of the block holding the IPv6 address in `lanes[0..3]`. */
export function findBlockIPv6(starts: Uint32Array, buckets: Uint32Array, lanes: Uint32Array): number {
  const a0 = lanes[0] ?? 0;
  const a1 = lanes[1] ?? 0;
  const a2 = lanes[2] ?? 0;
  const a3 = lanes[3] ?? 0;
  const h = a0 >>> 16;
  let low = buckets[h] ?? 0;
  let high = buckets[h + 1] ?? 0;
  while (low < high) {
    const mid = (low + high) >>> 1;
    const o = mid * 4;
    const s0 = starts[o] ?? 0;
    let startsAfter: boolean;
    if (s0 !== a0) startsAfter = s0 > a0;
    else {
      const s1 = starts[o + 1] ?? 0;
      if (s1 !== a1) startsAfter = s1 > a1;
      else {
        const s2 = starts[o + 2] ?? 0;
        startsAfter = s2 !== a2 ? s2 > a2 : (starts[o + 3] ?? 0) > a3;
      }
    }
    if (startsAfter) high = mid;
    else low = mid + 1;
  }
  return low - 1;
}
