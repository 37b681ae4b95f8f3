/**
 * The composition root: the only module that reads the environment and the process arguments. It loads the
 * configuration once, builds the adapters (logger, store, HTTP server) and hands them to the CLI.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Hono } from 'hono';
import packageJson from '../package.json' with { type: 'json' };
import { runCli, type CliIo, type CommandContext } from './cli/index.ts';
import { loadConfig, redactUrl, type Config } from './platform/config.ts';
import { migrate, openStore, type Store } from './platform/db/index.ts';
import { startHttpServer, type HttpServer } from './platform/http-server.ts';
import { createLogger, type Logger } from './platform/log.ts';
import { installShutdown } from './platform/shutdown.ts';
import type { ReportProcessor } from './intake/index.ts';
import { createApp, type AppDeps } from './portal/app.ts';
import { demoSource, writeDemoToken } from './demo/index.ts';
import { loadFramework, type Framework } from './assessment/index.ts';
import { assessAndRouteAfterReport, createEnricher, createReportProcessor } from './pipeline/index.ts';
import { loadRoutingProfile } from './routing/index.ts';
import {
  defaultMailLimits,
  loadSenders,
  processMail,
  queueReports,
  startImapPoller,
  startMailListener,
  type SenderList,
} from './mail-intake/index.ts';
import {
  checkSigningKey,
  createNotifier,
  createTransport,
  quietPeriodFor,
  startNotifyLoop,
} from './notification/index.ts';

export const version: string = packageJson.version;

export interface ServiceDeps {
  config: Config;
  log: Logger;
  store: Store;
  /** Builds the HTTP application around the report processor; the full portal unless given. */
  portal?: (processor: ReportProcessor, framework: Framework) => Hono;
}

export interface RunningService {
  server: HttpServer;
  /** Resolves with the exit code once a signal has shut the service down. */
  stopped: Promise<number>;
}

/** Serves the portal until SIGTERM/SIGINT: then in-flight requests finish, the database closes, exit 0. */
export async function startService({ config, log, store, portal }: ServiceDeps): Promise<RunningService> {
  // Validated before anything starts: a malformed framework or profile stops the service with its message.
  const framework = await loadFramework(config.assessmentFramework);
  const profile = loadRoutingProfile(config.routingProfile);
  const senders = loadSenders(config.mailIntake.sendersFile);
  const processor = await createReportProcessor(
    config,
    log,
    store,
    assessAndRouteAfterReport({ store, log, homeCountry: config.homeCountry, profile, framework }),
  );
  const notifier = createNotifier(config, store, profile);
  if (notifier.openpgp !== undefined) {
    log.info({ fingerprint: await checkSigningKey(notifier.openpgp) }, 'warnings are signed with OpenPGP');
  }
  const resumed = await processor.resume(uploadDirectory(config));
  if (resumed > 0) log.info({ reports: resumed }, 'resuming unfinished uploads');
  // `tocsin demo` while the service runs: authorised by a new token in the data directory at each start.
  // Only on the embedded database, whose one process holds the data directory; with a PostgreSQL server
  // (where production runs) the command opens the database itself and the route does not exist.
  const demo =
    config.databaseUrl === undefined
      ? {
          tokenHash: await writeDemoToken(config.dataDir),
          uploadDir: uploadDirectory(config),
          notifyNow: () => notifyLoop.runNow(),
          settleMs: quietPeriodFor(notifier.policy, { provider: demoSource }) + 1000,
        }
      : undefined;
  const app = portal
    ? portal(processor, framework)
    : createPortal(config, log, store, processor, framework, demo);
  const server = await startHttpServer(app, { port: config.port, host: config.host });
  const mailIntake = await startMailIntake(config, log, store, processor, senders).catch(
    async (error: unknown) => {
      await server.close(0);
      throw error;
    },
  );
  const transport = createTransport(config);
  const notifyLoop = startNotifyLoop(
    notifier,
    transport === undefined ? undefined : (m) => transport.send(m),
    config.notifyEveryMs,
    log,
  );
  const stopped = new Promise<number>((resolve) => {
    const uninstall = installShutdown({
      log,
      steps: [
        { name: 'http', run: () => server.close(config.shutdownTimeoutMs) },
        ...(mailIntake === undefined ? [] : [{ name: 'mail intake', run: () => mailIntake.stop() }]),
        { name: 'intake', run: () => processor.stop() },
        {
          name: 'notification',
          run: async () => {
            await notifyLoop.stop();
            transport?.close();
          },
        },
        { name: 'database', run: () => store.close() },
      ],
      exit: (code) => {
        uninstall();
        resolve(code);
      },
    });
  });
  // Logged only once the signal handlers are in place: a supervisor may signal as soon as it reads this.
  log.info({ url: server.url, publicUrl: config.publicUrl, backend: store.backend }, 'listening');
  return { server, stopped };
}

// The report processor's builder lives in pipeline/ so that commands can build the same one.
export { createEnricher, createReportProcessor };

/**
 * E-mail intake, when configured (else undefined): the SMTP listener (TOCSIN_MAIL_INTAKE_PORT) and the
 * IMAP poller (IMAP_URL) hand each message to `processMail`, whose reports go to the same processor as uploads.
 */
export async function startMailIntake(
  config: Config,
  log: Logger,
  store: Store,
  processor: ReportProcessor,
  senders: SenderList,
): Promise<{ stop: () => Promise<void> } | undefined> {
  const { port, host, imapUrl, imapPollMs } = config.mailIntake;
  if (port === undefined && imapUrl === undefined) return undefined;
  const uploadDir = uploadDirectory(config);
  await mkdir(uploadDir, { recursive: true });
  const deps = {
    store,
    sink: queueReports({ store, processor, uploadDir }),
    senders,
    limits: defaultMailLimits,
    workDir: uploadDir,
    log: log.child({ component: 'mail-intake' }),
  };
  const receive = (mail: Parameters<typeof processMail>[1]) => processMail(deps, mail);
  const listener =
    port === undefined
      ? undefined
      : await startMailListener(receive, deps.log, {
          port,
          host,
          maxMessageBytes: defaultMailLimits.maxMessageBytes,
        });
  if (listener !== undefined) {
    log.info({ host, port: listener.port, senders: senders.entries.length }, 'mail intake listening');
  }
  const poller =
    imapUrl === undefined
      ? undefined
      : startImapPoller(receive, deps.log, {
          url: imapUrl,
          everyMs: imapPollMs,
          maxMessageBytes: defaultMailLimits.maxMessageBytes,
        });
  return {
    stop: async () => {
      await poller?.stop();
      await listener?.close();
    },
  };
}

/** Where uploads wait, under their report id, until they are processed. */
export function uploadDirectory(config: Config): string {
  return join(config.dataDir, 'uploads');
}

/** The portal with every route, wired to this configuration. */
export function createPortal(
  config: Config,
  log: Logger,
  store: Store,
  processor: ReportProcessor,
  framework: Framework,
  demo?: AppDeps['demo'],
): Hono {
  return createApp({
    store,
    log,
    instanceName: config.instanceName,
    version,
    framework,
    intake: { processor, uploadDir: uploadDirectory(config), maxUploadBytes: config.uploadMaxBytes },
    reporting: {
      secret: config.secret,
      publicUrl: config.publicUrl,
      rateLimit: config.reportRateLimit,
      // Acknowledgements go out behind the one outward identity of the routing profile.
      mailFrom: loadRoutingProfile(config.routingProfile).identity,
    },
    notification: {
      secret: config.secret,
      transport:
        config.smtpUrl === undefined
          ? 'No SMTP_URL is set: messages stay here, in the database outbox, exactly as they would be sent.'
          : `Messages are delivered through ${redactUrl(config.smtpUrl)}.`,
    },
    ...(demo === undefined ? {} : { demo }),
  });
}

/** Opens the store named by the configuration and brings its schema up to date. */
export async function openMigratedStore(config: Config, log: Logger): Promise<Store> {
  const store = await openStore({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    const { applied, version: schemaVersion } = await migrate(store, { log });
    log.info(
      { backend: store.backend, schemaVersion, applied: applied.length, database: describeDatabase(config) },
      applied.length === 0 ? 'database schema up to date' : 'database migrated',
    );
    return store;
  } catch (error) {
    await store.close();
    throw error;
  }
}

function describeDatabase(config: Config): string {
  return config.databaseUrl === undefined ? `pglite:${config.dataDir}` : redactUrl(config.databaseUrl);
}

export function createContext(
  env: Record<string, string | undefined>,
  cwd: string,
  io: CliIo,
): CommandContext {
  let config: Config | undefined;
  let log: Logger | undefined;
  const context: CommandContext = {
    io,
    version,
    config: () => (config ??= loadConfig({ env, cwd })),
    // Commands log to stderr, so that what they print (an export, JSON) is all that reaches stdout; the
    // service logs to stdout, where a supervisor collects it.
    logger: () => (log ??= createLogger({ level: context.config().logLevel, toStderr: true })),
    openStore: () => openMigratedStore(context.config(), context.logger()),
    openStoreUnmigrated: () => {
      const { databaseUrl, dataDir } = context.config();
      return openStore({ databaseUrl, dataDir });
    },
    serve: async () => {
      log ??= createLogger({ level: context.config().logLevel });
      const store = await context.openStore();
      const { stopped } = await startService({ config: context.config(), log: context.logger(), store });
      return stopped;
    },
  };
  return context;
}

const stdio: CliIo = {
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
  ...(process.stderr.isTTY ? { status: (text: string) => process.stderr.write(`\r\x1b[2K${text}`) } : {}),
};

export async function main(argv: readonly string[] = process.argv.slice(2)): Promise<never> {
  const code = await runCli(argv, createContext(process.env, process.cwd(), stdio));
  process.exit(code);
}

if (import.meta.main) await main();
