import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { backend } from '../../../test/db.ts';
import { createEmptyStore } from '../../../test/empty-store.ts';
import { AppError } from '../../core/index.ts';
import { migrate, readMigrations, type Migration, type Store } from './index.ts';

function migration(version: number, name: string, sql: string): Migration {
  return { version, name, sql, checksum: `${version}:${sql}` };
}

async function recorded(store: Store): Promise<{ version: number; name: string }[]> {
  return store.db.selectFrom('schema_migrations').select(['version', 'name']).orderBy('version').execute();
}

let store: Store;

beforeEach(async () => {
  store = await createEmptyStore();
});

afterEach(async () => {
  await store.close();
});

describe(`migrate on ${backend}`, () => {
  it('applies the shipped migrations once; a second run applies nothing', async () => {
    const shipped = readMigrations();
    expect(shipped.length).toBeGreaterThan(0);
    const first = await migrate(store);
    expect(first.applied.map((m) => m.version)).toEqual(shipped.map((m) => m.version));
    const second = await migrate(store);
    expect(second.applied).toEqual([]);
    expect(second.version).toBe(first.version);
    expect(await recorded(store)).toEqual(shipped.map(({ version, name }) => ({ version, name })));
  });

  it('records each migration once when several runs start together', async () => {
    const migrations = [
      migration(1, 'one', 'create table one (id int)'),
      migration(2, 'two', 'create table two (id int)'),
    ];
    const results = await Promise.all([1, 2, 3].map(() => migrate(store, { migrations })));
    expect(results.flatMap((r) => r.applied.map((m) => m.version)).sort()).toEqual([1, 2]);
    expect(await recorded(store)).toEqual([
      { version: 1, name: 'one' },
      { version: 2, name: 'two' },
    ]);
  });

  it('keeps earlier migrations and records nothing of one that fails', async () => {
    const good = migration(1, 'good', 'create table good (id int)');
    const bad = migration(2, 'bad', 'create table half (id int); select * from no_such_table');
    const error = await migrate(store, { migrations: [good, bad] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('platform.migration_failed');
    expect((error as AppError).message).toContain('0002_bad');
    expect(await recorded(store)).toEqual([{ version: 1, name: 'good' }]);
    const half = await store.withSession((s) =>
      s.query("select 1 from information_schema.tables where table_name = 'half'"),
    );
    expect(half).toEqual([]);
  });

  it('refuses to go on when an applied migration was edited', async () => {
    await migrate(store, { migrations: [migration(1, 'one', 'create table one (id int)')] });
    const edited = migration(1, 'one', 'create table one (id bigint)');
    await expect(migrate(store, { migrations: [edited] })).rejects.toMatchObject({
      code: 'platform.migration_changed',
    });
  });

  it('releases its lock, so a later run in the same session is not blocked', async () => {
    await migrate(store, { migrations: [] });
    const locks = await store.withSession((s) =>
      s.query("select 1 from pg_locks where locktype = 'advisory' and granted"),
    );
    expect(locks).toEqual([]);
  });
});

describe('readMigrations', () => {
  it('rejects badly named files and duplicate versions', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tocsin-migrations-'));
    writeFileSync(join(dir, 'create_things.sql'), 'select 1');
    expect(() => readMigrations(dir)).toThrow('expected a name like 0001_create_events.sql');
    const dup = mkdtempSync(join(tmpdir(), 'tocsin-migrations-'));
    writeFileSync(join(dup, '0001_a.sql'), 'select 1');
    writeFileSync(join(dup, '0001_b.sql'), 'select 2');
    expect(() => readMigrations(dup)).toThrow('version 1 is used twice');
  });

  it('orders by version and fingerprints the content', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tocsin-migrations-'));
    writeFileSync(join(dir, '0002_second.sql'), 'select 2');
    writeFileSync(join(dir, '0001_first.sql'), 'select 1');
    writeFileSync(join(dir, 'README.md'), 'not a migration');
    const read = readMigrations(dir);
    expect(read.map((m) => m.name)).toEqual(['first', 'second']);
    expect(read[0]?.checksum).toMatch(/^[0-9a-f]{64}$/);
  });
});
