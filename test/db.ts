import { randomBytes } from 'node:crypto';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { inject } from 'vitest';
import { createPgliteStore, createPostgresStore, migrate, type Store } from '../src/platform/db/index.ts';
import { withDatabase } from './global-setup.ts';

/** The backend this run tests: PostgreSQL when DATABASE_URL is set (CI's second pass), else PGlite. */
export const backend: Store['backend'] = process.env.DATABASE_URL ? 'postgres' : 'pglite';

let pgliteTemplate: Promise<PGlite> | undefined;

/**
 * A fresh, migrated database for one test or one file: a clone of a migrated template, so tests never see
 * each other's rows and need no cleanup. Closing the store drops the database.
 */
export async function createTestStore(): Promise<Store> {
  if (backend === 'pglite') {
    pgliteTemplate ??= (async () => {
      const template = await PGlite.create();
      await migrate(createPgliteStore(template));
      return template;
    })();
    return createPgliteStore((await (await pgliteTemplate).clone()) as PGlite);
  }
  const template = inject('postgresTemplate');
  if (template === undefined) throw new Error('global setup did not create a PostgreSQL template database');
  const { url, drop } = await createPostgresDatabase({ template });
  const store = createPostgresStore(new pg.Pool({ connectionString: url, max: 4 }));
  return {
    ...store,
    close: async () => {
      await store.close();
      await drop();
    },
  };
}

/** An empty (or templated) database on the PostgreSQL server named by DATABASE_URL, with a way to drop it. */
export async function createPostgresDatabase(
  options: { template?: string } = {},
): Promise<{ url: string; name: string; drop: () => Promise<void> }> {
  const adminUrl = process.env.DATABASE_URL;
  if (!adminUrl) throw new Error('DATABASE_URL is not set');
  const prefix = inject('postgresTemplate');
  const name = `${prefix ?? 'tocsin_tpl_adhoc'}_${randomBytes(6).toString('hex')}`;
  await adminQuery(
    adminUrl,
    `create database ${name}${options.template ? ` template ${options.template}` : ''}`,
  );
  return {
    url: withDatabase(adminUrl, name),
    name,
    drop: () => adminQuery(adminUrl, `drop database if exists ${name} with (force)`),
  };
}

async function adminQuery(url: string, statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}
