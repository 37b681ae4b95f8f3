import { describe, expect, it } from 'vitest';
import { buildZip } from '../../test/zip.ts';
import { checkAttachment, neutraliseFileName, sniffKind } from './attachments.ts';

const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]);
const pdf = Buffer.from('%PDF-1.7\n%\u00e2\u00e3\n1 0 obj\n', 'latin1');

describe('evidence attachments', () => {
  it('neutralises file names: no directories, only safe characters, no leading dots', () => {
    expect(neutraliseFileName('../../etc/passwd')).toBe('passwd');
    expect(neutraliseFileName('C:\\Users\\ada\\scan <1>.txt')).toBe('scan_1_.txt');
    expect(neutraliseFileName('.htaccess')).toBe('htaccess');
    expect(neutraliseFileName('rapport..final.pdf')).toBe('rapport.final.pdf');
    expect(neutraliseFileName('')).toBe('attachment');
    expect(neutraliseFileName(`${'a'.repeat(300)}.json`)).toHaveLength(100);
    expect(neutraliseFileName(`${'a'.repeat(300)}.json`).endsWith('.json')).toBe(true);
  });

  it('recognises kinds by their bytes, never by the name', () => {
    expect(sniffKind(png)).toBe('png');
    expect(sniffKind(pdf)).toBe('pdf');
    expect(sniffKind(Buffer.from('ip,port\n192.0.2.1,22\n'))).toBe('text');
    expect(sniffKind(Buffer.from([0x4d, 0x5a, 0x90, 0x00]))).toBe('unknown');
  });

  it('accepts allowed kinds whose content matches the name, with the sniffed type and a SHA-256', async () => {
    const checked = await checkAttachment('shot.png', png);
    expect(checked).toMatchObject({ ok: true, attachment: { fileName: 'shot.png', mediaType: 'image/png' } });
    const json = await checkAttachment('scan.json', Buffer.from('{"open":[22,80]}'));
    expect(json).toMatchObject({ ok: true, attachment: { mediaType: 'application/json' } });
  });

  it('refuses a name the content contradicts, a kind not on the list, and invalid JSON', async () => {
    const disguised = await checkAttachment('photo.png', pdf);
    expect(disguised).toMatchObject({ ok: false });
    if (!disguised.ok)
      expect(disguised.reason.en).toBe(
        'photo.png: the content is a PDF document, not a PNG image as its name says.',
      );
    const exe = await checkAttachment('tool.exe', Buffer.from([0x4d, 0x5a]));
    if (!exe.ok) expect(exe.reason.en).toMatch(/tool\.exe: this kind of file is not accepted/);
    const json = await checkAttachment('x.json', Buffer.from('{nope'));
    if (!json.ok) expect(json.reason.en).toBe('x.json: the content is not valid JSON.');
  });

  it('accepts an ordinary zip of evidence', async () => {
    const zip = buildZip([
      {
        name: 'evidence/request.txt',
        data: Buffer.from('GET /login HTTP/1.1\r\nHost: www.minvb.example\r\n'),
      },
      { name: 'evidence/shot.png', data: png },
    ]);
    expect(await checkAttachment('evidence.zip', zip)).toMatchObject({
      ok: true,
      attachment: { mediaType: 'application/zip' },
    });
  });

  it('refuses a zip bomb, even one whose headers understate the size', async () => {
    const zeros = Buffer.alloc(20 * 1024 * 1024);
    for (const declaredSize of [undefined, 1000]) {
      const bomb = buildZip([{ name: 'big.txt', data: zeros, ...(declaredSize ? { declaredSize } : {}) }]);
      expect(bomb.length).toBeLessThan(100_000);
      const checked = await checkAttachment('bomb.zip', bomb);
      expect(checked.ok).toBe(false);
      if (!checked.ok)
        expect(checked.reason.en).toMatch(/bomb\.zip: .*(possible zip bomb|not a readable zip)/);
    }
    const honest = await checkAttachment('bomb.zip', buildZip([{ name: 'big.txt', data: zeros }]));
    if (!honest.ok) expect(honest.reason.en).toContain('refused as a possible zip bomb');
  });

  it('refuses members whose names leave the archive: "..", absolute paths, backslashes', async () => {
    for (const name of [
      '../../etc/cron.d/evil',
      '/etc/passwd',
      'ok/..\\..\\evil.txt',
      'C:/Windows/evil.txt',
    ]) {
      const zip = buildZip([{ name, data: Buffer.from('x') }]);
      const checked = await checkAttachment('evidence.zip', zip);
      expect(checked.ok, name).toBe(false);
      if (!checked.ok) expect(checked.reason.en).toMatch(/path|absolute/);
    }
    const traversal = await checkAttachment(
      'e.zip',
      buildZip([{ name: '../x.txt', data: Buffer.from('x') }]),
    );
    if (!traversal.ok) {
      expect(traversal.reason.en).toBe(
        'e.zip: the member "../x.txt" has a path that leaves the archive (path traversal, "..")' +
          ': refused.',
      );
    }
  });

  it('refuses archives inside the archive', async () => {
    const inner = buildZip([{ name: 'a.txt', data: Buffer.from('a') }]);
    const checked = await checkAttachment('outer.zip', buildZip([{ name: 'inner.zip', data: inner }]));
    if (!checked.ok) expect(checked.reason.en).toMatch(/is itself an archive/);
    expect(checked.ok).toBe(false);
  });
});
