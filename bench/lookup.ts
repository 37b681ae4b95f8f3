/**
 * IP table benchmark: load time from the CSV files (no cache) and from the cache file, wall clock and CPU
 * (CPU counts all of the process's threads, the garbage collector's too; on a busy machine it is the
 * steadier figure), lookups per second on one core (IPv4 as a number and as text, IPv6 as text), RSS and
 * range counts. The addresses are drawn at random, nine in ten inside a known AS range. The first pass
 * over them also builds the answer of each block met (and warms up the JIT); later passes show the
 * steady state, as their median. A pass over a freshly loaded table, after the JIT is warm, shows the
 * rate while every block is met for the first time.
 */
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
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
const mebibytes = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;

/** Wall-clock and CPU milliseconds of `run`. */
async function timed<T>(run: () => Promise<T>): Promise<{ value: T; text: string }> {
  const cpu = process.cpuUsage();
  const started = performance.now();
  const value = await run();
  const wallMs = performance.now() - started;
  const { user, system } = process.cpuUsage(cpu);
  return { value, text: `${wallMs.toFixed(0)} ms (CPU ${((user + system) / 1000).toFixed(0)} ms)` };
}

export async function runLookupBench(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'tocsin-ip-bench-'));
  try {
    const coldLoad = await timed(() => loadIpTable());
    const cold = coldLoad.value;
    await loadIpTable({ cacheDir: dir });
    const warmLoad = await timed(() => loadIpTable({ cacheDir: dir }));
    const table = warmLoad.value;
    if (table.stats.loadedFrom !== 'cache') throw new Error('the second load did not use the cache');
    const cacheFiles = (await readdir(dir)).filter((f) => f.endsWith('.bin'));
    const cacheBytes = cacheFiles.length === 1 ? (await stat(join(dir, cacheFiles[0] ?? ''))).size : NaN;
    const loadedRss = process.memoryUsage().rss;

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
    const fresh = await loadIpTable({ cacheDir: dir });
    let started = performance.now();
    for (const n of numbers) fresh.lookupIPv4(n);
    const unbuiltRate = ipv4Count / ((performance.now() - started) / 1000);
    started = performance.now();
    for (const n of numbers) fresh.lookupIPv4(n);
    const builtRate = ipv4Count / ((performance.now() - started) / 1000);

    const { ranges } = table.stats;
    const rows: [string, string][] = [
      ['load from CSV (no cache)', coldLoad.text],
      ['load from cache file', warmLoad.text],
      ['cache file size', mebibytes(cacheBytes)],
      [
        'IPv4 lookups, number API',
        `${millions(ipv4Number.steady)} (first pass ${millions(ipv4Number.first)})`,
      ],
      ['IPv4 lookups, text API', `${millions(ipv4Text.steady)} (first pass ${millions(ipv4Text.first)})`],
      ['IPv6 lookups, text API', `${millions(ipv6Text.steady)} (first pass ${millions(ipv6Text.first)})`],
      [
        'IPv4 number API, fresh table',
        `${millions(unbuiltRate)} answers not yet built, then ${millions(builtRate)} (warm JIT)`,
      ],
      ['RSS after the loads', mebibytes(loadedRss)],
      ['peak RSS', mebibytes(process.resourceUsage().maxRSS * 1024)],
      ['IPv4 ranges (AS / country)', `${ranges.ipv4Asn} / ${ranges.ipv4Country}`],
      ['IPv6 ranges (AS / country)', `${ranges.ipv6Asn} / ${ranges.ipv6Country}`],
      ['blocks (IPv4 / IPv6)', `${table.stats.blocks.ipv4} / ${table.stats.blocks.ipv6}`],
      ['AS holder names', String(table.stats.asNames)],
      ['data', table.stats.packages.map((p) => `${p.name}@${p.version}`).join(', ')],
    ];
    const width = Math.max(...rows.map(([label]) => label.length));
    for (const [label, value] of rows) process.stdout.write(`${label.padEnd(width)}  ${value}\n`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
