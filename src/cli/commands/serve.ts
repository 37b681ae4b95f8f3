import type { Command } from '../command.ts';

export const serveCommand: Command = {
  name: 'serve',
  summary: 'Start the service: HTTP portal and API (migrates the database first)',
  usage: '',
  description:
    'Listens on HOST:PORT until SIGTERM or SIGINT, then stops accepting connections, lets in-flight\n' +
    'requests finish (at most SHUTDOWN_TIMEOUT_MS), closes the database and exits 0.',
  options: {},
  run: (_input, context) => context.serve(),
};
