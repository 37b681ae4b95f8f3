import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { AppError } from '../../core/index.ts';
import { exportEvents, exportFormats, type ExportFormat } from '../../intake/index.ts';
import type { Command } from '../command.ts';

export const eventsExportCommand: Command = {
  name: 'events export',
  summary: 'Write stored events as IntelMQ JSON lines, Tocsin JSON lines or CSV',
  usage: '--format intelmq|jsonl|csv [--since ISO-8601] [--out FILE]',
  description: [
    "intelmq: IntelMQ events (dotted keys, extra.* flat, raw base64), nothing of Tocsin's own added.",
    "jsonl:   Tocsin's full record: id, IDF fields, raw, report ids, owner, assessment, directives.",
    'csv:     fixed columns for spreadsheets, the other fields as JSON in the last column.',
    'Without --out the export goes to standard output.',
  ].join('\n'),
  options: { format: { type: 'string' }, since: { type: 'string' }, out: { type: 'string' } },
  run: async ({ values }, context) => {
    const format = values.format as string | undefined;
    if (format === undefined || !(exportFormats as readonly string[]).includes(format)) {
      throw new AppError('cli.usage', `--format must be one of ${exportFormats.join(', ')}`);
    }
    const sinceText = values.since as string | undefined;
    const since = sinceText === undefined ? undefined : new Date(sinceText);
    if (since !== undefined && Number.isNaN(since.getTime())) {
      throw new AppError('cli.usage', `--since ${JSON.stringify(sinceText)}: expected an ISO-8601 time`);
    }
    const outFile = values.out as string | undefined;
    const out = outFile === undefined ? process.stdout : createWriteStream(outFile);
    const store = await context.openStore();
    try {
      for await (const chunk of exportEvents(store, { format: format as ExportFormat, since })) {
        if (!out.write(chunk)) await once(out, 'drain');
      }
    } finally {
      await store.close();
      if (outFile !== undefined) {
        out.end();
        await once(out, 'finish');
      }
    }
    return 0;
  },
};
