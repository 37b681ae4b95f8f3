import type { TestProject } from 'vitest/node';
import pg from 'pg';
import { createPostgresStore, migrate } from '../src/platform/db/index.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A migrated PostgreSQL database that each test file clones (`CREATE DATABASE ... TEMPLATE`). */
    postgresTemplate: string | undefined;
  }
}

/**
 * With DATABASE_URL set, the suite runs on that PostgreSQL server: one migrated template database per run,
 * one clone per test file (test/db.ts), all dropped afterwards. Without it, everything runs on PGlite.
 */
export async function setup(project: TestProject): Promise<() => Promise<void>> {
  const adminUrl = process.env.DATABASE_URL;
  if (!adminUrl) {
    project.provide('postgresTemplate', undefined);
    return async () => undefined;
  }
  const template = `tocsin_tpl_${process.pid}_${Date.now().toString(36)}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`create database ${template}`);
  const pool = new pg.Pool({ connectionString: withDatabase(adminUrl, template), max: 2 });
  const store = createPostgresStore(pool);
  await migrate(store);
  await store.close();
  // A closed connection's server process lingers for a moment; CREATE DATABASE ... TEMPLATE needs it gone.
  while ((await admin.query('select 1 from pg_stat_activity where datname = $1', [template])).rowCount) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  project.provide('postgresTemplate', template);
  return async () => {
    const { rows } = await admin.query<{ datname: string }>(
      `select datname from pg_database where datname like $1`,
      [`${template}\\_%`],
    );
    for (const { datname } of rows) await admin.query(`drop database if exists ${datname} with (force)`);
    await admin.query(`drop database if exists ${template} with (force)`);
    await admin.end();
  };
}

export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}
