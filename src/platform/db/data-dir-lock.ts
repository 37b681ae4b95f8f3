import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AppError } from '../../core/index.ts';

/**
 * PGlite is a database inside one process: two processes opening the same directory would corrupt it.
 * A lock file with the owner's pid turns that into a clear error; a lock left by a dead process is taken over.
 */
export function lockDataDirectory(directory: string): () => void {
  mkdirSync(directory, { recursive: true });
  const path = join(directory, 'tocsin.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(path, `${process.pid}\n`, { flag: 'wx' });
      return () => {
        rmSync(path, { force: true });
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = Number.parseInt(readFileSync(path, 'utf8'), 10);
      if (Number.isInteger(owner) && owner !== process.pid && isAlive(owner)) {
        throw new AppError(
          'platform.data_dir_locked',
          `The data directory ${directory} is in use by process ${owner}. The embedded database allows one ` +
            'process at a time: stop that process, use another TOCSIN_DATA_DIR, or set DATABASE_URL.',
          { details: { directory, pid: owner } },
        );
      }
      rmSync(path, { force: true });
    }
  }
  throw new AppError('platform.data_dir_locked', `Could not lock the data directory ${directory}.`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
