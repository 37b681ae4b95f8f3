import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { AppError } from '../core/index.ts';

const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const postgresUrl = z.string().refine(
  (value) => {
    try {
      const url = new URL(value);
      return (url.protocol === 'postgres:' || url.protocol === 'postgresql:') && url.hostname !== '';
    } catch {
      return false;
    }
  },
  { message: 'expected a URL like postgres://user:password@host:5432/database' },
);

/** A whole number from the environment (text), at least `min`, with one message for every way it is wrong. */
const wholeNumber = (message: string, min = 0) =>
  z.coerce.number({ message }).int({ message }).min(min, { message });

const portNumber = () =>
  wholeNumber('expected an integer from 0 to 65535').max(65535, {
    message: 'expected an integer from 0 to 65535',
  });

/**
 * The configuration variables, each validated and documented here. `.env.example` lists the same names
 * (a test keeps the two in step). Values come from the environment, else from the optional YAML file,
 * else from the default.
 */
export const configSchema = z.object({
  PORT: portNumber()
    .default(8080)
    .describe('TCP port the HTTP server listens on; 0 picks a free port (the address is logged).'),
  HOST: z
    .string()
    .min(1, { message: 'expected a host name or address' })
    .default('127.0.0.1')
    .describe('Address the HTTP server binds to; 0.0.0.0 or :: to accept connections from other machines.'),
  TOCSIN_DATA_DIR: z
    .string()
    .min(1, { message: 'expected a directory path' })
    .default('./data')
    .describe('Directory for the embedded database, the generated secret and other local state.'),
  DATABASE_URL: postgresUrl
    .optional()
    .describe('PostgreSQL server to use instead of the embedded database (PGlite in the data directory).'),
  LOG_LEVEL: z
    .enum(logLevels, { message: `expected one of ${logLevels.join(', ')}` })
    .default('info')
    .describe('Least severe log level written.'),
  PUBLIC_URL: z
    .url({ protocol: /^https?$/, message: 'expected an absolute http:// or https:// URL' })
    .optional()
    .describe('The URL people and links in mail use to reach this instance; default http://localhost:PORT.'),
  TOCSIN_SECRET: z
    .string()
    .min(32, { message: 'expected at least 32 characters' })
    .optional()
    .describe(
      'Key for signed links and tokens; generated into the data directory on first start when unset.',
    ),
  TOCSIN_INSTANCE_NAME: z
    .string()
    .min(1, { message: 'expected a non-empty name' })
    .default('Tocsin')
    .describe('Name of this instance as shown on its pages (e.g. "NCSC-NL reporting point").'),
  UPLOAD_MAX_BYTES: wholeNumber('expected a whole number of bytes', 1)
    .default(2 * 1024 ** 3)
    .describe('Largest report upload accepted over HTTP (bytes); larger ones get 413.'),
  TOCSIN_HOME_COUNTRY: z
    .string()
    .regex(/^[A-Za-z]{2}$/, { message: 'expected an ISO 3166-1 alpha-2 country code such as NL' })
    .default('NL')
    .transform((code) => code.toUpperCase())
    .describe('The country this instance serves: an address elsewhere without an owner goes to its CERT.'),
  TOCSIN_ROUTING_PROFILE: z
    .string()
    .min(1, { message: 'expected a file path' })
    .optional()
    .describe('Routing profile (YAML); default config/routing/nl-three-desks.yaml of this installation.'),
  TOCSIN_ASSESSMENT_FRAMEWORK: z
    .string()
    .min(1, { message: 'expected a file path' })
    .optional()
    .describe('Assessment framework (YAML); default config/assessment/framework.yaml of this installation.'),
  SMTP_URL: z
    .url({
      protocol: /^smtps?$/,
      message: 'expected a URL like smtp://user:password@host:587 or smtps://host:465',
    })
    .optional()
    .describe(
      'Mail server for warnings (credentials in the URL); without it messages stay in the database outbox, shown at /outbox.',
    ),
  TOCSIN_NOTIFICATION_CONFIG: z
    .string()
    .min(1, { message: 'expected a file path' })
    .optional()
    .describe(
      'Notification policy (YAML: quiet periods, inline CSV limit, link expiry, rate limits, templates); default config/notification/notification.yaml.',
    ),
  TOCSIN_NOTIFY_EVERY_MS: wholeNumber('expected a whole number of milliseconds')
    .default(30_000)
    .describe('How often `tocsin serve` composes and sends due warnings; 0 turns the scheduler off.'),
  DKIM_DOMAIN: z
    .string()
    .regex(/^[a-z0-9.-]+\.[a-z]{2,}$/i, { message: 'expected a mail domain such as ncsc.example.nl' })
    .optional()
    .describe('Domain outgoing mail is DKIM-signed for; with DKIM_SELECTOR and DKIM_PRIVATE_KEY_FILE.'),
  DKIM_SELECTOR: z
    .string()
    .regex(/^[a-z0-9._-]+$/i, { message: 'expected a DNS label such as tocsin2026' })
    .optional()
    .describe('DKIM selector (the DNS record <selector>._domainkey.<domain>).'),
  DKIM_PRIVATE_KEY_FILE: z
    .string()
    .min(1, { message: 'expected a file path' })
    .optional()
    .describe('PEM private key for DKIM signing.'),
  OPENPGP_SIGNING_KEY_FILE: z
    .string()
    .min(1, { message: 'expected a file path' })
    .optional()
    .describe(
      'ASCII-armoured OpenPGP private key that signs warnings (and encrypts to contacts with a key).',
    ),
  OPENPGP_PASSPHRASE: z
    .string()
    .optional()
    .describe('Passphrase of the OpenPGP signing key, when it has one.'),
  TOCSIN_MAIL_INTAKE_PORT: portNumber()
    .optional()
    .describe(
      'Port of the SMTP listener that takes reports by e-mail; off unless set (0 picks a free port).',
    ),
  TOCSIN_MAIL_INTAKE_HOST: z
    .string()
    .min(1, { message: 'expected a host name or address' })
    .default('127.0.0.1')
    .describe('Address the e-mail intake listener binds to.'),
  TOCSIN_MAIL_INTAKE_SENDERS: z
    .string()
    .min(1, { message: 'expected a file path' })
    .optional()
    .describe(
      'Allow-list (YAML) of partner senders and the source each maps to; mail from anyone else is quarantined.',
    ),
  IMAP_URL: z
    .url({ protocol: /^imaps?$/, message: 'expected a URL like imaps://user:password@host:993/INBOX' })
    .optional()
    .describe('Mailbox polled for reports by e-mail, as well as or instead of the SMTP listener.'),
  IMAP_POLL_MS: z.coerce
    .number({ message: 'expected a whole number of milliseconds' })
    .int({ message: 'expected a whole number of milliseconds' })
    .min(1000, { message: 'expected at least 1000 milliseconds' })
    .default(60_000)
    .describe('How often the IMAP mailbox is polled.'),
  TOCSIN_REPORT_RATE_LIMIT: z.coerce
    .number({ message: 'expected a whole number' })
    .int({ message: 'expected a whole number' })
    .min(1, { message: 'expected a whole number of at least 1' })
    .default(10)
    .describe('Reports one address may submit through the web form per hour; more get 429.'),
  TOCSIN_PARSE_WORKERS: wholeNumber('expected a whole number of at least 1', 1)
    .max(64, { message: 'expected at most 64' })
    .optional()
    .describe(
      'Worker threads that parse one large Shadowserver report side by side, in segments; default 2 on a PostgreSQL server with two cores or more, 1 on the embedded database.',
    ),
  SHUTDOWN_TIMEOUT_MS: wholeNumber('expected a whole number of milliseconds')
    .default(30_000)
    .describe('How long a graceful shutdown waits for in-flight requests before closing them.'),
});

/**
 * Parse workers when TOCSIN_PARSE_WORKERS is unset. On a PostgreSQL server two workers stored 1,000,000
 * `scan_http` rows up to a fifth faster than one on two cores, within 500 MB. The embedded database's work
 * is the ingesting thread's own, so a second worker only competed with it for a core (+6 %, 1,087 MiB).
 */
function defaultParseWorkers(databaseUrl: string | undefined): number {
  return databaseUrl === undefined ? 1 : Math.min(2, availableParallelism());
}

/** The routing profile shipped with Tocsin, used when TOCSIN_ROUTING_PROFILE is unset. */
const defaultRoutingProfile = fileURLToPath(
  new URL('../../config/routing/nl-three-desks.yaml', import.meta.url),
);

/** The assessment framework shipped with Tocsin, used when TOCSIN_ASSESSMENT_FRAMEWORK is unset. */
const defaultAssessmentFramework = fileURLToPath(
  new URL('../../config/assessment/framework.yaml', import.meta.url),
);

/** The notification policy shipped with Tocsin, used when TOCSIN_NOTIFICATION_CONFIG is unset. */
const defaultNotificationConfig = fileURLToPath(
  new URL('../../config/notification/notification.yaml', import.meta.url),
);

/** Variables read outside the schema: where the configuration file is. */
export const configFileVariable = 'TOCSIN_CONFIG';
const defaultConfigFile = 'tocsin.config.yaml';
const secretFileName = 'secret';
const secretVariables = new Set(['TOCSIN_SECRET', 'OPENPGP_PASSPHRASE']);
const urlVariables = new Set(['DATABASE_URL', 'SMTP_URL', 'IMAP_URL']);

export type ConfigVariable = keyof typeof configSchema.shape;
export const configVariables = Object.keys(configSchema.shape) as ConfigVariable[];

export interface Config {
  readonly port: number;
  readonly host: string;
  readonly dataDir: string;
  readonly databaseUrl: string | undefined;
  readonly logLevel: (typeof logLevels)[number];
  readonly publicUrl: string;
  readonly secret: string;
  readonly secretSource: 'environment' | 'file' | 'generated';
  readonly instanceName: string;
  readonly shutdownTimeoutMs: number;
  readonly uploadMaxBytes: number;
  readonly homeCountry: string;
  /** The routing profile file (absolute). */
  readonly routingProfile: string;
  /** The assessment framework file (absolute). */
  readonly assessmentFramework: string;
  /** SMTP server for warnings; undefined: messages stay in the database outbox. */
  readonly smtpUrl: string | undefined;
  /** The notification policy file (absolute). */
  readonly notificationConfig: string;
  /** Scheduler period of `tocsin serve`; 0: off. */
  readonly notifyEveryMs: number;
  readonly dkim:
    { readonly domain: string; readonly selector: string; readonly privateKeyFile: string } | undefined;
  readonly openpgp: { readonly signingKeyFile: string; readonly passphrase: string | undefined } | undefined;
  readonly mailIntake: {
    /** Undefined: the SMTP listener is off. */
    readonly port: number | undefined;
    readonly host: string;
    /** The allow-list of partner senders (absolute), if any. */
    readonly sendersFile: string | undefined;
    readonly imapUrl: string | undefined;
    readonly imapPollMs: number;
  };
  /** Web-form reports one address may submit per hour. */
  readonly reportRateLimit: number;
  /** Worker threads parsing one large Shadowserver report (`parseInWorker`'s `workers`). */
  readonly parseWorkers: number;
  /** The configuration file that was read, if any. */
  readonly configFile: string | undefined;
}

export interface LoadConfigOptions {
  env: Record<string, string | undefined>;
  cwd: string;
}

/**
 * Reads and validates the configuration once, synchronously, at start-up. Every problem is listed in one
 * `platform.config_invalid` error (variable, value, what is expected). When no secret is configured, one is
 * generated and kept in the data directory so that links signed before a restart stay valid.
 */
export function loadConfig({ env, cwd }: LoadConfigOptions): Config {
  const { values: fileValues, path: configFile } = readConfigFile(env, cwd);
  const input: Record<string, unknown> = {};
  const origin: Record<string, string> = {};
  for (const name of configVariables) {
    const fromEnv = env[name];
    if (fromEnv !== undefined && fromEnv !== '') {
      input[name] = fromEnv;
      origin[name] = 'environment';
    } else if (fileValues[name] !== undefined) {
      input[name] = fileValues[name];
      origin[name] = configFile ?? 'file';
    }
  }
  const problems: string[] = [];
  for (const key of Object.keys(fileValues)) {
    if (!(configVariables as string[]).includes(key)) {
      problems.push(
        `${key} (in ${configFile ?? 'file'}): unknown setting; known are ${configVariables.join(', ')}`,
      );
    }
  }
  const parsed = configSchema.safeParse(input);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const name = String(issue.path[0] ?? '(configuration)');
      problems.push(
        `${name} = ${showValue(name, input[name])} (from ${origin[name] ?? 'default'}): ${issue.message}`,
      );
    }
  }
  if (parsed.success) {
    const dkimSet = [parsed.data.DKIM_DOMAIN, parsed.data.DKIM_SELECTOR, parsed.data.DKIM_PRIVATE_KEY_FILE];
    if (dkimSet.some((v) => v !== undefined) && dkimSet.some((v) => v === undefined)) {
      problems.push(
        'DKIM_DOMAIN, DKIM_SELECTOR, DKIM_PRIVATE_KEY_FILE: set all three to sign mail with DKIM, or none',
      );
    }
  }
  if (problems.length > 0 || !parsed.success) {
    throw configError(problems);
  }
  const values = parsed.data;
  const dataDir = resolve(cwd, values.TOCSIN_DATA_DIR);
  const { secret, source } = values.TOCSIN_SECRET
    ? { secret: values.TOCSIN_SECRET, source: 'environment' as const }
    : ensureSecretFile(dataDir);
  return Object.freeze({
    port: values.PORT,
    host: values.HOST,
    dataDir,
    databaseUrl: values.DATABASE_URL,
    logLevel: values.LOG_LEVEL,
    publicUrl: (values.PUBLIC_URL ?? `http://localhost:${values.PORT}`).replace(/\/+$/, ''),
    secret,
    secretSource: source,
    instanceName: values.TOCSIN_INSTANCE_NAME,
    shutdownTimeoutMs: values.SHUTDOWN_TIMEOUT_MS,
    uploadMaxBytes: values.UPLOAD_MAX_BYTES,
    homeCountry: values.TOCSIN_HOME_COUNTRY,
    routingProfile:
      values.TOCSIN_ROUTING_PROFILE === undefined
        ? defaultRoutingProfile
        : resolve(cwd, values.TOCSIN_ROUTING_PROFILE),
    assessmentFramework:
      values.TOCSIN_ASSESSMENT_FRAMEWORK === undefined
        ? defaultAssessmentFramework
        : resolve(cwd, values.TOCSIN_ASSESSMENT_FRAMEWORK),
    smtpUrl: values.SMTP_URL,
    notificationConfig:
      values.TOCSIN_NOTIFICATION_CONFIG === undefined
        ? defaultNotificationConfig
        : resolve(cwd, values.TOCSIN_NOTIFICATION_CONFIG),
    notifyEveryMs: values.TOCSIN_NOTIFY_EVERY_MS,
    parseWorkers: values.TOCSIN_PARSE_WORKERS ?? defaultParseWorkers(values.DATABASE_URL),
    dkim:
      values.DKIM_DOMAIN !== undefined &&
      values.DKIM_SELECTOR !== undefined &&
      values.DKIM_PRIVATE_KEY_FILE !== undefined
        ? {
            domain: values.DKIM_DOMAIN,
            selector: values.DKIM_SELECTOR,
            privateKeyFile: resolve(cwd, values.DKIM_PRIVATE_KEY_FILE),
          }
        : undefined,
    openpgp:
      values.OPENPGP_SIGNING_KEY_FILE === undefined
        ? undefined
        : {
            signingKeyFile: resolve(cwd, values.OPENPGP_SIGNING_KEY_FILE),
            passphrase: values.OPENPGP_PASSPHRASE,
          },
    mailIntake: {
      port: values.TOCSIN_MAIL_INTAKE_PORT,
      host: values.TOCSIN_MAIL_INTAKE_HOST,
      sendersFile:
        values.TOCSIN_MAIL_INTAKE_SENDERS === undefined
          ? undefined
          : resolve(cwd, values.TOCSIN_MAIL_INTAKE_SENDERS),
      imapUrl: values.IMAP_URL,
      imapPollMs: values.IMAP_POLL_MS,
    },
    reportRateLimit: values.TOCSIN_REPORT_RATE_LIMIT,
    configFile,
  });
}

/** The configuration as an operator may see it: secrets and database passwords hidden. */
export function describeConfig(config: Config): Record<string, string | number> {
  return {
    PORT: config.port,
    HOST: config.host,
    TOCSIN_DATA_DIR: config.dataDir,
    DATABASE_URL: config.databaseUrl === undefined ? '(embedded PGlite)' : redactUrl(config.databaseUrl),
    LOG_LEVEL: config.logLevel,
    PUBLIC_URL: config.publicUrl,
    TOCSIN_SECRET: `(hidden; ${config.secretSource})`,
    TOCSIN_INSTANCE_NAME: config.instanceName,
    SHUTDOWN_TIMEOUT_MS: config.shutdownTimeoutMs,
    UPLOAD_MAX_BYTES: config.uploadMaxBytes,
    TOCSIN_HOME_COUNTRY: config.homeCountry,
    TOCSIN_ROUTING_PROFILE: config.routingProfile,
    TOCSIN_ASSESSMENT_FRAMEWORK: config.assessmentFramework,
    SMTP_URL: config.smtpUrl === undefined ? '(none: database outbox)' : redactUrl(config.smtpUrl),
    TOCSIN_NOTIFICATION_CONFIG: config.notificationConfig,
    TOCSIN_NOTIFY_EVERY_MS: config.notifyEveryMs,
    DKIM_DOMAIN: config.dkim?.domain ?? '(none)',
    DKIM_SELECTOR: config.dkim?.selector ?? '(none)',
    DKIM_PRIVATE_KEY_FILE: config.dkim?.privateKeyFile ?? '(none)',
    OPENPGP_SIGNING_KEY_FILE: config.openpgp?.signingKeyFile ?? '(none)',
    OPENPGP_PASSPHRASE: config.openpgp?.passphrase === undefined ? '(none)' : '(hidden)',
    TOCSIN_MAIL_INTAKE_PORT: config.mailIntake.port ?? '(off)',
    TOCSIN_MAIL_INTAKE_HOST: config.mailIntake.host,
    TOCSIN_MAIL_INTAKE_SENDERS: config.mailIntake.sendersFile ?? '(none: all mail is quarantined)',
    IMAP_URL: config.mailIntake.imapUrl === undefined ? '(off)' : redactUrl(config.mailIntake.imapUrl),
    IMAP_POLL_MS: config.mailIntake.imapPollMs,
    TOCSIN_REPORT_RATE_LIMIT: config.reportRateLimit,
    [configFileVariable]: config.configFile ?? '(none)',
  };
}

export function redactUrl(value: string): string {
  try {
    const url = new URL(value);
    if (url.password !== '') url.password = '***';
    return url.toString();
  } catch {
    return value;
  }
}

function readConfigFile(
  env: Record<string, string | undefined>,
  cwd: string,
): { values: Record<string, unknown>; path: string | undefined } {
  const explicit = env[configFileVariable];
  const path = explicit ? resolve(cwd, explicit) : join(cwd, defaultConfigFile);
  if (!existsSync(path)) {
    if (explicit) throw configError([`${configFileVariable} = "${explicit}": no such file (${path})`]);
    return { values: {}, path: undefined };
  }
  let document: unknown;
  try {
    document = parseYaml(readFileSync(path, 'utf8'));
  } catch (error) {
    throw configError([`${path}: not valid YAML: ${(error as Error).message.split('\n')[0] ?? ''}`]);
  }
  if (document === null || document === undefined) return { values: {}, path };
  if (typeof document !== 'object' || Array.isArray(document)) {
    throw configError([`${path}: expected a mapping of setting names to values (e.g. "PORT: 8080")`]);
  }
  return { values: document as Record<string, unknown>, path };
}

function ensureSecretFile(dataDir: string): { secret: string; source: 'file' | 'generated' } {
  const path = join(dataDir, secretFileName);
  if (existsSync(path)) {
    const secret = readFileSync(path, 'utf8').trim();
    if (secret.length < 32) {
      throw configError([
        `${path}: the stored secret is shorter than 32 characters; delete the file or set TOCSIN_SECRET`,
      ]);
    }
    return { secret, source: 'file' };
  }
  mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(32).toString('base64url');
  // 'wx' fails if another process created the file meanwhile; then its secret is the one to use.
  try {
    writeFileSync(path, `${secret}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return ensureSecretFile(dataDir);
    throw error;
  }
  return { secret, source: 'generated' };
}

function showValue(name: string, value: unknown): string {
  if (value === undefined) return '(unset)';
  if (secretVariables.has(name)) return '(hidden)';
  if (urlVariables.has(name) && typeof value === 'string') return JSON.stringify(redactUrl(value));
  return JSON.stringify(value);
}

function configError(problems: string[]): AppError {
  const noun = problems.length === 1 ? 'problem' : 'problems';
  const message = [
    `Invalid configuration (${problems.length} ${noun}):`,
    ...problems.map((p) => `  - ${p}`),
  ].join('\n');
  return new AppError('platform.config_invalid', message, { details: { problems } });
}
