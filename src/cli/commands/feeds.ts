import { AppError } from '../../core/index.ts';
import {
  defaultShadowserverSchemaUrl,
  installShadowserverSchema,
  shadowserverSchemaPath,
} from '../../intake/index.ts';
import type { Command } from '../command.ts';

export const feedsUpdateSchemaCommand: Command = {
  name: 'feeds update-schema',
  summary: "Install Shadowserver's report schema (intelmq.json) into the data directory",
  usage: '[--file PATH | --url URL]',
  description: `Default URL: ${defaultShadowserverSchemaUrl}. The schema is validated before it replaces the installed one.`,
  options: { file: { type: 'string' }, url: { type: 'string' } },
  run: async ({ values }, context) => {
    const file = values.file as string | undefined;
    const url = values.url as string | undefined;
    if (file !== undefined && url !== undefined)
      throw new AppError('cli.usage', 'give --file or --url, not both');
    const target = shadowserverSchemaPath(context.config().dataDir);
    const installed = await installShadowserverSchema(
      target,
      file === undefined ? { url: url ?? defaultShadowserverSchemaUrl } : { file },
    );
    context.io.out(
      `Installed the Shadowserver schema (${installed.reportTypes} report types` +
        `${installed.created ? `, created ${installed.created}` : ''}) at ${installed.path}`,
    );
    return 0;
  },
};
