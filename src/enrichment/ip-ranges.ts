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
export function bucketIndex(ranges: Ranges): Uint32Array {
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
