import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backend, createTestStore } from '../../../test/db.ts';
import type { Store } from '../db/index.ts';
import { BinaryRowsBuilder, encodeBinaryField } from './copy-binary.ts';
import { pickCopyRows } from './copy-buffer.ts';

const two = (n: number): string => String(n).padStart(2, '0');

/** A time as the sanitiser writes it (and the other forms the encoder reads), leap seconds included. */
const time = fc
  .record({
    year: fc.integer({ min: 1, max: 9999 }),
    month: fc.integer({ min: 1, max: 12 }),
    day: fc.integer({ min: 1, max: 31 }),
    hour: fc.integer({ min: 0, max: 23 }),
    minute: fc.integer({ min: 0, max: 59 }),
    second: fc.integer({ min: 0, max: 60 }),
    fraction: fc.option(fc.stringMatching(/^\d{1,6}$/), { nil: undefined }),
    zone: fc.oneof(
      fc.constant('+00:00'),
      fc.constant('Z'),
      fc
        .tuple(fc.constantFrom('+', '-'), fc.integer({ min: 0, max: 14 }), fc.integer({ min: 0, max: 59 }))
        .map(([sign, hours, minutes]) => `${sign}${two(hours)}:${two(minutes)}`),
    ),
  })
  // A real day of the month (Date counts the years 0-99 as 1900-1999, so a year of the same leap kind).
  .filter(
    ({ year, month, day }) => new Date(Date.UTC(2000 + (year % 400), month - 1, day)).getUTCDate() === day,
  )
  .map(
    ({ year, month, day, hour, minute, second, fraction, zone }) =>
      `${String(year).padStart(4, '0')}-${two(month)}-${two(day)}T${two(hour)}:${two(minute)}:${two(second)}` +
      `${fraction === undefined ? '' : `.${fraction}`}${zone}`,
  );

const uuid = fc.tuple(fc.uuid(), fc.boolean()).map(([id, upper]) => (upper ? id.toUpperCase() : id));
// PostgreSQL text holds no NUL, and a lone surrogate has no UTF-8 form.
const text = fc
  .string({ unit: 'binary', maxLength: 40 })
  .filter((s) => !s.includes('\0') && s.isWellFormed());

const row = fc.record({
  id: fc.option(uuid, { nil: null }),
  at: fc.option(time, { nil: null }),
  ip: fc.option(fc.oneof(fc.ipV4(), fc.ipV6()), { nil: null }),
  label: fc.option(text, { nil: null }),
  n: fc.integer(),
  flag: fc.boolean(),
  // A hash as `uuidV8` takes it, and a value most rows share, as `repeatedText` takes it.
  digest: fc
    .uint8Array({ minLength: 16, maxLength: 32 })
    .map((bytes) => Buffer.from(bytes).toString('latin1')),
  shared: fc.constantFrom('vulnerable-system', 'infected-system', 'ä', null),
  keep: fc.boolean(),
});

type Row = typeof row extends fc.Arbitrary<infer T> ? T : never;

const columns = ['k', 'id', 'at', 'ip', 'label', 'n', 'flag', 'constant', 'id8', 'shared'];

/** The UUID `uuidV8` makes of a hash, worked out on its hex text. */
function uuidV8Text(digest: string): string {
  const hex = [...Buffer.from(digest.slice(0, 16), 'latin1')].map((byte, at) =>
    (at === 6 ? (byte & 0x0f) | 0x80 : at === 8 ? (byte & 0x3f) | 0x80 : byte).toString(16).padStart(2, '0'),
  );
  const text = hex.join('');
  return `${text.slice(0, 8)}-${text.slice(8, 12)}-${text.slice(12, 16)}-${text.slice(16, 20)}-${text.slice(20)}`;
}
const constant = encodeBinaryField((builder) => {
  builder.text('same in every row');
});

function binaryRows(rows: readonly Row[]): BinaryRowsBuilder {
  const builder = new BinaryRowsBuilder();
  rows.forEach((r, k) => {
    builder.beginRow(columns.length);
    builder.int4(k);
    builder.uuid(r.id);
    builder.timestamptz(r.at);
    builder.inet(r.ip);
    builder.text(r.label);
    builder.int4(r.n);
    builder.bool(r.flag);
    builder.encoded(constant);
    builder.uuidV8(r.digest);
    builder.repeatedText(0, r.shared);
    builder.endRow();
  });
  return builder;
}

describe(`binary COPY rows (${backend})`, () => {
  let store: Store;
  beforeAll(async () => {
    store = await createTestStore();
    for (const table of ['binary_rows', 'text_rows'])
      await store.withSession((session) =>
        session.exec(
          `create table ${table} (k int4, id uuid, at timestamptz, ip inet, label text, n int4, flag bool,
             constant text, id8 uuid, shared text)`,
        ),
      );
  });
  afterAll(() => store.close());

  it('store the values the same rows given as text store, also when some rows are picked out', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(row, { minLength: 1, maxLength: 30 }), async (rows) => {
        const built = binaryRows(rows).finish();
        expect(built.ends.length).toBe(rows.length);
        const picked = pickCopyRows(built, (at) => rows[at]?.keep === true);
        const kept = rows.map((r, k) => ({ ...r, k })).filter((r) => r.keep);
        await store.withSession(async (session) => {
          await session.exec('truncate binary_rows, text_rows');
          expect(await session.copyBinary('binary_rows', columns, picked)).toBe(kept.length);
          await session.query(
            `insert into text_rows select * from unnest($1::int4[], $2::uuid[], $3::timestamptz[], $4::inet[],
               $5::text[], $6::int4[], $7::bool[], $8::text[], $9::uuid[], $10::text[])`,
            [
              kept.map((r) => r.k),
              kept.map((r) => r.id),
              kept.map((r) => r.at),
              kept.map((r) => r.ip),
              kept.map((r) => r.label),
              kept.map((r) => r.n),
              kept.map((r) => r.flag),
              kept.map(() => 'same in every row'),
              kept.map((r) => uuidV8Text(r.digest)),
              kept.map((r) => r.shared),
            ],
          );
          const differing = await session.query<{ k: number }>(
            `(select * from binary_rows except all select * from text_rows)
             union all (select * from text_rows except all select * from binary_rows)`,
          );
          expect(differing).toEqual([]);
        });
      }),
      { numRuns: backend === 'pglite' ? 40 : 80 },
    );
  });

  it('refuse a value that is not in the form its type is written from', () => {
    const builder = new BinaryRowsBuilder();
    const refused: ['uuid' | 'uuidV8' | 'timestamptz' | 'inet', string, RegExp][] = [
      ['uuidV8', 'fifteen bytes..', /too short for a UUID/],
      ['uuidV8', '\u0100'.repeat(16), /one byte a character/],
      ['uuid', '0190b6a0-0000-7000-8000-00000000000', /not a UUID/],
      ['uuid', '0190b6a0x0000-7000-8000-000000000000', /not a UUID/],
      ['uuid', '0190b6a0-0000-7000-8000-00000000000g', /not a UUID/],
      ['timestamptz', '2026-11-22 10:00:00+00:00', /not a time/],
      ['timestamptz', '2026-02-29T10:00:00+00:00', /not a time/],
      ['timestamptz', '2026-11-22T24:00:00Z', /not a time/],
      ['timestamptz', '2026-11-22T10:00:00.1234567Z', /not a time/],
      ['timestamptz', '2026-11-22T10:00:00', /not a time/],
      ['timestamptz', '2026-11-22T10:00:00+0100', /not a time/],
      ['inet', '11.0.0.0/8', /not an IP address/],
      ['inet', 'fe80::1%eth0', /not an IP address/],
      ['inet', '010.0.0.1', /not an IP address/],
    ];
    for (const [method, value, reason] of refused) {
      expect(() => {
        builder[method](value);
      }).toThrow(reason);
    }
    for (const value of [2 ** 31, 1.5]) {
      expect(() => {
        builder.int4(value);
      }).toThrow(/not a 32-bit integer/);
    }
  });
});
