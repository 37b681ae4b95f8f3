/**
 * The demo token: `tocsin serve` writes a new random one to `<dataDir>/demo-token` (mode 0600) at each
 * start and keeps only its hash; `tocsin demo` reads the file and presents it to `POST /api/v1/demo`. So
 * only who can read the data directory (which holds the embedded database and the instance secret anyway)
 * can load the demo into a running service.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export function demoTokenPath(dataDir: string): string {
  return join(dataDir, 'demo-token');
}

function hash(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}

/** Writes a new token (replacing any earlier one) and returns its SHA-256. */
export async function writeDemoToken(dataDir: string): Promise<Buffer> {
  const token = randomBytes(32).toString('base64url');
  const path = demoTokenPath(dataDir);
  await mkdir(dataDir, { recursive: true });
  // Removed first: the mode of `writeFile` applies only to a file it creates.
  await rm(path, { force: true });
  await writeFile(path, `${token}\n`, { mode: 0o600, flag: 'wx' });
  return hash(token);
}

/** The token a running service wrote, if the file is there. */
export async function readDemoToken(dataDir: string): Promise<string | undefined> {
  const path = demoTokenPath(dataDir);
  if (!existsSync(path)) return undefined;
  const token = (await readFile(path, 'utf8')).trim();
  return token === '' ? undefined : token;
}

/** Whether `presented` is the token whose hash is `expected`, compared in constant time. */
export function isDemoToken(expected: Buffer, presented: string): boolean {
  const actual = hash(presented);
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}
