import { describeConfig } from '../../platform/config.ts';
import type { Command } from '../command.ts';

export const configCommand: Command = {
  name: 'config',
  summary: 'Validate the configuration and print the values in effect (secrets hidden)',
  usage: '[--json]',
  options: { json: { type: 'boolean' } },
  run: async ({ values }, context) => {
    const shown = describeConfig(context.config());
    if (values.json === true) {
      context.io.out(JSON.stringify(shown));
    } else {
      const width = Math.max(...Object.keys(shown).map((k) => k.length));
      for (const [key, value] of Object.entries(shown)) context.io.out(`${key.padEnd(width)}  ${value}`);
    }
    return 0;
  },
};
