import { userInfo } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { PGlite } from '@electric-sql/pglite';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import copyStreams from 'pg-copy-streams';
import { AppError } from '../../core/index.ts';
import { binaryCopyParts, encodeCopyRow, type CopyValue } from '../copy/index.ts';
import { lockDataDirectory } from './data-dir-lock.ts';
import { ConnectionGate, createPgliteDialect, pgliteQueryOptions } from './pglite-dialect.ts';
import type { Database } from './schema.ts';

export type Backend = 'pglite' | 'postgres';
export type CopyRows = Iterable<readonly CopyValue[]> | AsyncIterable<readonly CopyValue[]>;

/** One database connection held for the duration of `Store.withSession`. */
export interface SqlSession {
  /** Runs a script of one or more statements without parameters (migrations, `begin`, `commit`). */
  exec(script: string): Promise<void>;
  query<Row>(text: string, params?: readonly unknown[]): Promise<Row[]>;
  /** Bulk insert with `COPY ... FROM STDIN`; returns the number of rows written. */
  copyRows(table: string, columns: readonly string[], rows: CopyRows): Promise<number>;
  /** The same with rows already encoded (`encodeCopyRow`), each ending in a line break. */
  copyText(table: string, columns: readonly string[], text: string | Uint8Array): Promise<number>;
  /** The same with rows in COPY's binary format (`BinaryRowsBuilder`), given without its header and trailer. */
  copyBinary(table: string, columns: readonly string[], rows: Uint8Array): Promise<number>;
}

/** The database as the rest of Tocsin sees it: the same interface on PGlite and on a PostgreSQL server. */
export interface Store {
  readonly backend: Backend;
  readonly db: Kysely<Database>;
  /**
   * Runs `fn` on one connection (session locks, scripts, COPY inside a transaction). On PGlite this holds
   * the only connection: `fn` must not use `store.db` meanwhile.
   */
  withSession<T>(fn: (session: SqlSession) => Promise<T>): Promise<T>;
  /** Bulk insert in one transaction: all rows or none. */
  copyRows(table: string, columns: readonly string[], rows: CopyRows): Promise<number>;
  /** Throws when the database does not answer. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface OpenStoreOptions {
  /** A PostgreSQL server; without it the embedded PGlite in `dataDir` is used. */
  databaseUrl?: string | undefined;
  dataDir: string;
}

/*
 * PGlite's start-up options, with a smaller buffer cache than PostgreSQL's default 128 MB: PGlite keeps it
 * in its WebAssembly memory, which never shrinks, so it was 128 MB of the process's resident memory once a
 * large report had filled it. The data files are read through the operating system, whose page cache still
 * holds them: ingesting 200,000 `scan_http` rows stored as fast with 32 MB (21,000-25,000 rows/s against
 * 23,400-24,200) and the process held about 100 MB less while storing (a median of 630-680 MiB against
 * 760-774).
 */
const pgliteStartParams = [...PGlite.defaultStartParams, '-c', 'shared_buffers=32MB'];

export async function openStore({ databaseUrl, dataDir }: OpenStoreOptions): Promise<Store> {
  if (databaseUrl !== undefined) return openPostgresStore(databaseUrl);
  const directory = join(dataDir, 'pglite');
  const unlock = lockDataDirectory(dataDir);
  try {
    const pglite = await PGlite.create(directory, { startParams: pgliteStartParams });
    return createPgliteStore(pglite, unlock);
  } catch (error) {
    unlock();
    if (error instanceof AppError) throw error;
    throw new AppError(
      'platform.database_unavailable',
      `Could not open the embedded database in ${directory}.`,
      {
        cause: error,
      },
    );
  }
}

export async function openPostgresStore(databaseUrl: string): Promise<Store> {
  const pool = new pg.Pool({ connectionString: withDefaultUser(databaseUrl), max: 10 });
  const store = createPostgresStore(pool);
  try {
    await store.ping();
  } catch (error) {
    await pool.end();
    throw new AppError(
      'platform.database_unavailable',
      `The PostgreSQL server at DATABASE_URL does not answer: ${error instanceof Error ? error.message : String(error)}`,
      {
        cause: error,
      },
    );
  }
  return store;
}

/**
 * A URL without a user name (`postgres://127.0.0.1:5432/tocsin`) connects as the operating-system user, as psql
 * does; node-postgres alone would take the USER variable and fail where it is not set (containers, CI).
 */
export function withDefaultUser(databaseUrl: string): string {
  let url: URL;
  try {
    url = new URL(databaseUrl);
  } catch {
    return databaseUrl;
  }
  if (url.username !== '' || url.host === '') return databaseUrl;
  url.username = encodeURIComponent(userInfo().username);
  return url.toString();
}

export function createPostgresStore(pool: pg.Pool): Store {
  // An idle client that loses its server must not crash the process; the next query reports the outage.
  pool.on('error', () => undefined);
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  const withSession = async <T>(fn: (session: SqlSession) => Promise<T>): Promise<T> => {
    const client = await pool.connect();
    try {
      const result = await fn(postgresSession(client));
      client.release();
      return result;
    } catch (error) {
      // The connection may hold an open transaction or a session lock: discard it rather than reuse it.
      client.release(true);
      throw error;
    }
  };
  return {
    backend: 'postgres',
    db,
    withSession,
    copyRows: (table, columns, rows) =>
      withSession((session) => copyInTransaction(session, table, columns, rows)),
    ping: async () => {
      await sql`select 1`.execute(db);
    },
    close: () => db.destroy(),
  };
}

/** Wraps an open PGlite; `onClose` runs after it is closed (the data directory lock is released there). */
export function createPgliteStore(pglite: PGlite, onClose: () => void = () => undefined): Store {
  const gate = new ConnectionGate();
  const db = new Kysely<Database>({ dialect: createPgliteDialect(pglite, gate) });
  const session = pgliteSession(pglite);
  const withSession = async <T>(fn: (session: SqlSession) => Promise<T>): Promise<T> => {
    const release = await gate.acquire();
    try {
      return await fn(session);
    } catch (error) {
      // Leave no transaction open on the only connection; outside a transaction this is a harmless warning.
      await pglite.exec('rollback').catch(() => undefined);
      throw error;
    } finally {
      release();
    }
  };
  return {
    backend: 'pglite',
    db,
    withSession,
    copyRows: (table, columns, rows) => withSession((s) => copyInTransaction(s, table, columns, rows)),
    ping: async () => {
      await sql`select 1`.execute(db);
    },
    close: async () => {
      await db.destroy();
      const release = await gate.acquire();
      try {
        await pglite.close();
      } finally {
        release();
        onClose();
      }
    },
  };
}

async function copyInTransaction(
  session: SqlSession,
  table: string,
  columns: readonly string[],
  rows: CopyRows,
): Promise<number> {
  await session.exec('begin');
  const count = await session.copyRows(table, columns, rows);
  await session.exec('commit');
  return count;
}

function copyStatement(table: string, columns: readonly string[], source: string): string {
  const target = table.split('.').map(quoteIdentifier).join('.');
  return `copy ${target} (${columns.map(quoteIdentifier).join(', ')}) from ${source}`;
}

function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** COPY text of the rows in chunks of about `chunkBytes`: one write per row would dominate the cost of COPY. */
async function* copyChunks(rows: CopyRows, width: number, chunkBytes: number): AsyncGenerator<string> {
  let line = 0;
  let chunk = '';
  for await (const row of rows) {
    line++;
    if (row.length !== width) {
      throw new AppError(
        'core.invalid_input',
        `COPY row ${line} has ${row.length} values for ${width} columns.`,
      );
    }
    chunk += encodeCopyRow(row);
    if (chunk.length >= chunkBytes) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk !== '') yield chunk;
}

function postgresSession(client: pg.PoolClient): SqlSession {
  return {
    exec: async (script) => {
      // Without parameters node-postgres uses the simple query protocol, which accepts several statements.
      await client.query(script);
    },
    query: async <Row>(text: string, params: readonly unknown[] = []) =>
      (await client.query(text, [...params])).rows as Row[],
    copyRows: async (table, columns, rows) => {
      const stream = client.query(copyStreams.from(copyStatement(table, columns, 'stdin')));
      await pipeline(Readable.from(copyChunks(rows, columns.length, 64 * 1024)), stream);
      return stream.rowCount;
    },
    copyText: async (table, columns, text) => {
      const stream = client.query(copyStreams.from(copyStatement(table, columns, 'stdin')));
      const data =
        typeof text === 'string' ? text : Buffer.from(text.buffer, text.byteOffset, text.byteLength);
      await pipeline(Readable.from([data]), stream);
      return stream.rowCount;
    },
    copyBinary: async (table, columns, rows) => {
      const stream = client.query(
        copyStreams.from(`${copyStatement(table, columns, 'stdin')} (format binary)`),
      );
      const parts = binaryCopyParts(rows).map((part) =>
        Buffer.from(part.buffer, part.byteOffset, part.byteLength),
      );
      await pipeline(Readable.from(parts), stream);
      return stream.rowCount;
    },
  };
}

/** PGlite reads COPY input from a blob; large inputs go in several COPY statements of about this size. */
const pgliteCopyChunkBytes = 8 * 1024 * 1024;

function pgliteSession(pglite: PGlite): SqlSession {
  const copyChunk = async (statement: string, ...parts: (string | Uint8Array)[]): Promise<number> => {
    const result = await pglite.query(statement, [], {
      blob: new Blob(parts as (string | Uint8Array<ArrayBuffer>)[]),
    });
    return result.affectedRows ?? 0;
  };
  return {
    exec: async (script) => {
      await pglite.exec(script);
    },
    query: async <Row>(text: string, params: readonly unknown[] = []) =>
      (await pglite.query<Row>(text, [...params], pgliteQueryOptions)).rows,
    copyRows: async (table, columns, rows) => {
      const statement = copyStatement(table, columns, `'/dev/blob'`);
      let count = 0;
      for await (const chunk of copyChunks(rows, columns.length, pgliteCopyChunkBytes)) {
        count += await copyChunk(statement, chunk);
      }
      return count;
    },
    copyText: (table, columns, text) => copyChunk(copyStatement(table, columns, `'/dev/blob'`), text),
    copyBinary: (table, columns, rows) =>
      copyChunk(`${copyStatement(table, columns, `'/dev/blob'`)} (format binary)`, ...binaryCopyParts(rows)),
  };
}
