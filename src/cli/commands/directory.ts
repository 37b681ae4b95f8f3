import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { AppError } from '../../core/index.ts';
import {
  classifyRipeFiles,
  directoryFormats,
  exportDirectory,
  formatProblem,
  importDirectoryFiles,
  importRipe,
  type DirectoryFormat,
} from '../../directory/index.ts';
import type { Command } from '../command.ts';

function formatOption(value: unknown): DirectoryFormat | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !(directoryFormats as readonly string[]).includes(value))
    throw new AppError('cli.usage', `--format must be one of ${directoryFormats.join(', ')}`);
  return value as DirectoryFormat;
}

function requireFiles(paths: readonly string[]): void {
  const missing = paths.filter((path) => !existsSync(path));
  if (missing.length > 0)
    throw new AppError('core.not_found', missing.map((path) => `${path}: no such file`).join('\n'));
}

export const directoryImportCommand: Command = {
  name: 'directory import',
  summary: 'Import directory files (YAML or CSV) as manual entries: all or nothing',
  usage: 'FILE... [--format yaml|csv] [--replace] [--json]',
  description: [
    'Organisations, their network objects, contacts and links, national CERTs and desks (see',
    'config/directory/example.yaml). Each organisation in the files is authoritative for its own network',
    'objects, contacts and links. --replace also removes manual organisations, national CERTs and desks that',
    'the files do not list. Imported registry data is never touched.',
    'When any record is wrong nothing is written and every problem is printed (file: record: field: reason);',
    'exit 1. The format follows from the name (.csv is CSV, else YAML) unless --format is given.',
  ].join('\n'),
  options: { format: { type: 'string' }, replace: { type: 'boolean' }, json: { type: 'boolean' } },
  positionals: { min: 1, max: Number.POSITIVE_INFINITY },
  run: async ({ values, positionals }, context) => {
    const format = formatOption(values.format);
    requireFiles(positionals);
    const store = await context.openStore();
    try {
      const result = await importDirectoryFiles(store, positionals, {
        ...(format === undefined ? {} : { format }),
        replace: values.replace === true,
      });
      if (values.json === true) context.io.out(JSON.stringify(result));
      if (!result.ok) {
        if (values.json !== true) {
          context.io.err(`nothing imported: ${result.problems.length} problem(s)`);
          for (const problem of result.problems) context.io.err(formatProblem(problem));
        }
        return 1;
      }
      if (values.json !== true) {
        const { written, removed } = result;
        context.io.out(
          `imported ${written.organisations} organisations, ${written.netobjects} network objects, ` +
            `${written.contacts} contacts, ${written.serves} links, ${written.nationalCerts} national CERTs, ` +
            `${written.desks} desks`,
        );
        const gone = Object.entries(removed).filter(([, count]) => count > 0);
        if (gone.length > 0)
          context.io.out(`removed ${gone.map(([what, count]) => `${count} ${what}`).join(', ')}`);
      }
      return 0;
    } finally {
      await store.close();
    }
  },
};

export const directoryExportCommand: Command = {
  name: 'directory export',
  summary: 'Write the manual directory as YAML or CSV (the form directory import reads)',
  usage: '[--format yaml|csv] [--out FILE]',
  description: 'Without --out the export goes to standard output. Imported registry data is left out.',
  options: { format: { type: 'string' }, out: { type: 'string' } },
  run: async ({ values }, context) => {
    const format = formatOption(values.format) ?? 'yaml';
    const store = await context.openStore();
    let text: string;
    try {
      text = await exportDirectory(store, format);
    } finally {
      await store.close();
    }
    const out = values.out as string | undefined;
    if (out === undefined) process.stdout.write(text);
    else await writeFile(out, text);
    return 0;
  },
};

export const directoryImportRipeCommand: Command = {
  name: 'directory import-ripe',
  summary: 'Import RIPE database split files (.gz too) into imported network objects and abuse contacts',
  usage: '--name NAME [--country CC] [--json] FILE...',
  description: [
    'FILEs: ripe.db.organisation, ripe.db.role, ripe.db.inetnum, ripe.db.inet6num, ripe.db.aut-num (as',
    'RIPE publishes them at ftp.ripe.net/ripe/dbase/split/, gzipped or not); other names are sorted by the',
    'class of their first object. The rows get source import:NAME; running it again with the same NAME',
    'replaces that import (never manual entries) in one transaction. --country keeps only objects of that',
    'country (an aut-num by its organisation). Problems are listed with file, line and field; exit 0.',
  ].join('\n'),
  options: { name: { type: 'string' }, country: { type: 'string' }, json: { type: 'boolean' } },
  positionals: { min: 1, max: Number.POSITIVE_INFINITY },
  run: async ({ values, positionals }, context) => {
    const name = values.name as string | undefined;
    if (name === undefined || !/^[a-z0-9][a-z0-9._-]{0,63}$/.test(name))
      throw new AppError('cli.usage', '--name NAME is required: a lower-case name such as ripe or ripe-nl');
    const country = values.country as string | undefined;
    if (country !== undefined && !/^[A-Za-z]{2}$/.test(country))
      throw new AppError('cli.usage', `--country ${country}: expected a two-letter country code`);
    requireFiles(positionals);
    const files = await classifyRipeFiles(positionals);
    const store = await context.openStore();
    try {
      const result = await importRipe(store, {
        name,
        ...files,
        ...(country === undefined ? {} : { country }),
      });
      if (values.json === true) {
        context.io.out(JSON.stringify(result));
        return 0;
      }
      context.io.out(
        `import:${name}: ${result.netobjects} network objects, ${result.organisations} organisations, ` +
          `${result.contacts} abuse contacts (replaced ${result.replaced} rows), ${result.problemCount} problems`,
      );
      for (const problem of result.problems.slice(0, 20)) {
        context.io.out(
          `  ${problem.file ?? '?'}:${problem.line}${problem.field === undefined ? '' : ` [${problem.field}]`}: ${problem.reason}`,
        );
      }
      if (result.problemCount > 20) context.io.out(`  ... ${result.problemCount - 20} more (see --json)`);
      return 0;
    } finally {
      await store.close();
    }
  },
};
