import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { signLink, ticketLinks, verifyLink } from './links.ts';

const secret = 'a-test-secret-of-at-least-32-characters!';
const claims = {
  ticket: '20261201-00000001',
  action: 'resolved' as const,
  contact: 'abuse@example.nl',
  expires: Date.parse('2026-12-31T00:00:00Z') / 1000,
};

describe('signed links', () => {
  it('verify until they expire, then say so', () => {
    const token = signLink(secret, claims);
    expect(verifyLink(secret, token, new Date('2026-12-30T23:59:59Z'))).toEqual({ ok: true, claims });
    expect(verifyLink(secret, token, new Date('2026-12-31T00:00:00Z'))).toMatchObject({
      ok: false,
      reason: 'expired',
    });
  });

  it('refuse a token signed with another secret', () => {
    const token = signLink('another-secret-of-at-least-32-characters', claims);
    expect(verifyLink(secret, token, new Date('2026-12-01T00:00:00Z'))).toEqual({
      ok: false,
      reason: 'tampered',
    });
  });

  it('refuse a token whose claims were changed (another ticket, a later expiry)', () => {
    const token = signLink(secret, claims);
    const [, signature] = token.split('.');
    const forged = Buffer.from(
      JSON.stringify(['20261201-00000002', 'resolved', claims.contact, claims.expires + 1e6]),
    ).toString('base64url');
    expect(verifyLink(secret, `${forged}.${signature}`)).toEqual({ ok: false, reason: 'tampered' });
  });

  it('refuse any single changed character', () => {
    const token = signLink(secret, claims);
    const at = new Date('2026-12-01T00:00:00Z');
    fc.assert(
      fc.property(fc.nat(token.length - 1), fc.constantFrom(...'ABCxyz019-_.'.split('')), (index, char) => {
        fc.pre(token[index] !== char);
        const changed = token.slice(0, index) + char + token.slice(index + 1);
        const check = verifyLink(secret, changed, at);
        // base64url has spare bits in its last character: a change there may decode to the same bytes.
        const same =
          Buffer.from(changed.split('.')[1] ?? '', 'base64url').equals(
            Buffer.from(token.split('.')[1] ?? '', 'base64url'),
          ) && changed.split('.')[0] === token.split('.')[0];
        expect(check.ok).toBe(same);
      }),
      { numRuns: 300 },
    );
  });

  it('say malformed for what is not a token at all', () => {
    for (const junk of ['', 'abc', 'a.b.c', '%%%.x', `${'a'.repeat(3000)}.x`]) {
      expect(verifyLink(secret, junk).ok).toBe(false);
    }
  });

  it('make three distinct links under the public URL', () => {
    const links = ticketLinks(
      secret,
      'https://meldpunt.example',
      claims.ticket,
      claims.contact,
      new Date('2026-12-31T00:00:00Z'),
    );
    expect(Object.keys(links)).toEqual(['acknowledge', 'resolved', 'dispute']);
    expect(new Set(Object.values(links)).size).toBe(3);
    for (const [action, url] of Object.entries(links)) {
      expect(url.startsWith('https://meldpunt.example/t/')).toBe(true);
      const check = verifyLink(
        secret,
        url.slice('https://meldpunt.example/t/'.length),
        new Date('2026-12-01T00:00:00Z'),
      );
      expect(check).toMatchObject({ ok: true, claims: { action, ticket: claims.ticket } });
    }
  });
});
