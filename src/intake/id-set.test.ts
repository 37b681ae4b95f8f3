import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { IdSet } from './id-set.ts';

describe('the ids of a batch', () => {
  it('tell a repeat from a new id as a set does, keys shared or not, through growth and reuse', () => {
    // Few keys for many ids, so that ids share keys; more ids than the first table holds, so that it grows.
    const item = fc.tuple(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: 30_000 }));
    fc.assert(
      fc.property(
        fc.array(fc.array(item, { maxLength: 20_000 }), { minLength: 1, maxLength: 3 }),
        (batches) => {
          for (const batch of batches) {
            // A set per batch, each taking the table the one before gave back.
            const ids = new IdSet();
            const reference = new Set<string>();
            for (const [key, n] of batch) {
              const id = `${key}:${n}`;
              expect(ids.seenBefore(key, id)).toBe(reference.has(id));
              reference.add(id);
            }
            ids.release();
          }
        },
      ),
      { numRuns: 20 },
    );
  });

  it('start empty after the set before them is released, and can be released twice', () => {
    const first = new IdSet();
    expect(first.seenBefore(7, 'a')).toBe(false);
    expect(first.seenBefore(7, 'a')).toBe(true);
    first.release();
    first.release();
    const second = new IdSet();
    expect(second.seenBefore(7, 'a')).toBe(false);
    expect(second.seenBefore(7, 'b')).toBe(false);
    expect(second.seenBefore(7, 'b')).toBe(true);
  });
});
