/**
 * Routing benchmark (issue goals: ≥ 5,000,000 IP lookups/s; ≥ 200,000 events/s resolved and routed): owner
 * resolution and routing of BENCH_EVENTS events (default 1,000,000) against a generated directory of 10,000
 * organisations and 50,000 netobjects, with the nl-three-desks profile. IP lookups are `npm run bench --
 * lookup`. Deterministic: the same seed gives the same directory and events.
 */
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import type { Event } from '../src/core/index.ts';
import {
  constituencies,
  parseRoutingProfile,
  routeEvent,
  type OrganisationFacts,
} from '../src/routing/index.ts';
import { OwnerIndex, type NetobjectRecord } from '../src/routing/owner.ts';
import { assess, loadFramework } from '../src/assessment/index.ts';
import { assessmentInput } from '../src/pipeline/index.ts';

function random32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    // mulberry32
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}

const ipv4 = (n: number): string => `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;

interface Generated {
  organisations: OrganisationFacts[];
  netobjects: NetobjectRecord[];
  networks: number[];
}

function generateDirectory(next: () => number): Generated {
  const organisations: OrganisationFacts[] = [];
  const netobjects: NetobjectRecord[] = [];
  const networks: number[] = [];
  const owned = constituencies.filter((c) => c !== 'foreign-cert');
  for (let i = 0; i < 10_000; i++) {
    const constituency = owned[next() % owned.length] ?? 'other-business';
    organisations.push({
      id: `org-${i}`,
      name: `Organisation ${i}`,
      constituency,
      nis2Class: (['essential', 'important', 'none'] as const)[next() % 3] ?? 'none',
      linkOrganisations: next() % 3 === 0 ? [`org-${next() % 100}`] : [],
    });
  }
  // 50,000 netobjects: 30,000 IPv4 CIDRs (/16 to /28, some nested), 5,000 IPv6, 10,000 domains, 5,000 ASNs.
  for (let i = 0; i < 50_000; i++) {
    const organisationId = `org-${next() % 10_000}`;
    const base = { organisationId, status: 'approved' as const, source: 'manual' };
    if (i < 30_000) {
      const length = 16 + (next() % 13);
      const network = (next() & (0xffffffff << (32 - length))) >>> 0;
      networks.push(network);
      netobjects.push({ ...base, kind: 'cidr', value: `${ipv4(network)}/${length}` });
    } else if (i < 35_000) {
      netobjects.push({ ...base, kind: 'cidr', value: `2001:db8:${(next() & 0xffff).toString(16)}::/48` });
    } else if (i < 45_000) {
      netobjects.push({ ...base, kind: 'domain', value: `domain-${i}.example` });
    } else {
      netobjects.push({ ...base, kind: 'asn', value: `AS${64_512 + (i - 45_000)}` });
    }
  }
  return { organisations, netobjects, networks };
}

function generateEvents(next: () => number, networks: number[], count: number): Event[] {
  const events: Event[] = [];
  for (let i = 0; i < count; i++) {
    const pick = next() % 10;
    const event: Event = {
      'classification.taxonomy': pick < 8 ? 'vulnerable' : 'intrusions',
      'classification.type': pick < 8 ? 'vulnerable-system' : 'system-compromise',
      'feed.name': 'Accessible-RDP',
      'time.source': '2026-11-22T08:00:00+00:00',
    };
    if (pick < 6)
      event['source.ip'] = ipv4(((networks[next() % networks.length] ?? 0) + (next() % 16)) >>> 0);
    else if (pick < 7) event['source.fqdn'] = `www.domain-${35_000 + (next() % 10_000)}.example`;
    else event['source.ip'] = ipv4(next());
    event['source.asn'] = 64_512 + (next() % 10_000);
    event['source.geolocation.cc'] = ['NL', 'NL', 'NL', 'DE', 'BE', 'FR'][next() % 6] ?? 'NL';
    events.push(event);
  }
  return events;
}

export async function runRouteBench(): Promise<void> {
  const count = Number(process.env.BENCH_EVENTS ?? 1_000_000);
  const next = random32(7);
  const { organisations, netobjects, networks } = generateDirectory(next);
  const events = generateEvents(next, networks, count);
  const profile = parseRoutingProfile(
    readFileSync(new URL('../config/routing/nl-three-desks.yaml', import.meta.url), 'utf8'),
    'nl-three-desks.yaml',
  );
  let started = performance.now();
  const index = new OwnerIndex({
    organisations,
    netobjects,
    nationalCerts: new Map([
      ['DE', { id: 'cert-bund', name: 'CERT-Bund' }],
      ['BE', { id: 'ccb', name: 'CCB' }],
    ]),
    homeCountry: 'NL',
  });
  const buildMs = performance.now() - started;
  const layers = new Map<string, number>();
  let directives = 0;
  for (let pass = 0; pass < 2; pass++) {
    started = performance.now();
    layers.clear();
    directives = 0;
    for (let i = 0; i < events.length; i++) {
      const event = events[i] as Event;
      const { resolution } = index.resolve(event);
      const result = routeEvent(profile, { eventId: String(i), event, resolution });
      directives += result.directives.length;
      layers.set(resolution.layer, (layers.get(resolution.layer) ?? 0) + 1);
    }
    const seconds = (performance.now() - started) / 1000;
    process.stdout.write(
      `${pass === 0 ? 'first pass ' : 'second pass'}  ${Math.round(count / seconds).toLocaleString('en-US')} events/s resolved and routed (${seconds.toFixed(2)} s)\n`,
    );
  }
  // The pipeline's work in memory: resolution, assessment by the shipped framework, routing of what it
  // sends to notify (no database).
  const framework = await loadFramework(
    new URL('../config/assessment/framework.yaml', import.meta.url).pathname,
  );
  const source = { name: 'bench', reliability: 'B', tlp: 'AMBER' };
  const decisions = new Map<string, number>();
  for (let pass = 0; pass < 2; pass++) {
    started = performance.now();
    decisions.clear();
    for (let i = 0; i < events.length; i++) {
      const event = events[i] as Event;
      const { resolution } = index.resolve(event);
      const eventId = String(i);
      const judged = assess(
        framework,
        assessmentInput({ eventId, event, source, independentSources: 0 }, resolution),
      );
      decisions.set(judged.decision, (decisions.get(judged.decision) ?? 0) + 1);
      if (judged.decision === 'notify') routeEvent(profile, { eventId, event, resolution });
    }
    const seconds = (performance.now() - started) / 1000;
    process.stdout.write(
      `${pass === 0 ? 'first pass ' : 'second pass'}  ${Math.round(count / seconds).toLocaleString('en-US')} events/s resolved, assessed (framework ${framework.version}) and routed (${seconds.toFixed(2)} s)\n`,
    );
  }
  process.stdout.write(
    `decisions: ${[...decisions].map(([d, n]) => `${d} ${n.toLocaleString('en-US')}`).join(', ')}\n`,
  );
  process.stdout.write(
    `node ${process.version}, ${cpus().length} cores; directory of ${organisations.length.toLocaleString('en-US')} organisations and ` +
      `${netobjects.length.toLocaleString('en-US')} netobjects, index built in ${buildMs.toFixed(0)} ms; ` +
      `${count.toLocaleString('en-US')} events -> ${directives.toLocaleString('en-US')} directives; layers: ` +
      `${[...layers].map(([layer, n]) => `${layer} ${n.toLocaleString('en-US')}`).join(', ')}; ` +
      `peak RSS ${Math.round(process.resourceUsage().maxRSS / 1024)} MiB\n`,
  );
}
