import { describe, expect, it } from 'vitest';
import { encodeCopyRow } from './copy-text.ts';

describe('encodeCopyRow', () => {
  it.each([
    ['NULL as \\N', [null, undefined], '\\N\t\\N\n'],
    ['an empty string as nothing, distinct from NULL', [''], '\n'],
    [
      'tabs, newlines, carriage returns and backslashes escaped; quotes and commas as they are',
      ['a\tb', 'say "hi", then', 'line\nbreak\r', 'C:\\path'],
      'a\\tb\tsay "hi", then\tline\\nbreak\\r\tC:\\\\path\n',
    ],
    ['a backslash-N that is text, not NULL', ['\\N'], '\\\\N\n'],
    [
      'numbers and bigints',
      [1, -2.5, 10n, Number.POSITIVE_INFINITY, Number.NaN],
      '1\t-2.5\t10\tInfinity\tNaN\n',
    ],
    ['booleans', [true, false], 't\tf\n'],
    ['dates as ISO-8601', [new Date('2026-01-02T03:04:05.678Z')], '2026-01-02T03:04:05.678Z\n'],
    ['bytes as bytea hex', [new Uint8Array([0, 255, 16])], '\\\\x00ff10\n'],
    ['objects as JSON', [{ a: '"x"\n', b: [1] }], '{"a":"\\\\"x\\\\"\\\\n","b":[1]}\n'],
  ])('encodes %s', (_label, values, expected) => {
    expect(encodeCopyRow(values)).toBe(expected);
  });
});
