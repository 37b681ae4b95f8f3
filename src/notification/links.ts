/**
 * Signed links in a warning: acknowledge, resolved, dispute. A token names the ticket, the action, the
 * mailbox it was sent to and an expiry, and carries an HMAC-SHA256 of those under the instance secret, so
 * it needs no account and no database row to check, cannot be altered without detection, and stops working
 * when it expires. Tokens are compared in constant time.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const linkActions = ['acknowledge', 'resolved', 'dispute'] as const;
export type LinkAction = (typeof linkActions)[number];

export interface LinkClaims {
  ticket: string;
  action: LinkAction;
  /** The mailbox the link was sent to. */
  contact: string;
  /** Expiry, seconds since the epoch. */
  expires: number;
}

const version = 'v1';

function mac(secret: string, payload: string): Buffer {
  return createHmac('sha256', secret).update(`tocsin-link.${version}.${payload}`).digest();
}

export function signLink(secret: string, claims: LinkClaims): string {
  const payload = Buffer.from(
    JSON.stringify([claims.ticket, claims.action, claims.contact, claims.expires]),
  ).toString('base64url');
  return `${payload}.${mac(secret, payload).toString('base64url')}`;
}

export type LinkCheck =
  | { ok: true; claims: LinkClaims }
  | { ok: false; reason: 'malformed' | 'tampered' | 'expired'; claims?: LinkClaims };

/** Checks a token: its signature first (a tampered token says nothing else), then its expiry. */
export function verifyLink(secret: string, token: string, now = new Date()): LinkCheck {
  const parts = token.split('.');
  if (parts.length !== 2 || !/^[A-Za-z0-9_-]{1,2048}$/.test(parts[0] ?? ''))
    return { ok: false, reason: 'malformed' };
  const [payload = '', signature = ''] = parts;
  const expected = mac(secret, payload);
  const given = Buffer.from(signature, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    return { ok: false, reason: 'tampered' };
  let claims: LinkClaims;
  try {
    const [ticket, action, contact, expires] = JSON.parse(
      Buffer.from(payload, 'base64url').toString('utf8'),
    ) as unknown[];
    if (
      typeof ticket !== 'string' ||
      typeof contact !== 'string' ||
      typeof expires !== 'number' ||
      !(linkActions as readonly unknown[]).includes(action)
    ) {
      return { ok: false, reason: 'malformed' };
    }
    claims = { ticket, action: action as LinkAction, contact, expires };
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  if (claims.expires * 1000 <= now.getTime()) return { ok: false, reason: 'expired', claims };
  return { ok: true, claims };
}

/** The three links of a warning, under `baseUrl` (the instance's public URL). */
export function ticketLinks(
  secret: string,
  baseUrl: string,
  ticket: string,
  contact: string,
  expiresAt: Date,
): Record<LinkAction, string> {
  const expires = Math.floor(expiresAt.getTime() / 1000);
  const link = (action: LinkAction) =>
    `${baseUrl}/t/${signLink(secret, { ticket, action, contact, expires })}`;
  return { acknowledge: link('acknowledge'), resolved: link('resolved'), dispute: link('dispute') };
}
