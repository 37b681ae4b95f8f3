import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { readInputEntries } from './input.ts';

function scratch(name: string, content: Buffer): string {
  const path = join(mkdtempSync(join(tmpdir(), 'tocsin-input-')), name);
  writeFileSync(path, content);
  return path;
}

describe('readInputEntries', () => {
  it.each([
    ['plain', (b: Buffer) => b],
    ['gzip', (b: Buffer) => gzipSync(b, { level: 1 })],
  ])('reads a %s file only as fast as it is consumed, counting bytes as it goes', async (_label, encode) => {
    const content = Buffer.alloc(32 * 1024 * 1024, 'a,b,c\n');
    const file = encode(content);
    const path = scratch('big.csv', file);
    const seen: number[] = [];
    const entries = readInputEntries(path, 'big.csv', { onBytes: (n) => seen.push(n) });
    const first = await entries.next();
    if (first.done === true) throw new Error('no entry');
    const text = first.value.text[Symbol.asyncIterator]();
    await text.next();
    // Give a stream in flowing mode every chance to run ahead of the consumer.
    await sleep(200);
    const readAhead = seen.at(-1) ?? 0;
    expect(readAhead).toBeGreaterThan(0);
    expect(readAhead).toBeLessThan(4 * 1024 * 1024);
    let chars = 0;
    for (let next = await text.next(); next.done !== true; next = await text.next())
      chars += next.value.length;
    expect(seen.at(-1)).toBe(file.length);
    expect(chars).toBeGreaterThan(content.length - 4 * 1024 * 1024);
  });
});
