import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMemoryLogger } from '../../../test/app.ts';
import { backend, createTestStore } from '../../../test/db.ts';
import { createContext } from '../../main.ts';
import { defaultMailLimits, processMail, type ReportSink } from '../../mail-intake/index.ts';
import type { Store } from '../../platform/db/index.ts';
import { runCli } from '../index.ts';

let store: Store;
const held: string[] = [];

const unusedSink: ReportSink = {
  submit: () => Promise.reject(new Error('nothing is ingested while quarantining')),
};

beforeAll(async () => {
  store = await createTestStore();
  const deps = {
    store,
    sink: unusedSink,
    senders: { entries: [] },
    limits: defaultMailLimits,
    workDir: tmpdir(),
    log: createMemoryLogger().log,
  };
  for (const [from, text] of [
    ['carol@newcert.example', 'The webmail at 192.0.2.150 leaks session tokens.'],
    ['spam@unknown.example', 'You have won.'],
  ] as const) {
    const raw = Buffer.from(
      `Return-Path: <${from}>\r\nFrom: ${from}\r\nTo: reports@tocsin.example\r\nSubject: report\r\n\r\n${text}\r\n`,
    );
    const outcome = await processMail(deps, { raw, channel: 'imap' });
    held.push(outcome.id);
  }
}, 60_000);

afterAll(async () => {
  await store.close();
});

function cli() {
  const out: string[] = [];
  const err: string[] = [];
  const cwd = mkdtempSync(join(tmpdir(), 'tocsin-quarantine-'));
  const base = createContext({ LOG_LEVEL: 'silent' }, cwd, {
    out: (text) => out.push(text),
    err: (text) => err.push(text),
  });
  // The command closes the store it is given; the test's store stays open for the next command.
  const context = { ...base, openStore: () => Promise.resolve({ ...store, close: () => Promise.resolve() }) };
  return { run: (args: string[]) => runCli(args, context), out, err };
}

describe(`tocsin quarantine on ${backend}`, () => {
  it('lists and shows quarantined mail with the reason, the checks and the text', async () => {
    const list = cli();
    expect(await list.run(['quarantine', 'list'])).toBe(0);
    const text = list.out.join('\n');
    for (const id of held) expect(text).toContain(id);
    expect(text).toContain('sender carol@newcert.example is not on the allow-list');
    const show = cli();
    expect(await show.run(['quarantine', 'show', held[0] ?? ''])).toBe(0);
    expect(show.out.join('\n')).toContain('leaks session tokens');
    expect(show.out.join('\n')).toContain('"allow_listed":false');
  });

  it('release ingests the mail as the named source; discard needs a reason; both refuse a decided mail', async () => {
    const release = cli();
    expect(await release.run(['quarantine', 'release', held[0] ?? '', '--source', 'new-cert'])).toBe(2);
    expect(release.err.join('\n')).toContain('--by is required');
    expect(
      await release.run([
        'quarantine',
        'release',
        held[0] ?? '',
        '--source',
        'new-cert',
        '--by',
        'analyst-a',
      ]),
    ).toBe(0);
    expect(release.out.join('\n')).toMatch(/report .* \(mail\.jsonl\): processed, 1 accepted/);
    const again = cli();
    expect(
      await again.run(['quarantine', 'release', held[0] ?? '', '--source', 'new-cert', '--by', 'analyst-a']),
    ).toBe(1);
    expect(again.err.join('\n')).toContain('is released, not in quarantine');

    const discard = cli();
    expect(await discard.run(['quarantine', 'discard', held[1] ?? '', '--by', 'analyst-b'])).toBe(2);
    expect(
      await discard.run(['quarantine', 'discard', held[1] ?? '', '--by', 'analyst-b', '--reason', 'spam']),
    ).toBe(0);
    const list = cli();
    expect(await list.run(['quarantine', 'list', '--status', 'all', '--json'])).toBe(0);
    const mails = JSON.parse(list.out.join('')) as { id: string; status: string; decided_by: string }[];
    expect(mails.map((m) => [m.status, m.decided_by])).toEqual([
      ['released', 'analyst-a'],
      ['discarded', 'analyst-b'],
    ]);
    const audit = await store.db
      .selectFrom('audit_log')
      .select(['actor', 'action'])
      .where('action', 'like', 'mail.%')
      .orderBy('id')
      .execute();
    expect(audit).toEqual([
      { actor: 'mail-intake', action: 'mail.quarantine' },
      { actor: 'mail-intake', action: 'mail.quarantine' },
      { actor: 'analyst-a', action: 'mail.release' },
      { actor: 'analyst-b', action: 'mail.discard' },
    ]);
  }, 120_000);
});
