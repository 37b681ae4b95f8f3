import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { composeMessage, csvCell, eventsCsv, type ComposeInput, type NotifiedEvent } from './compose.ts';
import { loadTemplates } from './templates.ts';

const templates = loadTemplates(
  fileURLToPath(new URL('../../config/notification/templates', import.meta.url)),
);
const goldenDir = new URL('../../test/fixtures/notification/golden/', import.meta.url);

/**
 * Compares with the golden file; `UPDATE_GOLDEN=1 npx vitest run src/notification/compose.test.ts` rewrites
 * them after a deliberate change (review the diff before committing it).
 */
function expectGolden(name: string, actual: string): void {
  const path = fileURLToPath(new URL(name, goldenDir));
  if (process.env.UPDATE_GOLDEN === '1' || !existsSync(path)) {
    if (process.env.CI === 'true' || process.env.UPDATE_GOLDEN !== '1') {
      throw new Error(`golden file ${name} is missing; run with UPDATE_GOLDEN=1 to create it`);
    }
    writeFileSync(path, actual);
  }
  expect(actual).toBe(readFileSync(path, 'utf8'));
}

function event(ip: string, extra: Record<string, unknown> = {}): NotifiedEvent {
  return {
    data: {
      'feed.name': 'Open-DNS',
      'feed.provider': 'Shadowserver',
      'classification.type': 'vulnerable-system',
      'classification.identifier': 'dns-open-resolver',
      'source.ip': ip,
      'source.port': 53,
      'protocol.transport': 'udp',
      'time.source': '2026-11-30T04:00:00+00:00',
      ...extra,
    },
    firstSeen: new Date('2026-11-30T06:00:00Z'),
    lastSeen: new Date('2026-12-01T06:00:00Z'),
  };
}

const base: ComposeInput = {
  ticket: '20261201-00000042',
  language: 'nl',
  template: 'default',
  tlp: 'AMBER',
  severity: 'medium',
  reason: 'new',
  sender: { name: 'Nationaal Cyber Security Centrum', email: 'meldingen@ncsc.example.nl' },
  desk: 'DTC',
  recipient: 'Voorbeeld B.V.',
  events: [event('192.0.2.11'), event('192.0.2.10')],
  reasons: [
    { nl: 'De bron is meestal betrouwbaar (B).', en: 'The source is usually reliable (B).' },
    { nl: 'De bron is meestal betrouwbaar (B).', en: 'The source is usually reliable (B).' },
    {
      nl: 'Het systeem is vanaf het internet te misbruiken.',
      en: 'The system can be abused from the internet.',
    },
  ],
  links: {
    acknowledge: 'https://meldpunt.example/t/ack-token',
    resolved: 'https://meldpunt.example/t/resolved-token',
    dispute: 'https://meldpunt.example/t/dispute-token',
  },
  linksExpire: new Date('2026-12-31T00:00:00Z'),
};

function render(input: ComposeInput, options = { inlineEvents: 25, html: true }): string {
  const m = composeMessage(templates, options, input);
  const attachments = m.attachments
    .map((a) => `--- attachment ${a.filename} (${a.contentType})\n${a.content}`)
    .join('');
  return `Subject: ${m.subject}\n\n${m.text}${attachments}`;
}

describe('composed warnings (golden files)', () => {
  it('NL, default frame, events inline', () => {
    expectGolden('nl-default-inline.txt', render(base));
  });

  it('EN, default frame, on behalf of a served organisation, events attached above the inline limit', () => {
    const input: ComposeInput = {
      ...base,
      language: 'en',
      onBehalfOf: 'Bakkerij Voorbeeld',
      events: [event('192.0.2.12'), event('192.0.2.10'), event('192.0.2.11')],
    };
    expectGolden('en-default-attached.txt', render(input, { inlineEvents: 2, html: false }));
  });

  it('NL, NCSC direct frame, a relapse', () => {
    expectGolden(
      'nl-ncsc-direct-relapse.txt',
      render({ ...base, template: 'ncsc-direct', reason: 'relapse', tlp: 'AMBER+STRICT' }),
    );
  });

  it('EN, foreign CERT frame, a reminder, an infected system (type fallback)', () => {
    const infected = event('198.51.100.7', {
      'classification.type': 'infected-system',
      'classification.identifier': 'andromeda',
      'malware.name': 'andromeda',
      'feed.name': 'Sinkhole-Events',
    });
    expectGolden(
      'en-foreign-cert-reminder.txt',
      render({
        ...base,
        language: 'en',
        template: 'foreign-cert',
        reason: 'reminder',
        recipient: 'CERT-Bund',
        tlp: 'GREEN',
        events: [infected],
      }),
    );
  });

  it('the HTML part is the text, escaped, with the links clickable', () => {
    const m = composeMessage(
      templates,
      { inlineEvents: 25, html: true },
      { ...base, recipient: 'Evil <b>Corp</b> & Co' },
    );
    expect(m.html).toContain('Geachte Evil &lt;b&gt;Corp&lt;/b&gt; &amp; Co');
    expect(m.html).toContain('<a href="https://meldpunt.example/t/ack-token">');
    expect(m.html).not.toContain('<b>');
    expectGolden('nl-default-inline.html', m.html ?? '');
  });

  it('the subject carries the ticket number and the TLP label, on one line', () => {
    const m = composeMessage(templates, { inlineEvents: 25, html: false }, { ...base, tlp: 'RED' });
    expect(m.subject).toBe('[TLP:RED] [20261201-00000042] Open DNS-resolver (2)');
    expect(m.text).toContain('TLP:RED: alleen voor de geadresseerden');
  });

  it('is deterministic whatever the order of the events', () => {
    const reversed = { ...base, events: [...base.events].reverse() };
    expect(render(reversed)).toBe(render(base));
  });
});

describe('the events CSV', () => {
  it('quotes separators and neutralises what a spreadsheet would run as a formula', () => {
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('=HYPERLINK("http://evil")')).toBe(`"'=HYPERLINK(""http://evil"")"`);
    expect(csvCell('+1')).toBe("'+1");
    expect(csvCell('-12')).toBe('-12');
    expect(csvCell('-cmd')).toBe("'-cmd");
    expect(csvCell(3389)).toBe('3389');
    expect(csvCell(undefined)).toBe('');
  });

  it('has only the columns some event fills, in a fixed order', () => {
    const csv = eventsCsv([event('192.0.2.1'), event('192.0.2.2', { 'source.fqdn': 'ns.example.nl' })]);
    expect(csv.split('\n')[0]).toBe(
      'time.source,source.ip,source.port,source.fqdn,protocol.transport,classification.type,classification.identifier,feed.name',
    );
    expect(csv.split('\n')).toHaveLength(4);
  });
});
