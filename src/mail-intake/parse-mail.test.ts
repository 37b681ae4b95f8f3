import { gzipSync } from 'node:zlib';
import type { Attachment } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { buildZip as zipOf } from '../../test/zip.ts';
import {
  defaultMailLimits,
  extractIndicators,
  readMail,
  safeFileName,
  sortAttachments,
} from './parse-mail.ts';

const csv = Buffer.from('"timestamp","ip"\n"2026-12-01 00:00:00","192.0.2.1"\n');

function attachment(filename: string | undefined, content: Buffer, contentType = 'application/octet-stream') {
  return { filename, content, contentType, related: false, size: content.length } as unknown as Attachment;
}

describe('reading a mail without trusting it', () => {
  it('takes IP addresses and URLs from a text, checked by the IDF sanitisers, in order', () => {
    expect(
      extractIndicators(
        'At 10:30:00 we saw 999.1.1.1 and 198.51.100.7, then 2001:db8::5 and hxxp://bad.example/x. Also 198.51.100.7.',
      ),
    ).toEqual({ ips: ['198.51.100.7', '2001:db8::5'], urls: ['http://bad.example/x'] });
  });

  it('keeps only the base name of a file name, without control characters', () => {
    expect(safeFileName('../../etc/passwd')).toBe('passwd');
    expect(safeFileName('C:\\temp\\2026-12-01-scan_http-nl.csv')).toBe('2026-12-01-scan_http-nl.csv');
    expect(safeFileName('a\u0000b.csv')).toBe('ab.csv');
    expect(safeFileName('..')).toBeUndefined();
    expect(safeFileName('.hidden.csv')).toBeUndefined();
  });

  it('sorts attachments: feed files taken, the rest skipped with a reason, signatures ignored', async () => {
    const sorted = await sortAttachments(
      [
        attachment('2026-12-01-scan_http-netherlands-geo.csv', csv),
        attachment('events.jsonl', Buffer.from('{}\n')),
        attachment('hosts.csv', csv),
        attachment('report.pdf', Buffer.from('%PDF')),
        attachment('sig.asc', Buffer.from('-----BEGIN PGP SIGNATURE-----'), 'application/pgp-signature'),
        attachment('fake.csv.gz', csv),
      ],
      defaultMailLimits,
    );
    expect(sorted.usable.map((a) => [a.fileName, a.feed])).toEqual([
      ['2026-12-01-scan_http-netherlands-geo.csv', 'shadowserver'],
      ['events.jsonl', 'jsonl'],
    ]);
    expect(sorted.skipped.map((s) => s.fileName)).toEqual(['hosts.csv', 'report.pdf', 'fake.csv.gz']);
    expect(sorted.ignored).toBe(1);
  });

  it('refuses gzip and zip bombs, nested archives, unknown members and too many attachments', async () => {
    const limits = {
      ...defaultMailLimits,
      maxExpandedBytes: 1024 * 1024,
      maxZipMembers: 3,
      maxAttachments: 2,
    };
    const big = Buffer.alloc(2 * 1024 * 1024, 0x41);
    const sorted = await sortAttachments(
      [
        attachment('2026-12-01-scan_http-a.csv.gz', gzipSync(big)),
        attachment('b.zip', zipOf([{ name: '2026-12-01-scan_http-b.csv', data: big }])),
        attachment('c.zip', zipOf([{ name: 'inner.zip', data: csv }])),
        attachment(
          'd.zip',
          zipOf(Array.from({ length: 4 }, (_, i) => ({ name: `2026-12-01-scan_http-${i}.csv`, data: csv }))),
        ),
        attachment('e.zip', zipOf([{ name: 'notes.txt', data: csv }])),
        attachment('2026-12-01-scan_http-f.csv', csv),
        attachment('2026-12-01-scan_http-g.csv', csv),
        attachment('2026-12-01-scan_http-h.csv', csv),
      ],
      limits,
    );
    expect(sorted.skipped.map((s) => `${s.fileName}: ${s.reason}`)).toEqual([
      '2026-12-01-scan_http-a.csv.gz: expands beyond 1048576 bytes',
      'b.zip: its members expand beyond 1048576 bytes',
      'c.zip: nested archive inner.zip',
      'd.zip: more than 3 members',
      'e.zip: cannot tell the feed of member notes.txt from its name',
      '2026-12-01-scan_http-h.csv: more than 2 attachments',
    ]);
    expect(sorted.usable).toHaveLength(2);
  });

  it('reads From, Return-Path and the text of a raw message', async () => {
    const mail = await readMail(
      Buffer.from(
        'Return-Path: <Bounce@Mail.Example.net>\r\nFrom: "A" <A@Example.net>, b@example.org\r\nSubject: hi\r\n\r\n  text  \r\n',
      ),
    );
    expect(mail).toMatchObject({
      headerFrom: 'a@example.net',
      fromCount: 2,
      returnPath: 'bounce@mail.example.net',
      text: 'text',
      attachments: [],
    });
  });
});
