import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { sql } from 'kysely';
import { AppError, isUuid } from '../core/index.ts';
import type { Store } from '../platform/db/index.ts';

/** What an API key may do. */
export const apiKeyScopes = ['reports:write', 'reports:read', 'review', 'admin'] as const;
export type ApiKeyScope = (typeof apiKeyScopes)[number];

export interface ApiKeyPrincipal {
  keyId: string;
  source: string;
  scopes: ApiKeyScope[];
}

export interface CreatedApiKey {
  id: string;
  /** The whole key: shown once, never stored. */
  key: string;
  prefix: string;
  source: string;
  scopes: ApiKeyScope[];
}

const sourceNamePattern = /^[a-z0-9][a-z0-9._-]{0,63}$/;

/** Registers a source by name if it is new (defaults: reliability F, TLP AMBER); returns its name. */
export async function ensureSource(store: Store, name: string, description = ''): Promise<string> {
  if (!sourceNamePattern.test(name)) {
    throw new AppError(
      'core.invalid_input',
      `source name ${JSON.stringify(name)}: use 1-64 lower-case letters, digits, dots, dashes or underscores`,
    );
  }
  await store.db
    .insertInto('sources')
    .values({ name, description })
    .onConflict((oc) => oc.column('name').doNothing())
    .execute();
  return name;
}

/**
 * Creates an API key for a source. The key is `tocsin_<prefix>_<secret>`; only a SHA-256 of the secret is
 * stored. A plain hash suffices because the secret is 256 random bits: there is nothing to guess.
 */
export async function createApiKey(
  store: Store,
  { source, scopes, description = '' }: { source: string; scopes: ApiKeyScope[]; description?: string },
): Promise<CreatedApiKey> {
  await ensureSource(store, source);
  const id = randomUUID();
  const prefix = randomBytes(6).toString('hex');
  const secret = randomBytes(32).toString('base64url');
  await store.db
    .insertInto('api_keys')
    .values({ id, source, prefix, secret_hash: hashSecret(secret), scopes, description })
    .execute();
  return { id, key: `tocsin_${prefix}_${secret}`, prefix, source, scopes };
}

const keyPattern = /^tocsin_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$/;

/** The source and scopes of a presented key, or undefined when it is malformed, unknown or revoked. */
export async function verifyApiKey(store: Store, presented: string): Promise<ApiKeyPrincipal | undefined> {
  const match = keyPattern.exec(presented);
  if (!match) return undefined;
  const [, prefix = '', secret = ''] = match;
  const row = await store.db
    .selectFrom('api_keys')
    .select(['id', 'source', 'secret_hash', 'scopes'])
    .where('prefix', '=', prefix)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  if (row === undefined) return undefined;
  const expected = Buffer.from(row.secret_hash, 'hex');
  const actual = Buffer.from(hashSecret(secret), 'hex');
  if (expected.length !== actual.length || !timingSafeEqual(expected, actual)) return undefined;
  await store.db
    .updateTable('api_keys')
    .set({ last_used_at: sql<Date>`now()` })
    .where('id', '=', row.id)
    .execute();
  return { keyId: row.id, source: row.source, scopes: row.scopes as ApiKeyScope[] };
}

export async function listApiKeys(store: Store) {
  return store.db
    .selectFrom('api_keys')
    .select(['id', 'source', 'prefix', 'scopes', 'description', 'created_at', 'last_used_at', 'revoked_at'])
    .orderBy('created_at')
    .execute();
}

/** Revokes a key by id or prefix; true when one was revoked. */
export async function revokeApiKey(store: Store, idOrPrefix: string): Promise<boolean> {
  const column = /^[0-9a-f]{12}$/.test(idOrPrefix) ? 'prefix' : 'id';
  if (column === 'id' && !isUuid(idOrPrefix)) return false;
  const result = await store.db
    .updateTable('api_keys')
    .set({ revoked_at: sql<Date>`now()` })
    .where(column, '=', idOrPrefix)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}
