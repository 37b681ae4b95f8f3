import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backend, createTestStore } from '../../../test/db.ts';
import type { Store } from './index.ts';
import { openStore, withDefaultUser } from './store.ts';

let store: Store;

beforeAll(async () => {
  store = await createTestStore();
  await store.withSession((session) =>
    session.exec(`create table copy_target (
      id integer primary key,
      label text,
      amount numeric,
      big bigint,
      flag boolean,
      seen timestamptz,
      payload jsonb,
      bytes bytea
    )`),
  );
});

afterAll(async () => {
  await store.close();
});

describe(`store on ${backend}`, () => {
  it('answers a ping and runs Kysely queries', async () => {
    expect(store.backend).toBe(backend);
    await store.ping();
    const { rows } = await sql<{ answer: number }>`select 40 + 2 as answer`.execute(store.db);
    expect(rows).toEqual([{ answer: 42 }]);
  });

  it('commits a transaction and rolls one back on error', async () => {
    await store.db.transaction().execute(async (trx) => {
      await trx.insertInto('audit_log').values({ actor: 'test', action: 'committed' }).execute();
    });
    await expect(
      store.db.transaction().execute(async (trx) => {
        await trx.insertInto('audit_log').values({ actor: 'test', action: 'rolled-back' }).execute();
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    const actions = await store.db
      .selectFrom('audit_log')
      .select('action')
      .where('actor', '=', 'test')
      .execute();
    expect(actions.map((row) => row.action)).toEqual(['committed']);
  });

  it('writes and reads bytea parameters byte for byte, through sessions and Kysely', async () => {
    const every = Buffer.from(Array.from({ length: 512 }, (_, i) => (i * 37) & 255));
    // A view into a larger buffer, as a worker thread hands chunks over: only the viewed bytes count.
    const larger = new Uint8Array(515);
    larger.set(every, 2);
    const view = larger.subarray(2, 514);
    await store.withSession((session) =>
      session.query('insert into copy_target (id, bytes) values ($1, $2), ($3, $4)', [
        900,
        every,
        901,
        Buffer.from(view.buffer, view.byteOffset, view.byteLength),
      ]),
    );
    const read = await store.withSession((session) =>
      session.query<{ bytes: Uint8Array }>(
        'select bytes from copy_target where id in (900, 901) order by id',
      ),
    );
    expect(read.map((row) => Buffer.from(row.bytes).equals(every))).toEqual([true, true]);
    const viaKysely = await sql<{ bytes: Uint8Array }>`select ${every}::bytea as bytes`.execute(store.db);
    expect(Buffer.from(viaKysely.rows[0]?.bytes ?? []).equals(every)).toBe(true);
  });

  it('copies awkward values through COPY unchanged', async () => {
    const rows = [
      [
        1,
        'comma, "quote" and\nnewline',
        '12.50',
        9007199254740993n,
        true,
        new Date('2026-03-01T12:00:00Z'),
        { k: ['v'] },
        new Uint8Array([0, 1, 254]),
      ],
      [2, '', null, null, false, null, null, null],
      [3, 'ünïcødé ✓ 漢字', '-1', -1n, null, new Date(0), [], new Uint8Array()],
    ] as const;
    const count = await store.copyRows(
      'copy_target',
      ['id', 'label', 'amount', 'big', 'flag', 'seen', 'payload', 'bytes'],
      rows,
    );
    expect(count).toBe(3);
    const read = await store.withSession((session) =>
      session.query<Record<string, unknown>>(
        `select id, label, amount::text as amount, big::text as big, flag, seen, payload, encode(bytes, 'hex') as bytes
         from copy_target where id <= 3 order by id`,
      ),
    );
    expect(read).toEqual([
      {
        id: 1,
        label: 'comma, "quote" and\nnewline',
        amount: '12.50',
        big: '9007199254740993',
        flag: true,
        seen: new Date('2026-03-01T12:00:00Z'),
        payload: { k: ['v'] },
        bytes: '0001fe',
      },
      { id: 2, label: '', amount: null, big: null, flag: false, seen: null, payload: null, bytes: null },
      {
        id: 3,
        label: 'ünïcødé ✓ 漢字',
        amount: '-1',
        big: '-1',
        flag: null,
        seen: new Date(0),
        payload: [],
        bytes: '',
      },
    ]);
  });

  it('streams a large asynchronous input in one transaction', async () => {
    const total = 60_000;
    async function* generate() {
      for (let id = 1000; id < 1000 + total; id++) yield [id, `row ${id} ${'x'.repeat(150)}`] as const;
    }
    expect(await store.copyRows('copy_target', ['id', 'label'], generate())).toBe(total);
    const counted = await store.withSession((s) =>
      s.query<{ n: number }>('select count(*)::int as n from copy_target where id >= 1000'),
    );
    expect(counted).toEqual([{ n: total }]);
  });

  it('writes nothing when a COPY fails part-way', async () => {
    const rows = [
      [500, 'fine'],
      [501, 'fine too'],
      [502, 'too', 'many'],
    ];
    await expect(store.copyRows('copy_target', ['id', 'label'], rows)).rejects.toThrow(
      'COPY row 3 has 3 values',
    );
    await expect(
      store.copyRows(
        'copy_target',
        ['id', 'label'],
        [
          [600, 'a'],
          [600, 'duplicate key'],
        ],
      ),
    ).rejects.toThrow();
    const found = await store.withSession((s) =>
      s.query('select id from copy_target where id between 500 and 600'),
    );
    expect(found).toEqual([]);
    // The connection is usable afterwards: no transaction was left open.
    await store.ping();
    expect(await store.copyRows('copy_target', ['id', 'label'], [[700, 'after']])).toBe(1);
  });
});

describe('withDefaultUser', () => {
  const me = encodeURIComponent(userInfo().username);
  it.each([
    ['postgres://127.0.0.1:5432/tocsin', `postgres://${me}@127.0.0.1:5432/tocsin`],
    ['postgres://:secret@db.example:5432/tocsin', `postgres://${me}:secret@db.example:5432/tocsin`],
    ['postgres://alice@127.0.0.1/tocsin', 'postgres://alice@127.0.0.1/tocsin'],
    [
      'postgres://alice:pw@127.0.0.1/tocsin?sslmode=require',
      'postgres://alice:pw@127.0.0.1/tocsin?sslmode=require',
    ],
  ])('%s -> %s', (url, expected) => {
    expect(withDefaultUser(url)).toBe(expected);
  });
});

describe('the embedded database in a data directory', () => {
  it('opens with the smaller buffer cache and keeps what was written', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tocsin-store-'));
    try {
      const first = await openStore({ dataDir });
      const [row] = await first.withSession((session) =>
        session.query<{ shared_buffers: string }>('show shared_buffers'),
      );
      expect(row?.shared_buffers).toBe('32MB');
      await first.withSession((session) =>
        session.exec('create table kept (n int); insert into kept values (7)'),
      );
      await first.close();
      const again = await openStore({ dataDir });
      const kept = await again.withSession((session) => session.query<{ n: number }>('select n from kept'));
      expect(kept).toEqual([{ n: 7 }]);
      await again.close();
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
