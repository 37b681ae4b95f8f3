import type { Store } from '../platform/db/index.ts';
import { readManualDirectory } from './directory.repo.ts';
import type { DirectoryFormat } from './import-directory.ts';
import { formatDirectoryCsv, formatDirectoryYaml } from './yaml-format.ts';

/**
 * The manual directory as YAML or CSV, in the form `importDirectory` reads back (an export imported into an
 * empty store gives the same rows). Imported registry data is left out: it is re-imported from its source.
 */
export async function exportDirectory(store: Store, format: DirectoryFormat): Promise<string> {
  const directory = await readManualDirectory(store.db);
  return format === 'csv' ? formatDirectoryCsv(directory) : formatDirectoryYaml(directory);
}
