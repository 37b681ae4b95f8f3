import { join } from 'node:path';
import { loadFramework } from '../../assessment/index.ts';
import { AppError, isAppError } from '../../core/index.ts';
import {
  demoSource,
  demoTokenPath,
  issueDemoAdminKey,
  loadDemo,
  readDemoToken,
  type DemoResult,
} from '../../demo/index.ts';
import { composeDue, createNotifier, type NotifierDeps } from '../../notification/index.ts';
import { assessAndRouteAfterReport, createReportProcessor } from '../../pipeline/index.ts';
import { loadRoutingProfile } from '../../routing/index.ts';
import { withStore, type CliIo, type Command, type CommandContext } from '../command.ts';

export const demoCommand: Command = {
  name: 'demo',
  summary: 'Load a sample directory and sample feeds (fictitious organisations) and make their warnings',
  usage: '[--url URL] [--json]',
  description: [
    'Loads config/demo/: eight fictitious organisations at documentation addresses (vital, central',
    'government, digital service providers, businesses with and without a link organisation, a link',
    'organisation, a foreign CERT) and two small feeds of their findings, from the source tocsin-demo',
    '(reliability B, so its findings are warned about without review). Running it again adds nothing.',
    'While `tocsin serve` runs (it answers /healthz at --url, default http://127.0.0.1:PORT, and wrote',
    '<data dir>/demo-token), the service loads the demo itself and composes the warnings ~10 s later.',
    'Otherwise this command opens the store, loads the demo and composes the warnings at once.',
    'Either way the messages wait in the outbox (/outbox; with SMTP_URL the service sends them to the',
    'example domains, which do not exist), and a new administrator key (source demo-operators, scope',
    'admin) is printed once to open /outbox; the demo key printed before is revoked. See docs/demo.md.',
  ].join('\n'),
  options: { url: { type: 'string' }, json: { type: 'boolean' } },
  run: async ({ values }, context) => {
    const config = context.config();
    const given = values.url as string | undefined;
    const url = (given ?? `http://127.0.0.1:${config.port}`).replace(/\/+$/, '');
    const json = values.json === true;
    // A PostgreSQL server is shared: this command loads the demo itself, and a running service sees it.
    if (config.databaseUrl !== undefined) return inProcess(context, url, json);
    const token = await readDemoToken(config.dataDir);
    if (await answers(url)) {
      if (token === undefined) {
        throw new AppError(
          'core.not_found',
          `A service answers at ${url}, but ${demoTokenPath(config.dataDir)} does not exist: start ` +
            'the service with the same TOCSIN_DATA_DIR as this command (it writes the token at start).',
        );
      }
      return viaService(context.io, url, token, config.dataDir, json);
    }
    if (given !== undefined) {
      throw new AppError('core.not_found', `No service answers at ${url}/healthz.`);
    }
    return inProcess(context, url, json);
  },
};

async function answers(url: string): Promise<boolean> {
  try {
    const response = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2000) });
    await response.body?.cancel();
    return response.ok;
  } catch {
    return false;
  }
}

interface ServiceAnswer extends DemoResult {
  adminKey: string;
  notifyAt: string;
}

async function viaService(io: CliIo, url: string, token: string, dataDir: string, json: boolean) {
  const response = await fetch(`${url}/api/v1/demo`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}` },
  });
  if (response.status === 401) {
    throw new AppError(
      'auth.invalid_credentials',
      `The service at ${url} refused the demo token in ${demoTokenPath(dataDir)}: is it the service of ` +
        'this data directory (the same TOCSIN_DATA_DIR)? It writes a new token at each start.',
    );
  }
  if (response.status !== 202) {
    throw new AppError(
      'core.internal',
      `The service at ${url} answered ${response.status} to the demo: ${await response.text()}`,
    );
  }
  const answer = (await response.json()) as ServiceAnswer;
  if (json) {
    io.out(JSON.stringify({ via: 'service', url, ...answer }));
    return 0;
  }
  io.out(`Demo loaded by the service at ${url}:`);
  printLoaded(io, answer);
  if (answer.reports.every((r) => r.accepted === 0)) {
    io.out('The sample events were loaded before: their findings were told then, so no new warnings.');
  } else {
    const at = new Date(answer.notifyAt);
    io.out(
      `The warnings are composed at ${at.toLocaleTimeString()} (the demo feeds' quiet period has passed then).`,
    );
  }
  printOutbox(io, url, answer.adminKey);
  return 0;
}

async function inProcess(context: CommandContext, url: string, json: boolean): Promise<number> {
  const config = context.config();
  const io = context.io;
  const log = context.logger();
  const framework = await loadFramework(config.assessmentFramework);
  const profile = loadRoutingProfile(config.routingProfile);
  const open = async <T>(fn: Parameters<typeof withStore<T>>[1]): Promise<T> => {
    try {
      return await withStore(context, fn);
    } catch (error) {
      if (isAppError(error) && error.code === 'platform.data_dir_locked') {
        throw new AppError(
          'platform.data_dir_locked',
          `${error.message}\nIf that is tocsin serve on another address, run: tocsin demo --url http://HOST:PORT`,
        );
      }
      throw error;
    }
  };
  return open(async (store) => {
    const processor = await createReportProcessor(
      config,
      log,
      store,
      assessAndRouteAfterReport({ store, log, homeCountry: config.homeCountry, profile, framework }),
    );
    const result = await loadDemo(store, { processor, workDir: join(config.dataDir, 'uploads') });
    const notifier = createNotifier(config, store);
    const plan = await composeDue(withoutDemoQuietPeriod(notifier));
    const admin = await issueDemoAdminKey(store);
    const tickets = plan.tickets.map((t) => ({
      ticket: t.id,
      recipient: t.recipient,
      desk: t.desk,
      template: t.template,
      messages: t.messages.map((m) => ({ to: m.to, subject: m.subject })),
    }));
    if (json) {
      io.out(JSON.stringify({ via: 'store', ...result, tickets, adminKey: admin.key }));
      return 0;
    }
    io.out(
      context.config().databaseUrl === undefined
        ? 'Demo loaded (no service answered, so this command opened the store itself):'
        : 'Demo loaded into the PostgreSQL database by this command (a running service sees it at once):',
    );
    printLoaded(io, result);
    const messages = tickets.reduce((n, t) => n + t.messages.length, 0);
    if (tickets.length === 0) {
      io.out(
        result.reports.every((r) => r.accepted === 0)
          ? 'No new warnings: the sample events were loaded before, and their findings were told then.'
          : 'No warnings are due yet (see tocsin notify run --dry-run).',
      );
    } else {
      io.out(`${tickets.length} warnings made, ${messages} messages in the outbox:`);
      for (const t of tickets) for (const m of t.messages) io.out(`  to ${m.to}: ${m.subject}`);
    }
    if (context.config().databaseUrl === undefined) io.out('Start the service (npm start) to see them.');
    printOutbox(io, url, admin.key);
    return 0;
  });
}

/** The policy with no quiet period for the demo feeds: this one run composes them at once. */
function withoutDemoQuietPeriod(deps: NotifierDeps): NotifierDeps {
  const { quietPeriodMs } = deps.policy;
  return {
    ...deps,
    policy: {
      ...deps.policy,
      quietPeriodMs: { ...quietPeriodMs, feeds: { ...quietPeriodMs.feeds, [demoSource]: 0 } },
    },
  };
}

function printLoaded(io: CliIo, result: DemoResult): void {
  const d = result.directory;
  io.out(
    `  directory: ${d.organisations} organisations, ${d.netobjects} network objects, ${d.contacts} contacts, ` +
      `${d.serves} links, ${d.nationalCerts} national CERTs (config/demo/directory.yaml)`,
  );
  io.out(
    `  source ${result.source.name}: reliability ${result.source.reliability}${result.source.changed ? ' (set now)' : ''}`,
  );
  for (const r of result.reports) {
    io.out(
      `  ${r.file}: report ${r.report} ${r.status}: ${r.accepted} accepted, ${r.duplicates} duplicates, ${r.rejected} rejected`,
    );
  }
}

function printOutbox(io: CliIo, url: string, key: string): void {
  io.out('');
  io.out(`Open ${url}/outbox and sign in with any user name and this administrator key as the password`);
  io.out('(source demo-operators, scope admin; shown only now, and the demo key printed before is revoked):');
  io.out(`  ${key}`);
}
