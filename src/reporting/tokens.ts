import { createHash, createHmac, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';

/** 29 letters and digits without the look-alikes 0/O, 1/I/L and 5/S, so an id read aloud is not misheard. */
const trackingAlphabet = '2346789ABCDEFGHJKMNPQRTUVWXYZ';

/** A tracking id `R-YYYYMMDD-XXXXXX` (the UTC day of receipt); the store's unique index catches a clash. */
export function createTrackingId(now: Date): string {
  const day = now.toISOString().slice(0, 10).replace(/-/g, '');
  let suffix = '';
  for (let i = 0; i < 6; i++) suffix += trackingAlphabet.charAt(randomInt(trackingAlphabet.length));
  return `R-${day}-${suffix}`;
}

/**
 * The secret of a status link: 256 random bits, shown once (receipt page and acknowledgement mail). Only its
 * SHA-256 is stored; a plain hash suffices because there is nothing to guess.
 */
export function createStatusToken(): string {
  return randomBytes(32).toString('base64url');
}

export const statusTokenPattern = /^[A-Za-z0-9_-]{43}$/;

export function hashStatusToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** The random value of the CSRF cookie (double submit: the form carries an HMAC of it). */
export function createCsrfCookieValue(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * The form's CSRF token: an HMAC of the cookie value under the instance secret. Another site can neither read
 * the cookie nor compute the token, and a cookie planted by a sibling domain has no valid token without the
 * secret (the weakness of a plain double-submit cookie).
 */
export function csrfTokenFor(secret: string, cookieValue: string): string {
  return createHmac('sha256', secret).update(`tocsin-report-csrf\0${cookieValue}`).digest('base64url');
}

export function verifyCsrfToken(
  secret: string,
  cookieValue: string | undefined,
  token: string | undefined,
): boolean {
  if (cookieValue === undefined || token === undefined || cookieValue === '' || token === '') return false;
  const expected = Buffer.from(csrfTokenFor(secret, cookieValue));
  const given = Buffer.from(token);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

/**
 * The key under which a client address is counted: IPv4 as is, IPv6 by its /64 (one subscriber usually holds
 * a whole /64, so counting single addresses would not limit anyone), kept only as an HMAC because an IP
 * address is personal data.
 */
export function addressKey(secret: string, address: string): string {
  return createHmac('sha256', secret)
    .update(`tocsin-rate\0${addressBucket(address)}`)
    .digest('hex');
}

export function addressBucket(address: string): string {
  const plain = address.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, '').replace(/%.*$/, '');
  if (isIP(plain) !== 6) return plain;
  const groups = expandIpv6(plain);
  return `${groups.slice(0, 4).join(':')}::/64`;
}

function expandIpv6(address: string): string[] {
  const [head = '', tail] = address.toLowerCase().split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  const missing = 8 - left.length - right.length;
  return [...left, ...Array<string>(Math.max(missing, 0)).fill('0'), ...right].map((g) => g.padStart(4, '0'));
}

/**
 * The source a reporter's reports are recorded under: one per e-mail address, so each researcher earns a track
 * record (Admiralty reliability), named by a keyed hash so that the address does not appear in the source
 * name; anonymous reports share the source `web-form`.
 */
export function reporterSource(secret: string, email: string | undefined): string {
  if (email === undefined) return 'web-form';
  const digest = createHmac('sha256', secret)
    .update(`tocsin-reporter\0${email.trim().toLowerCase()}`)
    .digest('hex');
  return `researcher-${digest.slice(0, 16)}`;
}
