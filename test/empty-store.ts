import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { createPgliteStore, createPostgresStore, type Store } from '../src/platform/db/index.ts';
import { backend, createPostgresDatabase } from './db.ts';

let emptyTemplate: Promise<PGlite> | undefined;

/** A database with no schema at all, on this run's backend, for migration tests. */
export async function createEmptyStore(): Promise<Store> {
  if (backend === 'pglite') {
    // Cloning an instance is several times faster than starting a new one.
    emptyTemplate ??= PGlite.create();
    return createPgliteStore((await (await emptyTemplate).clone()) as PGlite);
  }
  const { url, drop } = await createPostgresDatabase();
  const store = createPostgresStore(new pg.Pool({ connectionString: url, max: 4 }));
  return {
    ...store,
    close: async () => {
      await store.close();
      await drop();
    },
  };
}
