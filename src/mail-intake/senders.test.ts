import { describe, expect, it } from 'vitest';
import { isAppError } from '../core/index.ts';
import { envelopeMatches, findSender, organisationalDomain, parseSenders } from './senders.ts';

const list = parseSenders(`
senders:
  - domain: shadowserver.org
    source: shadowserver
  - domain: reports.shadowserver.org
    source: shadowserver-special
  - address: Alice@CERT.example.net
    source: partner-x
    envelope_domains: [mailer.example.com]
`);

describe('the mail sender allow-list', () => {
  it('finds an exact address first, then the longest matching domain, subdomains included', () => {
    expect(findSender(list, 'alice@cert.example.net')?.source).toBe('partner-x');
    expect(findSender(list, 'bob@cert.example.net')).toBeUndefined();
    expect(findSender(list, 'x@mail.shadowserver.org')?.source).toBe('shadowserver');
    expect(findSender(list, 'x@reports.shadowserver.org')?.source).toBe('shadowserver-special');
    expect(findSender(list, 'x@notshadowserver.org')).toBeUndefined();
  });

  it('matches an envelope sender of the same organisation, or one listed for the entry', () => {
    const alice = findSender(list, 'alice@cert.example.net');
    expect(envelopeMatches(alice, 'alice@cert.example.net', 'bounce@lists.example.net')).toBe(true);
    expect(envelopeMatches(alice, 'alice@cert.example.net', 'b@out.mailer.example.com')).toBe(true);
    expect(envelopeMatches(alice, 'alice@cert.example.net', 'b@evil.example.org')).toBe(false);
    expect(organisationalDomain('mail.ncsc.gov.uk')).toBe('ncsc.gov.uk');
    expect(organisationalDomain('a.b.shadowserver.org')).toBe('shadowserver.org');
  });

  it('lists every problem of a bad file by entry and field', () => {
    let error: unknown;
    try {
      parseSenders('senders:\n  - address: not-an-address\n    source: X\n  - source: y\n', 'senders.yaml');
    } catch (caught) {
      error = caught;
    }
    expect(isAppError(error) && error.code).toBe('platform.config_invalid');
    const message = (error as Error).message;
    expect(message).toContain('senders.yaml: senders.0.address');
    expect(message).toContain('senders.0.source');
    expect(message).toContain('senders.1: give either address or domain');
  });

  it('ships an example that parses', async () => {
    const { readFileSync } = await import('node:fs');
    const text = readFileSync(
      new URL('../../config/intake/mail-senders.example.yaml', import.meta.url),
      'utf8',
    );
    expect(parseSenders(text).entries.length).toBeGreaterThan(0);
  });
});
