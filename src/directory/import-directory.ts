import { readFile } from 'node:fs/promises';
import type { Store } from '../platform/db/index.ts';
import { checkDirectory } from './check-directory.ts';
import { listManualOrganisationIds, writeManualDirectory, type DirectoryCounts } from './directory.repo.ts';
import type { DirectoryProblem } from './model.ts';
import { parseDirectoryCsv, parseDirectoryYaml, type ParsedDirectory } from './yaml-format.ts';

export const directoryFormats = ['yaml', 'csv'] as const;
export type DirectoryFormat = (typeof directoryFormats)[number];

export interface DirectoryFile {
  /** The name problems are reported under (usually the path). */
  name: string;
  text: string;
  format: DirectoryFormat;
}

export type DirectoryImportResult =
  | { ok: true; written: DirectoryCounts; removed: DirectoryCounts }
  | { ok: false; problems: DirectoryProblem[] };

/** `.csv` is CSV; anything else (`.yaml`, `.yml`) is YAML. */
export function directoryFormatOf(path: string): DirectoryFormat {
  return path.toLowerCase().endsWith('.csv') ? 'csv' : 'yaml';
}

export function parseDirectoryFile(file: DirectoryFile): ParsedDirectory {
  return file.format === 'csv'
    ? parseDirectoryCsv(file.text, file.name)
    : parseDirectoryYaml(file.text, file.name);
}

/**
 * Imports directory files as manual entries, all or nothing: every file is read and checked first, and
 * when any record is wrong nothing is written and every problem is returned (file, record, field), so a
 * directory is never left half-updated. The files together are applied in one transaction.
 *
 * @example
 * const result = await importDirectory(store, [{ name: 'dir.yaml', text, format: 'yaml' }]);
 * if (!result.ok) for (const p of result.problems) console.error(formatProblem(p));
 */
export async function importDirectory(
  store: Store,
  files: readonly DirectoryFile[],
  options: { replace?: boolean } = {},
): Promise<DirectoryImportResult> {
  const parsed = files.map(parseDirectoryFile);
  return store.db.transaction().execute(async (trx) => {
    // With `replace`, stored organisations absent from the files are about to go: references need the files.
    const stored = options.replace === true ? new Set<string>() : await listManualOrganisationIds(trx);
    const { directory, problems } = checkDirectory(parsed, stored);
    if (problems.length > 0) return { ok: false, problems };
    return { ok: true, ...(await writeManualDirectory(trx, directory, options)) };
  });
}

/** `importDirectory` over paths; the format comes from each name unless given. */
export async function importDirectoryFiles(
  store: Store,
  paths: readonly string[],
  options: { format?: DirectoryFormat; replace?: boolean } = {},
): Promise<DirectoryImportResult> {
  const files = await Promise.all(
    paths.map(async (path) => ({
      name: path,
      text: await readFile(path, 'utf8'),
      format: options.format ?? directoryFormatOf(path),
    })),
  );
  return importDirectory(store, files, options);
}
