import { AppError } from '../../core/index.ts';
import {
  apiKeyScopes,
  createApiKey,
  listApiKeys,
  revokeApiKey,
  type ApiKeyScope,
} from '../../intake/index.ts';
import type { Command } from '../command.ts';

export const keysCreateCommand: Command = {
  name: 'keys create',
  summary: 'Create an API key for a source; the key is shown once and stored hashed',
  usage:
    '--source NAME [--scope reports:write] [--scope reports:read] [--scope review] [--description TEXT] [--json]',
  description: `Scopes: ${apiKeyScopes.join(', ')} (default: reports:write and reports:read).`,
  options: {
    source: { type: 'string' },
    scope: { type: 'string', multiple: true },
    description: { type: 'string' },
    json: { type: 'boolean' },
  },
  run: async ({ values }, context) => {
    const source = values.source as string | undefined;
    if (source === undefined) throw new AppError('cli.usage', '--source NAME is required');
    const scopes = (values.scope as string[] | undefined) ?? ['reports:write', 'reports:read'];
    for (const scope of scopes) {
      if (!(apiKeyScopes as readonly string[]).includes(scope)) {
        throw new AppError('cli.usage', `--scope ${scope}: expected one of ${apiKeyScopes.join(', ')}`);
      }
    }
    const store = await context.openStore();
    try {
      const created = await createApiKey(store, {
        source,
        scopes: scopes as ApiKeyScope[],
        description: (values.description as string | undefined) ?? '',
      });
      if (values.json === true) {
        context.io.out(JSON.stringify(created));
      } else {
        context.io.out(
          `API key for source ${created.source} (${created.scopes.join(', ')}), id ${created.id}:`,
        );
        context.io.out(created.key);
        context.io.out('It is shown only now: store it safely. Send it as "Authorization: Bearer <key>".');
      }
      return 0;
    } finally {
      await store.close();
    }
  },
};

export const keysListCommand: Command = {
  name: 'keys list',
  summary: 'List API keys (prefix, source, scopes, last use); secrets are never shown',
  usage: '[--json]',
  options: { json: { type: 'boolean' } },
  run: async ({ values }, context) => {
    const store = await context.openStore();
    try {
      const keys = await listApiKeys(store);
      if (values.json === true) {
        context.io.out(JSON.stringify(keys));
      } else {
        for (const key of keys) {
          const state = key.revoked_at ? `revoked ${key.revoked_at.toISOString()}` : 'active';
          const used = key.last_used_at ? key.last_used_at.toISOString() : 'never';
          context.io.out(
            `${key.prefix}  ${key.source}  ${key.scopes.join(',')}  ${state}  last used ${used}  ${key.id}`,
          );
        }
      }
      return 0;
    } finally {
      await store.close();
    }
  },
};

export const keysRevokeCommand: Command = {
  name: 'keys revoke',
  summary: 'Revoke an API key by its id or prefix',
  usage: 'ID|PREFIX',
  options: {},
  positionals: { min: 1, max: 1 },
  run: async ({ positionals }, context) => {
    const store = await context.openStore();
    try {
      const target = positionals[0] ?? '';
      if (!(await revokeApiKey(store, target))) {
        context.io.err(`no active API key with id or prefix ${target}`);
        return 1;
      }
      context.io.out(`revoked ${target}`);
      return 0;
    } finally {
      await store.close();
    }
  },
};
