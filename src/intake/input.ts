import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { pipeline, Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import yauzl from 'yauzl';
import { AppError } from '../core/index.ts';

export type InputContainer = 'plain' | 'gzip' | 'zip';

/** One file to parse: the input itself, the content of a .gz, or one member of a .zip. */
export interface InputEntry {
  name: string;
  text: AsyncIterable<string>;
}

export interface InputOptions {
  /** Most bytes one compressed entry may expand to; a zip or gzip bomb stops here. */
  maxUncompressedBytes?: number;
  /** Called with the number of bytes of the file read so far (plain and gzip inputs), for progress. */
  onBytes?: (bytesRead: number) => void;
}

const defaultMaxUncompressedBytes = 8 * 1024 ** 3;

/*
 * Bytes read at a time. Each piece becomes a string; V8 keeps a string under 128 kB in its young generation,
 * whose pages it reuses, and gives a larger one pages of its own, which the kernel must fault in and later
 * unmap. 1,000,000 `scan_http` rows, pairs of runs taken together (2026-12-07): parsed and prepared in one
 * thread, 64 KiB pieces took 80,000-85,000 page faults and 12.0-13.2 CPU-seconds, 256 KiB pieces
 * 189,000-192,000 and 15.7-19.3; stored on PostgreSQL with one parse worker, 64,473-76,668 rows/s against
 * 50,197-63,341. On another machine (2026-12-03) the speed had been the same within 1 %. The segments
 * several workers parse (`segments.ts`) are read whole instead: in their 8 MB young generations pieces of
 * this size outlive scavenges, and two workers storing the same file spent half again as much CPU.
 */
export const readPieceBytes = 64 * 1024;

/** Recognises gzip and zip by their magic bytes, not by the file name, which a reporter chooses. */
export async function detectContainer(path: string): Promise<InputContainer> {
  const handle = await open(path, 'r');
  try {
    const head = Buffer.alloc(4);
    const { bytesRead } = await handle.read(head, 0, 4, 0);
    if (bytesRead >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
    if (bytesRead === 4 && head.readUInt32LE(0) === 0x04034b50) return 'zip';
    return 'plain';
  } finally {
    await handle.close();
  }
}

/**
 * The entries of an input file, decoded as UTF-8 (invalid bytes become U+FFFD, which the field sanitisers
 * then judge), streamed so that no entry is ever held in memory whole.
 */
export async function* readInputEntries(
  path: string,
  name: string,
  options: InputOptions = {},
): AsyncGenerator<InputEntry> {
  const limit = options.maxUncompressedBytes ?? defaultMaxUncompressedBytes;
  const container = await detectContainer(path);
  if (container === 'zip') {
    yield* readZipEntries(path, name, limit);
    return;
  }
  const file = createReadStream(path, { highWaterMark: readPieceBytes });
  // Counted as the parser pulls, so progress reports what was parsed rather than what was buffered.
  const bytes = options.onBytes ? countBytes(file, options.onBytes) : file;
  if (container === 'plain') {
    yield { name, text: decodeText(bytes) };
  } else {
    yield {
      name: name.replace(/\.gz$/i, ''),
      text: decodeText(limitBytes(gunzip(bytes), limit, name)),
    };
  }
}

/** The inflated bytes; an error on either side (a read error, a corrupt stream) ends the output with it. */
function gunzip(bytes: AsyncIterable<Buffer> | Readable): Readable {
  return pipeline(Readable.from(bytes, { objectMode: false }), createGunzip(), () => undefined);
}

async function* countBytes(stream: Readable, onBytes: (bytesRead: number) => void): AsyncGenerator<Buffer> {
  let read = 0;
  for await (const chunk of stream) {
    read += (chunk as Buffer).length;
    onBytes(read);
    yield chunk as Buffer;
  }
}

async function* readZipEntries(path: string, name: string, limit: number): AsyncGenerator<InputEntry> {
  let zip: yauzl.ZipFile;
  try {
    zip = await new Promise<yauzl.ZipFile>((resolve, reject) => {
      yauzl.open(path, { lazyEntries: true, autoClose: false, strictFileNames: false }, (error, file) => {
        if (error) reject(error);
        else resolve(file);
      });
    });
  } catch (error) {
    throw new AppError(
      'intake.unreadable_input',
      `${name}: not a readable zip archive: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
  try {
    for (;;) {
      const entry = await new Promise<yauzl.Entry | undefined>((resolve, reject) => {
        zip.once('entry', resolve);
        zip.once('end', () => {
          resolve(undefined);
        });
        zip.once('error', reject);
        zip.readEntry();
      });
      zip.removeAllListeners('entry').removeAllListeners('end').removeAllListeners('error');
      if (entry === undefined) return;
      if (entry.fileName.endsWith('/')) continue;
      if (entry.uncompressedSize > limit) {
        throw new AppError(
          'intake.unreadable_input',
          `${name}: member ${entry.fileName} would expand to ${entry.uncompressedSize} bytes, over the limit of ${limit}`,
        );
      }
      const stream = await new Promise<Readable>((resolve, reject) => {
        zip.openReadStream(entry, (error, opened) => {
          if (error) reject(error);
          else resolve(opened);
        });
      });
      yield { name: baseName(entry.fileName), text: decodeText(limitBytes(stream, limit, entry.fileName)) };
    }
  } finally {
    zip.close();
  }
}

function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

async function* limitBytes(stream: Readable, limit: number, name: string): AsyncGenerator<Buffer> {
  let total = 0;
  for await (const chunk of stream) {
    const buffer = chunk as Buffer;
    total += buffer.length;
    if (total > limit) {
      stream.destroy();
      throw new AppError('intake.unreadable_input', `${name}: expands beyond the limit of ${limit} bytes`);
    }
    yield buffer;
  }
}

async function* decodeText(bytes: AsyncIterable<unknown>): AsyncGenerator<string> {
  const decoder = new TextDecoder('utf-8');
  try {
    for await (const chunk of bytes) {
      const text = decoder.decode(chunk as Uint8Array, { stream: true });
      if (text.length > 0) yield text;
    }
  } catch (error) {
    if (error instanceof AppError) throw error;
    throw new AppError('intake.unreadable_input', `cannot read the input: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const rest = decoder.decode();
  if (rest.length > 0) yield rest;
}
