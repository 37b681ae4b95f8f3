import { basename } from 'node:path';
import { readRipeSplitFile } from './ripe-import.ts';
import { readRpslObjects } from './rpsl.ts';

const contactClasses = new Set(['organisation', 'role']);
const netObjectClasses = new Set(['inetnum', 'inet6num', 'aut-num']);

/**
 * Sorts RIPE files into the two passes of the import: by RIPE's split-file name (`ripe.db.<class>`, with
 * or without `.gz`) when it has one, else by the class of the first object inside. A file whose first
 * object is of neither kind (a full dump, `ripe.db.gz`) goes to both passes: each skips what it does not read.
 */
export async function classifyRipeFiles(
  paths: readonly string[],
): Promise<{ contactFiles: string[]; netObjectFiles: string[] }> {
  const contactFiles: string[] = [];
  const netObjectFiles: string[] = [];
  for (const path of paths) {
    const objectClass =
      /^ripe\.db\.([a-z0-9-]+?)(?:\.gz)?$/.exec(basename(path))?.[1] ?? (await firstClass(path));
    if (objectClass !== undefined && contactClasses.has(objectClass)) contactFiles.push(path);
    else if (objectClass !== undefined && netObjectClasses.has(objectClass)) netObjectFiles.push(path);
    else {
      contactFiles.push(path);
      netObjectFiles.push(path);
    }
  }
  return { contactFiles, netObjectFiles };
}

async function firstClass(path: string): Promise<string | undefined> {
  for await (const batch of readRpslObjects(readRipeSplitFile(path), { batchSize: 1 })) {
    for (const item of batch) if (item.kind === 'object') return item.class;
  }
  return undefined;
}
