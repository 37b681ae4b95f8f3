import type { MiddlewareHandler } from 'hono';
import { AppError } from '../core/index.ts';
import { verifyApiKey, type ApiKeyPrincipal, type ApiKeyScope } from '../intake/index.ts';
import type { Store } from '../platform/db/index.ts';

export interface ApiKeyVariables {
  principal: ApiKeyPrincipal;
}

/**
 * Requires an API key (`Authorization: Bearer <key>` or `X-API-Key: <key>`) that has `scope`:
 * none → 401 `auth.missing_credentials`, unknown or revoked → 401 `auth.invalid_credentials`,
 * without the scope → 403 `auth.forbidden`.
 */
export function requireApiKey(
  store: Store,
  scope: ApiKeyScope,
): MiddlewareHandler<{ Variables: ApiKeyVariables }> {
  return async (c, next) => {
    const header = c.req.header('authorization');
    const presented = header?.match(/^Bearer\s+(\S+)\s*$/i)?.[1] ?? c.req.header('x-api-key');
    if (presented === undefined || presented === '') {
      c.header('WWW-Authenticate', 'Bearer');
      throw new AppError('auth.missing_credentials', 'Send an API key: "Authorization: Bearer <key>".');
    }
    const principal = await verifyApiKey(store, presented);
    if (principal === undefined) {
      c.header('WWW-Authenticate', 'Bearer error="invalid_token"');
      throw new AppError('auth.invalid_credentials');
    }
    if (!principal.scopes.includes(scope)) {
      throw new AppError('auth.forbidden', `This API key lacks the scope ${scope}.`);
    }
    c.set('principal', principal);
    await next();
  };
}

/**
 * Requires an administrator: an API key with the `admin` scope, as a bearer token or as the password of
 * HTTP Basic authentication (so a browser can open the administrators' pages; the user name is ignored).
 */
export function requireAdmin(store: Store): MiddlewareHandler<{ Variables: ApiKeyVariables }> {
  return async (c, next) => {
    const header = c.req.header('authorization') ?? '';
    const basic = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header)?.[1];
    const presented =
      basic === undefined
        ? (/^Bearer\s+(\S+)\s*$/i.exec(header)?.[1] ?? c.req.header('x-api-key'))
        : Buffer.from(basic, 'base64').toString('utf8').split(':').slice(1).join(':');
    if (presented === undefined || presented === '') {
      c.header('WWW-Authenticate', 'Basic realm="Tocsin administration", charset="UTF-8"');
      throw new AppError(
        'auth.missing_credentials',
        'Administrators sign in with an API key of scope admin.',
      );
    }
    const principal = await verifyApiKey(store, presented);
    if (principal === undefined) {
      c.header('WWW-Authenticate', 'Basic realm="Tocsin administration", charset="UTF-8"');
      throw new AppError('auth.invalid_credentials');
    }
    if (!principal.scopes.includes('admin')) {
      throw new AppError('auth.forbidden', 'This API key lacks the scope admin.');
    }
    c.set('principal', principal);
    await next();
  };
}
