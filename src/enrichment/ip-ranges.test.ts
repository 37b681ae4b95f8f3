import { describe, expect, it } from 'vitest';
import { bucketIndex, cutBlocks, findBlockIPv4, type Ranges } from './ip-ranges.ts';

function ranges(pairs: [number, number][]): Ranges {
  return {
    lanes: 1,
    count: pairs.length,
    starts: Uint32Array.from(pairs, ([s]) => s),
    ends: Uint32Array.from(pairs, ([, e]) => e),
  };
}

/** The same ranges as IPv6 bounds (the IPv4 values in the last lane), for the 4-lane code path. */
function widen(r: Ranges): Ranges {
  const starts = new Uint32Array(r.count * 4);
  const ends = new Uint32Array(r.count * 4);
  for (let i = 0; i < r.count; i++) {
    starts[i * 4 + 3] = r.starts[i] ?? 0;
    ends[i * 4 + 3] = r.ends[i] ?? 0;
  }
  return { lanes: 4, count: r.count, starts, ends };
}

describe('cutBlocks', () => {
  // AS range 0: 10..20 (CIDR blocks 10/31, 12/30, 16/30, 20/32); AS range 1: 256..511 (one /24).
  // Country range 0: 15..300, cutting the AS block 12/30 and the /24.
  const asn = ranges([
    [10, 20],
    [256, 511],
  ]);
  const country = ranges([[15, 300]]);
  const want = [
    // [start, asRange + 1, country + 1, prefix]
    [0, 0, 0, 0],
    [10, 1, 0, 31],
    [12, 1, 0, 30],
    [15, 1, 1, 30],
    [16, 1, 1, 30],
    [20, 1, 1, 32],
    [21, 0, 1, 0],
    [256, 2, 1, 24],
    [301, 2, 0, 24],
    [512, 0, 0, 0],
  ];

  it('cuts at range edges, country edges and CIDR block edges, with each block’s network prefix', () => {
    const blocks = cutBlocks(asn, country);
    const got = Array.from({ length: blocks.count }, (_, i) => [
      blocks.starts[i],
      blocks.asRange[i],
      blocks.country[i],
      blocks.prefix[i],
    ]);
    expect(got).toEqual(want);
    const buckets = bucketIndex(blocks);
    expect(findBlockIPv4(blocks.starts, buckets, 14)).toBe(2);
    expect(findBlockIPv4(blocks.starts, buckets, 0xffffffff)).toBe(9);
  });

  it('gives the same blocks in the four-lane form used for IPv6', () => {
    const blocks = cutBlocks(widen(asn), widen(country));
    const got = Array.from({ length: blocks.count }, (_, i) => [
      blocks.starts[i * 4 + 3],
      blocks.asRange[i],
      blocks.country[i],
      blocks.prefix[i] === 0 ? 0 : (blocks.prefix[i] ?? 0) - 96,
    ]);
    expect(got).toEqual(want);
  });

  it('covers the whole space with one block when no range is given, and handles a range to the end', () => {
    expect(cutBlocks(ranges([]), ranges([])).count).toBe(1);
    const blocks = cutBlocks(ranges([[0, 0xffffffff]]), ranges([]));
    expect([blocks.count, blocks.prefix[0], blocks.asRange[0]]).toEqual([1, 0, 1]);
  });
});
