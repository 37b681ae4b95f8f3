export { openStore, openPostgresStore, createPgliteStore, createPostgresStore } from './store.ts';
export type { Store, SqlSession, Backend, CopyRows, OpenStoreOptions } from './store.ts';
export {
  migrate,
  readMigrations,
  migrationsDirectory,
  type Migration,
  type MigrationResult,
} from './migrate.ts';
export type { Database } from './schema.ts';
// The type of a value `copyRows` takes.
export type { CopyValue } from '../copy/index.ts';
