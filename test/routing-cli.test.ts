import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backend, createPostgresDatabase } from './db.ts';
import { runTocsin } from './process.ts';

/**
 * The routing commands as an operator runs them: the example directory, events of every kind of owner,
 * `tocsin route`, `tocsin directives list` and `tocsin route --explain`, on this run's backend.
 */
const path = (relative: string): string => fileURLToPath(new URL(relative, import.meta.url));
let env: Record<string, string>;
let dropDatabase: (() => Promise<void>) | undefined;

interface Directive {
  eventId: string;
  desk: string;
  channel: string;
  recipient: string;
  onBehalfOf: string | null;
  rule: string;
  interval: string;
}

beforeAll(async () => {
  env = { TOCSIN_DATA_DIR: mkdtempSync(join(tmpdir(), 'tocsin-route-')), LOG_LEVEL: 'silent' };
  if (backend === 'postgres') {
    const database = await createPostgresDatabase();
    env.DATABASE_URL = database.url;
    dropDatabase = database.drop;
  }
  expect((await runTocsin(['directory', 'import', path('../config/directory/example.yaml')], env)).code).toBe(
    0,
  );
  expect(
    (await runTocsin(['ingest', '--source', 'partner-x', path('./fixtures/routing/events.jsonl')], env)).code,
  ).toBe(0);
  // A source with a good record (B): its reports are warned about without review.
  const reliable = [
    'sources',
    'set-reliability',
    'partner-x',
    'B',
    '--by',
    'test',
    '--reason',
    'known partner',
  ];
  expect((await runTocsin(reliable, env)).code).toBe(0);
});

afterAll(async () => {
  await dropDatabase?.();
});

describe(`tocsin route on ${backend}`, () => {
  it('assesses and routes every event once: a second run assesses nothing and creates no directive', async () => {
    const first = await runTocsin(['route', '--json'], env);
    expect(first.code).toBe(0);
    expect(JSON.parse(first.stdout)).toEqual({
      profile: 'nl-three-desks',
      framework: '1.1.0',
      events: 6,
      assessed: 6,
      // The event without an owner is shared (inform), not warned about.
      decisions: { notify: 5, review: 0, inform: 1, reject: 0 },
      layers: { 'end-user': 4, 'national-cert': 1, unresolved: 1 },
      directives: { created: 5, existing: 0 },
    });
    const second = await runTocsin(['route', '--json'], env);
    expect(JSON.parse(second.stdout)).toMatchObject({
      events: 6,
      assessed: 0,
      decisions: { notify: 5, inform: 1 },
      directives: { created: 0, existing: 5 },
    });
  });

  it('lists the directives the Dutch profile makes for each kind of owner', async () => {
    const listed = await runTocsin(['directives', 'list', '--json'], env);
    expect(listed.code).toBe(0);
    const directives = JSON.parse(listed.stdout) as Directive[];
    const summary = directives
      .map(
        (d) =>
          `${d.rule}: ${d.desk} ${d.channel} ${d.recipient}${d.onBehalfOf ? ` for ${d.onBehalfOf}` : ''}`,
      )
      .sort();
    expect(summary).toEqual([
      'abroad: ncsc foreign-cert cert:de',
      'business-via-link: dtc via-link-organisation zorg-cert for ziekenhuis-voorbeeld',
      'compromised-dsp-without-link: csirt-dsp direct cloudhost',
      'vital-and-government-end-user: ncsc direct energienet',
      'vital-and-government-end-user: ncsc direct ministerie-voorbeeld',
    ]);
    expect(directives.find((d) => d.recipient === 'cloudhost')?.interval).toBe('P7D');
  });

  it('explains one event: each layer and rule tried, and the directive', async () => {
    const listed = JSON.parse((await runTocsin(['directives', 'list', '--json'], env)).stdout) as Directive[];
    const viaLink = listed.find((d) => d.recipient === 'zorg-cert');
    if (viaLink === undefined) throw new Error('no directive via zorg-cert');
    const explained = await runTocsin(['route', '--explain', viaLink.eventId], env);
    expect(explained.code).toBe(0);
    expect(explained.stdout).toContain(
      'end user: found address in registered network 203.0.113.128/26 of Ziekenhuis Voorbeeld',
    );
    expect(explained.stdout).toContain('business-via-link: matched');
    expect(explained.stdout).toContain(
      'link-organisations: not matched: constituency is "other-business", the rule wants "link-organisation"',
    );
    expect(explained.stdout).toContain(
      'Directive: dtc via-link-organisation to zorg-cert (end-user for ziekenhuis-voorbeeld)',
    );
  });

  it('explains why an event at home with only a claimed network gets no directive', async () => {
    const exported = await runTocsin(['events', 'export', '--format', 'jsonl'], env);
    const records = exported.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { id: string; event: Record<string, unknown> });
    const claimed = records.find((r) => r.event['source.ip'] === '198.51.100.129');
    if (claimed === undefined) throw new Error('event not stored');
    const explained = await runTocsin(['route', '--explain', claimed.id, '--json'], env);
    const body = JSON.parse(explained.stdout) as { owner: unknown; directives: unknown[]; unrouted: string };
    expect(body.owner).toEqual({
      layer: 'unresolved',
      reason: 'no registered owner and no network holder in NL',
    });
    expect(body.directives).toEqual([]);
    expect(body.unrouted).toBe('owner unresolved: no registered owner and no network holder in NL');
  });

  it('answers an unknown event id with exit 1', async () => {
    const exit = await runTocsin(['route', '--explain', '00000000-0000-8000-8000-000000000000'], env);
    expect(exit.code).toBe(1);
    expect(exit.stderr).toContain('No event 00000000-0000-8000-8000-000000000000');
  });
});
