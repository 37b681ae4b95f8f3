import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { frameFor, issueFor, loadTemplates, parseTemplate } from './templates.ts';

const shipped = fileURLToPath(new URL('../../config/notification/templates', import.meta.url));

describe('the template language', () => {
  it('inserts values and keeps a section only when its value is set', () => {
    const t = parseTemplate(
      'Hi {{name}}.\n{{#extra}}\nAlso: {{extra}}\n{{/extra}}\n{{^extra}}\nNothing more.\n{{/extra}}\nBye',
      'test',
    );
    expect(t.render({ name: 'A', extra: 'x' })).toBe('Hi A.\nAlso: x\nBye');
    expect(t.render({ name: 'A', extra: '' })).toBe('Hi A.\nNothing more.\nBye');
    expect([...t.names].sort()).toEqual(['extra', 'name']);
  });

  it('never evaluates a value: braces in a value are printed as they are', () => {
    expect(parseTemplate('{{a}}', 't').render({ a: '{{b}} <script>' })).toBe('{{b}} <script>');
  });

  it('refuses unbalanced sections and malformed tags, naming where', () => {
    expect(() => parseTemplate('{{#a}} open', 'frames/x.yaml nl.body')).toThrow(
      /frames\/x.yaml nl.body: \{\{#a\}\} is never closed/,
    );
    expect(() => parseTemplate('{{#a}}{{/b}}', 'w')).toThrow(/\{\{\/b\}\} closes \{\{#a\}\}/);
    expect(() => parseTemplate('{{ bad name! }}', 'w')).toThrow(/malformed tag/);
  });
});

describe('the shipped templates', () => {
  const set = loadTemplates(shipped);

  it('have a frame for every template the shipped routing profiles name, in NL and EN', () => {
    for (const name of ['default', 'ncsc-direct', 'foreign-cert']) {
      expect(set.frames.has(name), name).toBe(true);
    }
    expect(frameFor(set, 'no-such-template', 'en')).toBe(set.frames.get('default')?.en);
  });

  it('have remediation texts for at least the 20 most common Shadowserver report types', () => {
    const common = [
      'dns-open-resolver',
      'open-rdp',
      'open-smb',
      'open-snmp',
      'open-telnet',
      'open-vnc',
      'open-elasticsearch',
      'open-mongodb',
      'open-mysql',
      'open-postgres',
      'open-redis',
      'open-memcached',
      'ntp-monitor',
      'ntp-version',
      'open-ssdp',
      'open-mdns',
      'open-portmapper',
      'open-ldap',
      'open-cwmp',
      'accessible-ftp',
      'vulnerable-http',
      'ssl-poodle',
      'ssl-freak',
      'open-ipmi',
      'compromised-website',
    ];
    for (const id of common) {
      expect(issueFor(set, { identifier: id }, 'nl').key, id).toBe(id);
      expect(issueFor(set, { identifier: id }, 'en').key, id).toBe(id);
    }
  });

  it('fall back from identifier to type to the generic text', () => {
    expect(issueFor(set, { identifier: 'nonesuch', type: 'infected-system' }, 'en').key).toBe(
      'infected-system',
    );
    expect(issueFor(set, { identifier: 'nonesuch', type: 'nonesuch' }, 'nl').key).toBe('_generic');
  });
});

describe('loading templates', () => {
  function dirWith(frame: string): string {
    const dir = mkdtempSync(join(tmpdir(), 'tocsin-templates-'));
    mkdirSync(join(dir, 'frames'));
    mkdirSync(join(dir, 'issues'));
    writeFileSync(join(dir, 'frames', 'default.yaml'), frame);
    writeFileSync(
      join(dir, 'issues', '_generic.yaml'),
      'nl: { title: t, about: a, fix: f }\nen: { title: t, about: a, fix: f }\n',
    );
    const tlp = '{ CLEAR: c, GREEN: g, AMBER: a, AMBER+STRICT: s, RED: r }';
    writeFileSync(join(dir, 'common.yaml'), `nl: { tlp: ${tlp} }\nen: { tlp: ${tlp} }\n`);
    return dir;
  }

  it('stops at a name the composer does not provide, naming the file and the part', () => {
    const dir = dirWith(
      "nl: { subject: '{{ticket}}', body: 'x' }\nen: { subject: '{{tiket}}', body: 'x' }\n",
    );
    expect(() => loadTemplates(dir)).toThrow(/default.yaml en.subject: unknown name \{\{tiket\}\}/);
  });

  it('stops at a frame without one of the languages', () => {
    const dir = dirWith("nl: { subject: 's', body: 'b' }\n");
    expect(() => loadTemplates(dir)).toThrow(/default.yaml: en/);
  });
});
