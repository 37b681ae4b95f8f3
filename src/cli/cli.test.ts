import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createContext } from '../main.ts';
import { commands, runCli } from './index.ts';

function capture(env: Record<string, string> = {}, terminal = false) {
  const out: string[] = [];
  const err: string[] = [];
  const status: string[] = [];
  const cwd = mkdtempSync(join(tmpdir(), 'tocsin-cli-'));
  const context = createContext({ LOG_LEVEL: 'silent', ...env }, cwd, {
    out: (text) => out.push(text),
    err: (text) => err.push(text),
    ...(terminal ? { status: (text: string) => status.push(text) } : {}),
  });
  return { context, out, err, status, cwd };
}

describe('tocsin command line', () => {
  it('--help lists every command with a one-line description', async () => {
    const { context, out } = capture();
    expect(await runCli(['--help'], context)).toBe(0);
    const lines = out.join('\n').split('\n');
    for (const command of commands) {
      const line = lines.find((l) => l.startsWith(`  ${command.name} `));
      expect(line?.slice(2 + command.name.length).trim()).toBe(command.summary);
      expect(command.summary).not.toContain('\n');
    }
  });

  it('answers an unknown command with the usage and exit 2', async () => {
    const { context, err } = capture();
    expect(await runCli(['frobnicate'], context)).toBe(2);
    expect(err.join('\n')).toContain("unknown command 'frobnicate'");
    expect(err.join('\n')).toContain('Usage: tocsin <command>');
  });

  it('answers no command at all with the usage and exit 2', async () => {
    const { context, err } = capture();
    expect(await runCli([], context)).toBe(2);
    expect(err.join('\n')).toContain('Usage: tocsin <command>');
  });

  it('answers a bad flag with the command usage and exit 2', async () => {
    const { context, err } = capture();
    expect(await runCli(['migrate', '--frobnicate'], context)).toBe(2);
    expect(err.join('\n')).toContain("Unknown option '--frobnicate'");
    expect(err.join('\n')).toContain('Usage: tocsin migrate [--json]');
  });

  it('answers an unexpected argument with exit 2', async () => {
    const { context, err } = capture();
    expect(await runCli(['config', 'extra'], context)).toBe(2);
    expect(err.join('\n')).toContain("unexpected argument 'extra'");
  });

  it('shows help for one command', async () => {
    const { context, out } = capture();
    expect(await runCli(['help', 'serve'], context)).toBe(0);
    expect(out.join('\n')).toContain('Usage: tocsin serve');
    expect(out.join('\n')).toContain('SIGTERM');
  });

  it('prints the version', async () => {
    const { context, out } = capture();
    expect(await runCli(['--version'], context)).toBe(0);
    expect(out).toEqual([context.version]);
  });

  it('exits 2 with every problem when the configuration is invalid', async () => {
    const { context, err } = capture({ PORT: 'abc', DATABASE_URL: 'nonsense' });
    expect(await runCli(['config'], context)).toBe(2);
    expect(err.join('\n')).toContain('Invalid configuration (2 problems)');
  });

  it('config prints the values in effect with the secret hidden', async () => {
    const { context, out, cwd } = capture({ PORT: '9999' });
    expect(await runCli(['config', '--json'], context)).toBe(0);
    const shown = JSON.parse(out.join('')) as Record<string, unknown>;
    expect(shown).toMatchObject({
      PORT: 9999,
      TOCSIN_DATA_DIR: join(cwd, 'data'),
      TOCSIN_SECRET: '(hidden; generated)',
    });
  });

  it('ingest shows progress on a terminal (bytes, rows/s, ETA), clears it, then prints the summary', async () => {
    const { context, out, status } = capture({}, true);
    const file = fileURLToPath(new URL('../../test/fixtures/intake/events.jsonl', import.meta.url));
    expect(await runCli(['ingest', file], context)).toBe(0);
    const size = `${(statSync(file).size / 1024).toFixed(1)} KiB`;
    expect(status[0]).toMatch(
      new RegExp(`^.*events\\.jsonl \\[#{20}\\] ${size}/${size} \\d[\\d,]* rows/s ETA 0s$`),
    );
    expect(status.at(-1)).toBe('');
    expect(out.join('\n')).toMatch(
      /events\.jsonl: report [0-9a-f-]{36} \(jsonl\): 5 accepted, 0 duplicates, 0 rejected/,
    );
  });

  it('ingest prints no progress when the output is not a terminal', async () => {
    const { context, status } = capture();
    const file = fileURLToPath(new URL('../../test/fixtures/intake/events.jsonl', import.meta.url));
    expect(await runCli(['ingest', file], context)).toBe(0);
    expect(status).toEqual([]);
  });
});
