import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backend, createPostgresDatabase } from './db.ts';
import { runTocsin } from './process.ts';

/**
 * The assessment stage as an analyst meets it: events from a source that cannot be judged yet go to
 * review instead of routing; an approval makes the next run route the event; every step explained, stored
 * with its history, and published.
 */
const path = (relative: string): string => fileURLToPath(new URL(relative, import.meta.url));
let env: Record<string, string>;
let dropDatabase: (() => Promise<void>) | undefined;

interface ReviewItem {
  eventId: string;
  reasons: { ruleId: string; text: { nl: string; en: string } }[];
}

beforeAll(async () => {
  env = { TOCSIN_DATA_DIR: mkdtempSync(join(tmpdir(), 'tocsin-assess-')), LOG_LEVEL: 'silent' };
  if (backend === 'postgres') {
    const database = await createPostgresDatabase();
    env.DATABASE_URL = database.url;
    dropDatabase = database.drop;
  }
  const imported = await runTocsin(['directory', 'import', path('../config/directory/example.yaml')], env);
  expect(imported.code).toBe(0);
  // A new source: reliability F (cannot be judged yet), the default.
  const ingested = await runTocsin(
    ['ingest', '--source', 'new-researcher', path('./fixtures/routing/events.jsonl')],
    env,
  );
  expect(ingested.code).toBe(0);
});

afterAll(async () => {
  await dropDatabase?.();
});

// Each step is a process of its own (PGlite starts in each): allow for a loaded machine.
describe(`assessment on ${backend}`, { timeout: 120_000 }, () => {
  it('sends the uncorroborated reports of a source that cannot be judged to review, and routes none', async () => {
    const routed = await runTocsin(['route', '--json'], env);
    expect(routed.code).toBe(0);
    expect(JSON.parse(routed.stdout)).toMatchObject({
      events: 6,
      assessed: 6,
      decisions: { notify: 0, review: 6, inform: 0, reject: 0 },
      directives: { created: 0, existing: 0 },
    });
    const listed = await runTocsin(['review', 'list', '--json'], env);
    const items = JSON.parse(listed.stdout) as ReviewItem[];
    expect(items).toHaveLength(6);
    for (const item of items) {
      expect(item.reasons.map((r) => r.ruleId)).toContain('credibility.unknown-source');
      for (const reason of item.reasons) {
        expect(reason.text.nl.trim()).not.toBe('');
        expect(reason.text.en.trim()).not.toBe('');
      }
    }
  });

  it('routes an approved event on the next run, keeps the history, and refuses an approval without a reason', async () => {
    // The event whose owner is a registered vital organisation, found in the export (owner included).
    const exported = await runTocsin(['events', 'export', '--format', 'jsonl'], env);
    const vital = exported.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { id: string; owner: { owner: string | null } | null })
      .find((r) => r.owner?.owner === 'energienet');
    if (vital === undefined) throw new Error('no event owned by energienet');
    const vitalId = vital.id;
    const noReason = await runTocsin(['review', 'approve', vitalId, '--by', 'alice'], env);
    expect(noReason.code).toBe(2);
    expect(noReason.stderr).toContain('--reason is required');

    const approved = await runTocsin(
      ['review', 'approve', vitalId, '--by', 'alice', '--reason', 'confirmed with our own check'],
      env,
    );
    expect(approved.code).toBe(0);
    expect(approved.stdout).toContain('alice: notify');

    const again = await runTocsin(['review', 'approve', vitalId, '--by', 'bob', '--reason', 'twice'], env);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('is not awaiting review (its decision is notify)');

    const routed = JSON.parse((await runTocsin(['route', '--json'], env)).stdout) as {
      assessed: number;
      decisions: Record<string, number>;
      directives: { created: number };
    };
    expect(routed.assessed).toBe(0);
    expect(routed.decisions).toMatchObject({ notify: 1, review: 5 });
    expect(routed.directives.created).toBeGreaterThanOrEqual(1);

    const history = await runTocsin(['assess', '--explain', vitalId], env);
    expect(history.stdout).toMatch(/framework 1\.1\.0: review/);
    expect(history.stdout).toMatch(
      /alice: notify, .*reason "confirmed with our own check", outcome confirmed \(current\)/,
    );

    const record = JSON.parse(
      (await runTocsin(['sources', 'show', 'new-researcher', '--json'], env)).stdout,
    ) as {
      reliability: string;
      track: { confirmed: number };
      proposal: { reliability: string };
    };
    expect(record).toMatchObject({
      reliability: 'F',
      track: { confirmed: 1 },
      proposal: { reliability: 'F' },
    });
  });

  it('explains in Dutch on request, and the export carries owner, assessment and directives', async () => {
    const items = JSON.parse((await runTocsin(['review', 'list', '--json'], env)).stdout) as ReviewItem[];
    const first = items[0];
    if (first === undefined) throw new Error('nothing in review');
    const dutch = await runTocsin(['assess', '--explain', first.eventId, '--lang', 'nl'], env);
    expect(dutch.code).toBe(0);
    expect(dutch.stdout).toContain('credibility.unknown-source');
    expect(dutch.stdout).toContain('Eén melding van een bron die nog niet te beoordelen is');

    const exported = await runTocsin(['events', 'export', '--format', 'jsonl'], env);
    const records = exported.stdout
      .trim()
      .split('\n')
      .map(
        (line) =>
          JSON.parse(line) as {
            owner: unknown;
            assessment: { decision: string } | null;
            directives: unknown[];
          },
      );
    expect(records).toHaveLength(6);
    expect(records.every((r) => r.owner !== null && r.assessment !== null)).toBe(true);
    expect(records.filter((r) => r.assessment?.decision === 'notify')).toHaveLength(1);
    expect(records.filter((r) => r.directives.length > 0)).toHaveLength(1);
  });

  it('publishes the framework: tocsin framework show, in both languages', async () => {
    const en = await runTocsin(['framework', 'show'], env);
    expect(en.code).toBe(0);
    expect(en.stdout).toContain('1.1.0');
    expect(en.stdout).toContain('completeness.target: No affected system is named');
    const nl = await runTocsin(['framework', 'show', '--lang', 'nl'], env);
    expect(nl.stdout).toContain('completeness.target: Er is geen getroffen systeem genoemd');
  });

  it('refuses to start on a malformed framework file, naming the rule and the field', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tocsin-bad-framework-'));
    const file = join(dir, 'framework.yaml');
    writeFileSync(
      file,
      [
        'version: 1.0.0',
        'title: {nl: Kader, en: Framework}',
        'principle: {nl: Delen, en: Share}',
        'defaults: {credibility: 6, severity: medium, decision: notify, pap: GREEN, reason: {nl: Ja, en: Yes}}',
        'changelog: [{version: 1.0.0, date: 2026-12-01, changes: [first]}]',
        'rules:',
        '  - id: sharing.broken',
        '    title: {nl: Kapot, en: Broken}',
        '    explanation: {nl: Kapot, en: Broken}',
        '    when: {field: personal_data, equals: true}',
        '    then: {decision: share-everything}',
      ].join('\n'),
    );
    const shown = await runTocsin(['framework', 'show', '--framework', file], env);
    expect(shown.code).toBe(2);
    expect(shown.stderr).toContain('rules[0] (sharing.broken)');
    expect(shown.stderr).toContain('decision');
    const served = await runTocsin(['serve'], { ...env, PORT: '0', TOCSIN_ASSESSMENT_FRAMEWORK: file });
    expect(served.code).toBe(2);
    expect(served.stderr).toContain('rules[0] (sharing.broken)');
    expect(served.stderr).not.toMatch(/\n\s+at /);
  });
});
