export { openStore, openPostgresStore, createPgliteStore, createPostgresStore } from './store.ts';
export type { Store, SqlSession, Backend, CopyRows, OpenStoreOptions } from './store.ts';
export {
  migrate,
  readMigrations,
  migrationsDirectory,
  type Migration,
  type MigrationResult,
} from './migrate.ts';
export { encodeCopyRow, encodeCopyText, type CopyValue } from './copy-text.ts';
export { BufferPool, ByteBuilder, CopyRowsBuilder, pickCopyRows, type CopyRowBytes } from './copy-buffer.ts';
export type { Database } from './schema.ts';
