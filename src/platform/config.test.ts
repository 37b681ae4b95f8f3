import { availableParallelism } from 'node:os';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AppError } from '../core/index.ts';
import { configFileVariable, configVariables, describeConfig, loadConfig } from './config.ts';

function workspace(): string {
  return mkdtempSync(join(tmpdir(), 'tocsin-config-'));
}

function configError(fn: () => unknown): AppError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('platform.config_invalid');
    return error as AppError;
  }
  throw new Error('expected a configuration error');
}

describe('loadConfig', () => {
  it('serves on embedded defaults with no configuration at all', () => {
    const cwd = workspace();
    const config = loadConfig({ env: {}, cwd });
    expect(config).toMatchObject({
      port: 8080,
      host: '127.0.0.1',
      dataDir: join(cwd, 'data'),
      databaseUrl: undefined,
      logLevel: 'info',
      publicUrl: 'http://localhost:8080',
      secretSource: 'generated',
      configFile: undefined,
    });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('generates the secret once, stores it privately in the data directory and reuses it', () => {
    const cwd = workspace();
    const first = loadConfig({ env: {}, cwd });
    const path = join(cwd, 'data', 'secret');
    expect(readFileSync(path, 'utf8').trim()).toBe(first.secret);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(first.secret.length).toBeGreaterThanOrEqual(32);
    const second = loadConfig({ env: {}, cwd });
    expect(second.secret).toBe(first.secret);
    expect(second.secretSource).toBe('file');
  });

  it('takes the secret from the environment without touching the data directory', () => {
    const cwd = workspace();
    const secret = 'x'.repeat(40);
    const config = loadConfig({ env: { TOCSIN_SECRET: secret }, cwd });
    expect(config.secret).toBe(secret);
    expect(() => statSync(join(cwd, 'data', 'secret'))).toThrow();
  });

  it('parses with one worker on the embedded database, two on a server with two cores, or as set', () => {
    const cwd = workspace();
    const secret = 'x'.repeat(40);
    const server = 'postgres://u@db:5432/t';
    expect(loadConfig({ env: { TOCSIN_SECRET: secret }, cwd }).parseWorkers).toBe(1);
    expect(loadConfig({ env: { TOCSIN_SECRET: secret, DATABASE_URL: server }, cwd }).parseWorkers).toBe(
      Math.min(2, availableParallelism()),
    );
    const set = { TOCSIN_SECRET: secret, DATABASE_URL: server, TOCSIN_PARSE_WORKERS: '3' };
    expect(loadConfig({ env: set, cwd }).parseWorkers).toBe(3);
    const error = configError(() => loadConfig({ env: { ...set, TOCSIN_PARSE_WORKERS: '0' }, cwd }));
    expect(error.message).toContain('TOCSIN_PARSE_WORKERS = "0" (from environment): expected a whole number');
  });

  it('lists every problem in one message, naming the variable, the value and what is expected', () => {
    const error = configError(() =>
      loadConfig({ env: { PORT: 'abc', DATABASE_URL: 'nonsense', LOG_LEVEL: 'loud' }, cwd: workspace() }),
    );
    expect(error.message).toContain('3 problems');
    expect(error.message).toContain('PORT = "abc" (from environment): expected an integer from 0 to 65535');
    expect(error.message).toContain(
      'DATABASE_URL = "nonsense" (from environment): expected a URL like postgres://',
    );
    expect(error.message).toContain('LOG_LEVEL = "loud" (from environment): expected one of fatal, error');
  });

  it('never prints a secret or a database password in an error', () => {
    const error = configError(() =>
      loadConfig({
        env: { TOCSIN_SECRET: 'short-but-secret', DATABASE_URL: 'mysql://user:hunter2@db/x' },
        cwd: workspace(),
      }),
    );
    expect(error.message).toContain('TOCSIN_SECRET = (hidden)');
    expect(error.message).not.toContain('short-but-secret');
    expect(error.message).not.toContain('hunter2');
  });

  it('reads tocsin.config.yaml, with the environment taking precedence', () => {
    const cwd = workspace();
    writeFileSync(
      join(cwd, 'tocsin.config.yaml'),
      'PORT: 9000\nLOG_LEVEL: debug\nTOCSIN_INSTANCE_NAME: CERT Test\n',
    );
    const config = loadConfig({ env: { LOG_LEVEL: 'warn' }, cwd });
    expect(config.port).toBe(9000);
    expect(config.logLevel).toBe('warn');
    expect(config.instanceName).toBe('CERT Test');
    expect(config.publicUrl).toBe('http://localhost:9000');
    expect(config.configFile).toBe(join(cwd, 'tocsin.config.yaml'));
  });

  it('names the file for problems that come from it, including unknown settings', () => {
    const cwd = workspace();
    const file = join(cwd, 'custom.yaml');
    writeFileSync(file, 'PORT: 70000\nPROT: 8080\n');
    const error = configError(() => loadConfig({ env: { [configFileVariable]: 'custom.yaml' }, cwd }));
    expect(error.message).toContain(`PORT = 70000 (from ${file}): expected an integer from 0 to 65535`);
    expect(error.message).toContain(`PROT (in ${file}): unknown setting`);
  });

  it('reports a configuration file that is missing or not YAML', () => {
    const cwd = workspace();
    expect(
      configError(() => loadConfig({ env: { [configFileVariable]: 'nope.yaml' }, cwd })).message,
    ).toContain('TOCSIN_CONFIG = "nope.yaml": no such file');
    writeFileSync(join(cwd, 'tocsin.config.yaml'), 'PORT: [unclosed\n');
    expect(configError(() => loadConfig({ env: {}, cwd })).message).toContain('not valid YAML');
    writeFileSync(join(cwd, 'tocsin.config.yaml'), '- a list\n');
    expect(configError(() => loadConfig({ env: {}, cwd })).message).toContain('expected a mapping');
  });

  it('strips a trailing slash from PUBLIC_URL and rejects non-http URLs', () => {
    const cwd = workspace();
    expect(loadConfig({ env: { PUBLIC_URL: 'https://cert.example.org/' }, cwd }).publicUrl).toBe(
      'https://cert.example.org',
    );
    expect(configError(() => loadConfig({ env: { PUBLIC_URL: 'ftp://x' }, cwd })).message).toContain(
      'PUBLIC_URL',
    );
  });

  it('describes the configuration with secrets and passwords hidden', () => {
    const secret = 's'.repeat(32);
    const shown = describeConfig(
      loadConfig({
        env: { TOCSIN_SECRET: secret, DATABASE_URL: 'postgres://u:pw@db:5432/t' },
        cwd: workspace(),
      }),
    );
    expect(JSON.stringify(shown)).not.toContain(secret);
    expect(shown.DATABASE_URL).toBe('postgres://u:***@db:5432/t');
  });
});

describe('.env.example', () => {
  it('documents exactly the variables the configuration reads', () => {
    const text = readFileSync(new URL('../../.env.example', import.meta.url), 'utf8');
    const documented = [...text.matchAll(/^#?\s*([A-Z][A-Z0-9_]+)=/gm)].map((m) => m[1]);
    expect(new Set(documented)).toEqual(new Set([...configVariables, configFileVariable]));
  });
});
