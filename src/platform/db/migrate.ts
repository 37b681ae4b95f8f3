import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AppError } from '../../core/index.ts';
import type { Logger } from '../log.ts';
import type { SqlSession, Store } from './store.ts';

export interface Migration {
  version: number;
  name: string;
  sql: string;
  checksum: string;
}

export interface MigrationResult {
  applied: Migration[];
  /** Highest version recorded in the database after the run. */
  version: number;
}

export const migrationsDirectory = fileURLToPath(new URL('../../../migrations/', import.meta.url));

/**
 * Any constant shared by every Tocsin process: the key of the advisory lock that lets one process at a
 * time apply migrations. ('tocsin' as ASCII bytes.)
 */
const migrationLockKey = 0x746f6373696en;

const fileNamePattern = /^(\d{4})_([a-z0-9_]+)\.sql$/;

/** Reads `NNNN_name.sql` files in version order. Files must not contain their own `begin`/`commit`. */
export function readMigrations(directory: string = migrationsDirectory): Migration[] {
  const migrations: Migration[] = [];
  for (const file of readdirSync(directory).sort()) {
    if (!file.endsWith('.sql')) continue;
    const match = fileNamePattern.exec(file);
    if (!match) {
      throw new AppError(
        'platform.migration_failed',
        `${join(directory, file)}: expected a name like 0001_create_events.sql`,
      );
    }
    const version = Number(match[1]);
    if (migrations.some((m) => m.version === version)) {
      throw new AppError(
        'platform.migration_failed',
        `${join(directory, file)}: version ${version} is used twice`,
      );
    }
    const text = readFileSync(join(directory, file), 'utf8');
    migrations.push({
      version,
      name: match[2] ?? file,
      sql: text,
      checksum: createHash('sha256').update(text).digest('hex'),
    });
  }
  return migrations;
}

/**
 * Applies pending migrations, each in its own transaction, recorded in `schema_migrations`. A session-level
 * advisory lock makes processes that start together take turns: the first applies, the others find nothing
 * left to do. A migration edited after it was applied stops the run: fix forward with a new file.
 */
export async function migrate(
  store: Store,
  options: { migrations?: Migration[]; log?: Logger } = {},
): Promise<MigrationResult> {
  const migrations = options.migrations ?? readMigrations();
  const log = options.log;
  return store.withSession(async (session) => {
    await session.query('select pg_advisory_lock($1)', [migrationLockKey.toString()]);
    try {
      await session.exec(`create table if not exists schema_migrations (
        version integer primary key,
        name text not null,
        checksum text not null,
        applied_at timestamptz not null default now()
      )`);
      const recorded = await session.query<{ version: number; checksum: string; name: string }>(
        'select version, name, checksum from schema_migrations order by version',
      );
      checkRecorded(recorded, migrations, log);
      const done = new Set(recorded.map((row) => row.version));
      const applied: Migration[] = [];
      for (const migration of migrations) {
        if (done.has(migration.version)) continue;
        await applyMigration(session, migration);
        log?.info({ version: migration.version, name: migration.name }, 'migration applied');
        applied.push(migration);
      }
      const version = Math.max(0, ...recorded.map((row) => row.version), ...applied.map((m) => m.version));
      return { applied, version };
    } finally {
      await session.query('select pg_advisory_unlock($1)', [migrationLockKey.toString()]);
    }
  });
}

async function applyMigration(session: SqlSession, migration: Migration): Promise<void> {
  await session.exec('begin');
  try {
    await session.exec(migration.sql);
    await session.query('insert into schema_migrations (version, name, checksum) values ($1, $2, $3)', [
      migration.version,
      migration.name,
      migration.checksum,
    ]);
    await session.exec('commit');
  } catch (error) {
    await session.exec('rollback');
    throw new AppError(
      'platform.migration_failed',
      `Migration ${formatVersion(migration)} failed: ${(error as Error).message}`,
      { cause: error, details: { version: migration.version } },
    );
  }
}

function checkRecorded(
  recorded: { version: number; checksum: string; name: string }[],
  migrations: Migration[],
  log: Logger | undefined,
): void {
  const byVersion = new Map(migrations.map((m) => [m.version, m]));
  for (const row of recorded) {
    const file = byVersion.get(row.version);
    if (file === undefined) {
      log?.warn(
        { version: row.version, name: row.name },
        'the database has a migration this code does not know: it was migrated by a newer version of Tocsin',
      );
      continue;
    }
    if (file.checksum !== row.checksum) {
      throw new AppError(
        'platform.migration_changed',
        `Migration ${formatVersion(file)} was changed after it was applied to this database. ` +
          'Restore the file and put the change in a new migration.',
        { details: { version: row.version } },
      );
    }
  }
}

function formatVersion(migration: Migration): string {
  return `${String(migration.version).padStart(4, '0')}_${migration.name}`;
}
