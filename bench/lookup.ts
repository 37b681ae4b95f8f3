/**
 * IP table benchmark: load time from the CSV files (no cache) and from the cache file, lookups per second
 * on one core (IPv4 as a number and as text, IPv6 as text), peak RSS and range counts. The addresses are
 * drawn at random, nine in ten inside a known AS range. The first pass over them also fills the per-range
 * network text cache; later passes show the steady state. Figures are the median of the later passes.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadIpTable, type IpTable } from '../src/enrichment/index.ts';

const ipv4Count = 1_000_000;
const ipv6Count = 200_000;
const passes = 5;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

/** A seeded generator (mulberry32): the same addresses every run. */
function random32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}

function ipv4Addresses(table: IpTable): Uint32Array {
  const next = random32(1);
  const out = new Uint32Array(ipv4Count);
  for (let i = 0; i < ipv4Count;) {
    const address = next();
    // Keep nine in ten that the table knows, so the figure is about answers, not misses.
    if (table.lookupIPv4(address)?.asn !== undefined || next() % 10 === 0) out[i++] = address;
  }
  return out;
}

function ipv6Addresses(table: IpTable): string[] {
  const next = random32(2);
  const out: string[] = [];
  while (out.length < ipv6Count) {
    // Global unicast (2000::/3), where the allocations are.
    const groups = [0x2000 + (next() % 0x0e00), ...Array.from({ length: 7 }, () => next() & 0xffff)];
    const text = groups.map((g) => g.toString(16)).join(':');
    if (table.lookup(text)?.asn !== undefined || next() % 10 === 0) out.push(text);
  }
  return out;
}

/** Lookups per second over `count` items, per pass. */
function rates(count: number, run: () => number): { first: number; steady: number } {
  const perPass: number[] = [];
  let found = 0;
  for (let pass = 0; pass < passes; pass++) {
    const started = performance.now();
    found += run();
    perPass.push(count / ((performance.now() - started) / 1000));
  }
  if (found === 0) throw new Error('no lookup found anything');
  return { first: perPass[0] ?? Number.NaN, steady: median(perPass.slice(1)) };
}

const millions = (n: number) => `${(n / 1e6).toFixed(2)} M/s`;

export async function runLookupBench(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'tocsin-ip-bench-'));
  try {
    let started = performance.now();
    const cold = await loadIpTable();
    const coldMs = performance.now() - started;
    await loadIpTable({ cacheDir: dir });
    started = performance.now();
    const table = await loadIpTable({ cacheDir: dir });
    const warmMs = performance.now() - started;
    if (table.stats.loadedFrom !== 'cache') throw new Error('the second load did not use the cache');

    const numbers = ipv4Addresses(cold);
    const texts = Array.from(numbers, (n) => `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`);
    const six = ipv6Addresses(cold);

    const ipv4Number = rates(ipv4Count, () => {
      let found = 0;
      for (const n of numbers) if (table.lookupIPv4(n) !== undefined) found++;
      return found;
    });
    const ipv4Text = rates(ipv4Count, () => {
      let found = 0;
      for (const ip of texts) if (table.lookup(ip) !== undefined) found++;
      return found;
    });
    const ipv6Text = rates(ipv6Count, () => {
      let found = 0;
      for (const ip of six) if (table.lookup(ip) !== undefined) found++;
      return found;
    });

    const { ranges } = table.stats;
    const rows: [string, string][] = [
      ['load from CSV (no cache)', `${coldMs.toFixed(0)} ms`],
      ['load from cache file', `${warmMs.toFixed(0)} ms`],
      [
        'IPv4 lookups, number API',
        `${millions(ipv4Number.steady)} (first pass ${millions(ipv4Number.first)})`,
      ],
      ['IPv4 lookups, text API', `${millions(ipv4Text.steady)} (first pass ${millions(ipv4Text.first)})`],
      ['IPv6 lookups, text API', `${millions(ipv6Text.steady)} (first pass ${millions(ipv6Text.first)})`],
      ['peak RSS', `${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`],
      ['IPv4 ranges (AS / country)', `${ranges.ipv4Asn} / ${ranges.ipv4Country}`],
      ['IPv6 ranges (AS / country)', `${ranges.ipv6Asn} / ${ranges.ipv6Country}`],
      ['AS holder names', String(table.stats.asNames)],
      ['data', table.stats.packages.map((p) => `${p.name}@${p.version}`).join(', ')],
    ];
    const width = Math.max(...rows.map(([label]) => label.length));
    for (const [label, value] of rows) process.stdout.write(`${label.padEnd(width)}  ${value}\n`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
