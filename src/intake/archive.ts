import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { createGunzip, createGzip } from 'node:zlib';
import type { Store } from '../platform/db/index.ts';
import type { InputContainer } from './input.ts';

export interface ArchivedFile {
  sizeBytes: number;
  sha256: string;
}

const partBytes = 1024 * 1024;

/**
 * Keeps the bytes of a report exactly as received, for audit and re-processing: compressed (gzip, fast level)
 * unless they already are, in 1 MiB parts so that any size streams through. Compression runs on libuv's
 * thread pool, in parallel with parsing.
 */
export async function archiveReportFile(
  store: Store,
  reportId: string,
  path: string,
  container: InputContainer,
): Promise<ArchivedFile> {
  const hash = createHash('sha256');
  let sizeBytes = 0;
  const source = createReadStream(path, { highWaterMark: 256 * 1024 });
  source.on('data', (chunk) => {
    hash.update(chunk as Buffer);
    sizeBytes += (chunk as Buffer).length;
  });
  const encoding = container === 'plain' ? 'gzip' : 'identity';
  const bytes = encoding === 'gzip' ? source.pipe(createGzip({ level: 1 })) : source;
  let part = 0;
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  const flush = async (): Promise<void> => {
    if (pendingBytes === 0) return;
    const data = Buffer.concat(pending, pendingBytes);
    pending = [];
    pendingBytes = 0;
    await store.db
      .insertInto('report_archives')
      .values({ report_id: reportId, part: part++, encoding, data })
      .execute();
  };
  for await (const chunk of bytes) {
    pending.push(chunk as Buffer);
    pendingBytes += (chunk as Buffer).length;
    if (pendingBytes >= partBytes) await flush();
  }
  await flush();
  return { sizeBytes, sha256: hash.digest('hex') };
}

/** The archived bytes of a report, exactly as received (decompressed again when Tocsin compressed them). */
export async function openReportArchive(store: Store, reportId: string): Promise<Readable> {
  const first = await store.db
    .selectFrom('report_archives')
    .select('encoding')
    .where('report_id', '=', reportId)
    .where('part', '=', 0)
    .executeTakeFirst();
  async function* parts(): AsyncGenerator<Buffer> {
    for (let part = 0; ; part++) {
      const row = await store.db
        .selectFrom('report_archives')
        .select('data')
        .where('report_id', '=', reportId)
        .where('part', '=', part)
        .executeTakeFirst();
      if (row === undefined) return;
      yield Buffer.from(row.data);
    }
  }
  const stream = Readable.from(parts());
  return first?.encoding === 'gzip' ? stream.pipe(createGunzip()) : stream;
}
