import { describe, expect, it } from 'vitest';
import { encodeCopyRow } from './copy-csv.ts';

describe('encodeCopyRow', () => {
  it.each([
    ['NULL as an empty field', [null, undefined], ',\n'],
    ['an empty string, quoted', [''], '""\n'],
    [
      'separators, quotes and newlines',
      ['a,b', 'say "hi"', 'line\nbreak'],
      '"a,b","say ""hi""","line\nbreak"\n',
    ],
    ['numbers and bigints', [1, -2.5, 10n, Number.POSITIVE_INFINITY, Number.NaN], '1,-2.5,10,Infinity,NaN\n'],
    ['booleans', [true, false], 't,f\n'],
    ['dates as ISO-8601', [new Date('2026-01-02T03:04:05.678Z')], '2026-01-02T03:04:05.678Z\n'],
    ['bytes as bytea hex', [new Uint8Array([0, 255, 16])], '\\x00ff10\n'],
    ['objects as JSON', [{ a: '"x"', b: [1] }], '"{""a"":""\\""x\\"""",""b"":[1]}"\n'],
  ])('encodes %s', (_label, values, expected) => {
    expect(encodeCopyRow(values)).toBe(expected);
  });
});
