import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BufferPool, ByteBuilder, CopyRowsBuilder, pickCopyRows } from './copy-buffer.ts';
import { encodeCopyRow } from './copy-text.ts';

describe('COPY rows as bytes', () => {
  it('pick out exactly the rows asked for, in order, whatever their text', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.string({ unit: 'binary' }), fc.integer(), fc.boolean()), { maxLength: 300 }),
        (rows) => {
          const builder = new CopyRowsBuilder();
          const texts = rows.map(([text, number]) => encodeCopyRow([text, number]));
          for (const text of texts) builder.add(text);
          const built = builder.finish();
          expect(built.ends.length).toBe(rows.length);
          const picked = pickCopyRows(built, (at) => rows[at]?.[2] === true);
          const expected = texts.filter((_, at) => rows[at]?.[2] === true).join('');
          expect(Buffer.from(picked).toString('utf8')).toBe(expected);
          expect(Buffer.from(pickCopyRows(built, () => true)).toString('utf8')).toBe(texts.join(''));
          expect(pickCopyRows(built, () => false).byteLength).toBe(0);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('grow past their first buffer and hand over bytes of their own', () => {
    const bytes = new ByteBuilder(4);
    for (let at = 0; at < 5000; at++) bytes.writeUtf8(`é💡${at}`);
    bytes.writeByte(0x0a);
    const own = bytes.bytes();
    expect(own.byteOffset).toBe(0);
    expect(own.byteLength).toBe(own.buffer.byteLength);
    const text = Buffer.from(own).toString('utf8');
    expect(text.startsWith('é💡0é💡1')).toBe(true);
    expect(text.endsWith('é💡4999\n')).toBe(true);
  });

  it('reuse a finished builder’s buffer through a pool, its old bytes never showing through', () => {
    const pool = new BufferPool(1);
    const first = new CopyRowsBuilder(pool);
    for (let at = 0; at < 3000; at++) first.add(encodeCopyRow([`first-${at}`, at]));
    const firstRows = first.finish();
    expect(firstRows.ends.length).toBe(3000);
    const spare = pool.take();
    expect(spare?.byteLength).toBeGreaterThan(3000 * 10);
    pool.give(spare as Buffer);
    const second = new CopyRowsBuilder(pool);
    // The second builder writes into the first one's buffer, taken from the pool.
    expect(pool.take()).toBeUndefined();
    second.add(encodeCopyRow(['second', 1]));
    const secondRows = second.finish();
    expect(Buffer.from(secondRows.bytes).toString('utf8')).toBe('second\t1\n');
    // What was handed over before is a copy of its own, untouched by the reuse.
    expect(Buffer.from(firstRows.bytes).toString('utf8').startsWith('first-0\t0\nfirst-1\t1\n')).toBe(true);
    // A released builder holds nothing; a pool keeps no more buffers than it was told to.
    const bytes = new ByteBuilder(16, pool);
    bytes.writeUtf8('abc');
    bytes.release();
    expect(bytes.view().byteLength).toBe(0);
    pool.give(Buffer.alloc(8));
    expect(pool.take()).toBeDefined();
    expect(pool.take()).toBeUndefined();
  });
});
