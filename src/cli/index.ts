import { parseArgs } from 'node:util';
import { isAppError } from '../core/index.ts';
import type { Command, CommandContext } from './command.ts';
import {
  assessCommand,
  assessOverrideCommand,
  frameworkShowCommand,
  reviewApproveCommand,
  reviewListCommand,
  reviewRejectCommand,
  sourcesSetReliabilityCommand,
  sourcesShowCommand,
} from './commands/assess.ts';
import { configCommand } from './commands/config.ts';
import { demoCommand } from './commands/demo.ts';
import {
  directoryExportCommand,
  directoryImportCommand,
  directoryImportRipeCommand,
} from './commands/directory.ts';
import { eventsExportCommand } from './commands/events.ts';
import { feedsUpdateSchemaCommand } from './commands/feeds.ts';
import { ingestCommand } from './commands/ingest.ts';
import { keysCreateCommand, keysListCommand, keysRevokeCommand } from './commands/keys.ts';
import { lookupCommand } from './commands/lookup.ts';
import { directivesListCommand, routeCommand } from './commands/route.ts';
import { migrateCommand } from './commands/migrate.ts';
import { notifyRunCommand } from './commands/notify.ts';
import {
  quarantineDiscardCommand,
  quarantineListCommand,
  quarantineReleaseCommand,
  quarantineShowCommand,
} from './commands/quarantine.ts';
import {
  reportsForgetCommand,
  reportsListCommand,
  reportsMessageCommand,
  reportsShowCommand,
} from './commands/reports.ts';
import { serveCommand } from './commands/serve.ts';
import { ticketsListCommand, ticketsShowCommand } from './commands/tickets.ts';

export type { Command, CommandContext, CliIo } from './command.ts';

/** Exit codes: 0 done, 1 failed, 2 usage or configuration error (nothing was attempted). */
export const exitCodes = { ok: 0, failed: 1, usage: 2 } as const;

export const commands: readonly Command[] = [
  serveCommand,
  ingestCommand,
  eventsExportCommand,
  directoryImportCommand,
  directoryExportCommand,
  directoryImportRipeCommand,
  feedsUpdateSchemaCommand,
  lookupCommand,
  routeCommand,
  directivesListCommand,
  frameworkShowCommand,
  assessCommand,
  assessOverrideCommand,
  reviewListCommand,
  reviewApproveCommand,
  reviewRejectCommand,
  sourcesShowCommand,
  sourcesSetReliabilityCommand,
  notifyRunCommand,
  ticketsListCommand,
  ticketsShowCommand,
  reportsListCommand,
  reportsShowCommand,
  reportsMessageCommand,
  reportsForgetCommand,
  quarantineListCommand,
  quarantineShowCommand,
  quarantineReleaseCommand,
  quarantineDiscardCommand,
  keysCreateCommand,
  keysListCommand,
  keysRevokeCommand,
  demoCommand,
  migrateCommand,
  configCommand,
];

export function usage(version: string): string {
  const width = Math.max(...commands.map((c) => c.name.length), 'help'.length);
  return [
    `tocsin ${version}: national cyber-threat reporting and warning platform`,
    '',
    'Usage: tocsin <command> [options]',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    `  ${'help'.padEnd(width)}  Show help for a command (tocsin help <command>)`,
    '',
    'Options: --help, -h  show help; --version, -v  print the version',
    'Configuration comes from the environment and tocsin.config.yaml; see `tocsin config` and .env.example.',
  ].join('\n');
}

function commandHelp(command: Command): string {
  const lines = [
    `Usage: tocsin ${command.name}${command.usage ? ` ${command.usage}` : ''}`,
    '',
    command.summary,
  ];
  if (command.description) lines.push('', command.description);
  return lines.join('\n');
}

/** Parses the command line, runs the command and returns the process exit code. */
export async function runCli(argv: readonly string[], context: CommandContext): Promise<number> {
  const { io } = context;
  const [name, ...rest] = argv;
  if (name === undefined) {
    io.err(usage(context.version));
    return exitCodes.usage;
  }
  if (name === '--help' || name === '-h') {
    io.out(usage(context.version));
    return exitCodes.ok;
  }
  if (name === '--version' || name === '-v') {
    io.out(context.version);
    return exitCodes.ok;
  }
  if (name === 'help') {
    const topic = rest.join(' ');
    const command = commands.find((c) => c.name === topic);
    if (topic !== '' && command === undefined) {
      io.err(`tocsin: unknown command '${topic}'\n\n${usage(context.version)}`);
      return exitCodes.usage;
    }
    io.out(command ? commandHelp(command) : usage(context.version));
    return exitCodes.ok;
  }
  // Commands are one word (`ingest`) or a group and a verb (`events export`).
  const pair = rest[0] === undefined ? undefined : `${name} ${rest[0]}`;
  const command = commands.find((c) => c.name === pair) ?? commands.find((c) => c.name === name);
  if (command === undefined) {
    const group = commands.filter((c) => c.name.startsWith(`${name} `));
    if (group.length > 0) {
      const what = rest[0] === undefined ? 'needs a subcommand' : `has no subcommand '${rest[0]}'`;
      io.err(`tocsin ${name} ${what}:\n${group.map((c) => `  tocsin ${c.name}  ${c.summary}`).join('\n')}`);
      return exitCodes.usage;
    }
    io.err(`tocsin: unknown command '${name}'\n\n${usage(context.version)}`);
    return exitCodes.usage;
  }
  if (command.name === pair) rest.shift();
  if (rest.includes('--help') || rest.includes('-h')) {
    io.out(commandHelp(command));
    return exitCodes.ok;
  }
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: [...rest], options: command.options, strict: true, allowPositionals: true });
  } catch (error) {
    io.err(`tocsin ${command.name}: ${(error as Error).message}\n\n${commandHelp(command)}`);
    return exitCodes.usage;
  }
  const { min, max } = command.positionals ?? { min: 0, max: 0 };
  if (parsed.positionals.length < min || parsed.positionals.length > max) {
    const unexpected =
      parsed.positionals.length > max
        ? `unexpected argument '${parsed.positionals[max] ?? ''}'`
        : 'missing argument';
    io.err(`tocsin ${command.name}: ${unexpected}\n\n${commandHelp(command)}`);
    return exitCodes.usage;
  }
  try {
    return await command.run({ values: parsed.values, positionals: parsed.positionals }, context);
  } catch (error) {
    if (isAppError(error)) {
      io.err(error.message);
      // A bad configuration (the environment, or the framework file it names) is a usage error: exit 2.
      return error.code === 'platform.config_invalid' ||
        error.code === 'assessment.framework_invalid' ||
        error.code === 'cli.usage'
        ? exitCodes.usage
        : exitCodes.failed;
    }
    throw error;
  }
}
