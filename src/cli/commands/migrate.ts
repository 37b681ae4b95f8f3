import { migrate } from '../../platform/db/index.ts';
import type { Command } from '../command.ts';

export const migrateCommand: Command = {
  name: 'migrate',
  summary: 'Apply pending database migrations and print what was applied',
  usage: '[--json]',
  description:
    'Safe to run from several processes at once: an advisory lock lets one apply each migration,\n' +
    'the others wait and find nothing left to do.',
  options: { json: { type: 'boolean' } },
  run: async ({ values }, context) => {
    const store = await context.openStoreUnmigrated();
    try {
      const result = await migrate(store, { log: context.logger() });
      if (values.json === true) {
        context.io.out(
          JSON.stringify({
            backend: store.backend,
            version: result.version,
            applied: result.applied.map((m) => ({ version: m.version, name: m.name })),
          }),
        );
      } else if (result.applied.length === 0) {
        context.io.out(`Database schema is up to date (version ${result.version}, ${store.backend}).`);
      } else {
        for (const m of result.applied)
          context.io.out(`applied ${String(m.version).padStart(4, '0')}_${m.name}`);
        context.io.out(`Database schema is at version ${result.version} (${store.backend}).`);
      }
      return 0;
    } finally {
      await store.close();
    }
  },
};
