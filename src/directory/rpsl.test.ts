import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { corpusPath, describeCorpus } from '../../test/corpus.ts';
import { readRipeSplitFile } from './ripe-import.ts';
import {
  attributeValues,
  firstAttribute,
  readRpslObjects,
  type RpslItem,
  type RpslReadOptions,
} from './rpsl.ts';

const fixture = (name: string): string =>
  fileURLToPath(new URL(`../../test/fixtures/rpsl/${name}`, import.meta.url));

async function readAll(
  input: AsyncIterable<string> | Iterable<string>,
  options?: RpslReadOptions,
): Promise<RpslItem[]> {
  const items: RpslItem[] = [];
  for await (const batch of readRpslObjects(input, options)) items.push(...batch);
  return items;
}

function objects(items: RpslItem[]): Extract<RpslItem, { kind: 'object' }>[] {
  return items.filter((item) => item.kind === 'object');
}

function problems(items: RpslItem[]): Extract<RpslItem, { kind: 'problem' }>[] {
  return items.filter((item) => item.kind === 'problem');
}

/** Splits text into chunks at the given cut points, as a stream may deliver it. */
function chunked(text: string, cuts: number[]): string[] {
  const points = [...new Set(cuts.map((cut) => cut % (text.length + 1)))].sort((a, b) => a - b);
  const chunks: string[] = [];
  let start = 0;
  for (const point of points) {
    chunks.push(text.slice(start, point));
    start = point;
  }
  chunks.push(text.slice(start));
  return chunks;
}

describe('readRpslObjects', () => {
  it('reads attributes in order, joins continuation lines and strips comments as RIPE does', async () => {
    const text = [
      '% server message',
      '# comment line',
      '',
      'Inetnum:        192.0.2.0 - 192.0.2.255',
      'descr:          first',
      '                second   spaced',
      '\ttabbed',
      '+',
      '+ plus line',
      '+++ kept pluses',
      'remarks:        see http://example.net/#anchor',
      'remarks:',
      'country:        NL # NL DE',
      'source:         RIPE #',
      '',
    ].join('\n');
    const items = await readAll([text]);
    expect(items).toEqual([
      {
        kind: 'object',
        line: 4,
        class: 'inetnum',
        attributes: [
          ['inetnum', '192.0.2.0 - 192.0.2.255'],
          // Continuations (space, tab, '+') join with one space; the '+'-only line adds nothing; a line
          // starting '+++' loses only its first '+' (RIPE whois RpslAttribute).
          ['descr', 'first second spaced tabbed plus line ++ kept pluses'],
          // '#' starts a comment wherever it is, also in remarks; remarks are kept.
          ['remarks', 'see http://example.net/'],
          ['remarks', ''],
          ['country', 'NL'],
          ['source', 'RIPE'],
        ],
      },
    ]);
    const [object] = objects(items);
    expect(attributeValues(object!, 'remarks')).toEqual(['see http://example.net/', '']);
    expect(firstAttribute(object!, 'country')).toBe('NL');
    expect(firstAttribute(object!, 'org')).toBeUndefined();
  });

  it('reports each malformed object with its line and reads the others (malformed.db)', async () => {
    const items = await readAll(readRipeSplitFile(fixture('malformed.db')));
    expect(objects(items).map((object) => [object.line, firstAttribute(object, 'nic-hdl')])).toEqual([
      [3, 'G1-TEST'],
      [17, 'G2-TEST'],
    ]);
    expect(problems(items).map((problem) => problem.line)).toEqual([8, 11, 15]);
    const [noColon, continuation, badName] = problems(items);
    expect(noColon?.reason).toMatch(/neither "name: value" nor a continuation.*object at line 7/);
    expect(continuation?.reason).toMatch(/starts with a continuation line.*object at line 11/);
    expect(badName?.reason).toMatch(/attribute name "nic hdl".*object at line 14/);
    // Items come in file order.
    expect(items.map((item) => item.line)).toEqual([3, 8, 11, 15, 17]);
  });

  it('recognises gzip by its magic bytes, not the name (malformed-gzipped.txt)', async () => {
    const plain = await readAll(readRipeSplitFile(fixture('malformed.db')));
    const gzipped = await readAll(readRipeSplitFile(fixture('malformed-gzipped.txt')));
    expect(gzipped).toEqual(plain);
    expect(gzipped).toHaveLength(5);
  });

  it('reads CRLF, a missing final newline and invalid UTF-8 (crlf-latin1.db)', async () => {
    const items = await readAll(readRipeSplitFile(fixture('crlf-latin1.db')));
    expect(items).toEqual([
      {
        kind: 'object',
        line: 3,
        class: 'role',
        attributes: [
          // 0xE9 (Latin-1 'é') is not UTF-8: decoded as U+FFFD, the rest of the object intact.
          ['role', 'Caf\uFFFD Ops'],
          ['nic-hdl', 'CRLF1-TEST'],
          ['abuse-mailbox', 'abuse@example.com'],
          ['remarks', 'first line second line'],
        ],
      },
      {
        kind: 'object',
        line: 9,
        class: 'role',
        attributes: [
          ['role', 'Last'],
          ['nic-hdl', 'CRLF2-TEST'],
          ['abuse-mailbox', 'last@example.com'],
        ],
      },
    ]);
    const raw = await readFile(fixture('crlf-latin1.db'));
    expect(raw.includes(0xe9)).toBe(true);
    expect(raw.at(-1)).not.toBe(0x0a);
  });

  it('gives the same items however the input is chunked (CRLF split between chunks too)', async () => {
    const text = `${(await readFile(fixture('malformed.db'), 'utf8')).replaceAll('\n', '\r\n')}\r\nrole: x\r\n+ y`;
    const whole = await readAll([text]);
    expect(whole).toHaveLength(6);
    await fc.assert(
      fc.asyncProperty(fc.array(fc.nat(), { maxLength: 40 }), async (cuts) => {
        expect(await readAll(chunked(text, cuts))).toEqual(whole);
      }),
      { numRuns: 200 },
    );
  });

  it('drops a byte-order mark and treats a white-space-only line as a separator', async () => {
    const items = await readAll(['\uFEFFrole: a\nnic-hdl: A1\n \t \nrole: b\nnic-hdl: B1']);
    expect(
      objects(items).map((object) => [object.line, object.class, firstAttribute(object, 'nic-hdl')]),
    ).toEqual([
      [1, 'role', 'A1'],
      [4, 'role', 'B1'],
    ]);
  });

  it('reports an overlong line without keeping it, however it arrives, and goes on', async () => {
    const long = 'x'.repeat(1_000_000);
    const text = `role: a\nremarks: ${long}\nnic-hdl: A1\n\nrole: b\nnic-hdl: B1\n`;
    for (const chunks of [[text], chunked(text, [3, 10, 500, 70_000, 999_999, 1_000_010])]) {
      const items = await readAll(chunks, { maxLineLength: 1000 });
      expect(items).toEqual([
        {
          kind: 'problem',
          line: 2,
          reason: 'line 2 is longer than 1000 characters (object at line 1 skipped)',
        },
        {
          kind: 'object',
          line: 5,
          class: 'role',
          attributes: [
            ['role', 'b'],
            ['nic-hdl', 'B1'],
          ],
        },
      ]);
    }
    // An overlong last line without a newline is reported too.
    expect(await readAll([`role: a\nremarks: ${long}`], { maxLineLength: 1000 })).toEqual([
      {
        kind: 'problem',
        line: 2,
        reason: 'line 2 is longer than 1000 characters (object at line 1 skipped)',
      },
    ]);
    // The limit counts the text, not the line break: a line of exactly the limit is fine, with CRLF too.
    const exact = `role: ${'y'.repeat(994)}`;
    expect(objects(await readAll([`${exact}\r\n`], { maxLineLength: 1000 }))).toHaveLength(1);
    expect(objects(await readAll([`${exact}y\r\n`], { maxLineLength: 1000 }))).toHaveLength(0);
  });

  it('never holds an overlong line: one longer than the longest string V8 can build still reads', async () => {
    // 600 chunks of 1 MiB without a newline: 629 million characters, over V8's limit of 2^29 - 24 for one
    // string, so a reader that kept the line would throw "Invalid string length".
    const mebibyte = 'z'.repeat(1024 * 1024);
    function* chunks(): Generator<string> {
      yield 'role: a\nremarks: ';
      for (let i = 0; i < 600; i += 1) yield mebibyte;
      yield '\n\nrole: b\n';
    }
    expect(await readAll(chunks())).toEqual([
      {
        kind: 'problem',
        line: 2,
        reason: 'line 2 is longer than 16384 characters (object at line 1 skipped)',
      },
      { kind: 'object', line: 4, class: 'role', attributes: [['role', 'b']] },
    ]);
  });

  it('reports an object beyond maxObjectLength and reads the next', async () => {
    const lines = Array.from({ length: 200 }, (_, i) => `import: from AS${i} accept ANY`).join('\n');
    const items = await readAll([`aut-num: AS64496\n${lines}\n\naut-num: AS64497\n`], {
      maxObjectLength: 1000,
    });
    expect(items.map((item) => item.kind)).toEqual(['problem', 'object']);
    const [problem] = problems(items);
    expect(problem?.reason).toMatch(
      /^the object is longer than 1000 characters \(object at line 1 skipped\)$/,
    );
    // Reported where the kept value text passes 1,000 characters: " AS64496" is 8, the values of
    // AS0..AS9 are 20 each (208 in all), then 21 each; the 38th of those (AS47, on line 49) passes it.
    expect(problem?.line).toBe(49);
  });

  it('keeps only the asked-for attributes, and rejects classes not asked for', async () => {
    const text =
      'aut-num: AS64496\nimport: from AS1 accept ANY\n  continued\norg: ORG-A\n\nperson: P\nnic-hdl: P1\n';
    const items = await readAll([text], { attributes: new Set(['org']), classes: new Set(['aut-num']) });
    expect(items).toEqual([
      {
        kind: 'object',
        line: 1,
        class: 'aut-num',
        attributes: [
          ['aut-num', 'AS64496'],
          ['org', 'ORG-A'],
        ],
      },
      {
        kind: 'problem',
        line: 6,
        reason: 'the object\'s first attribute "person" is not a class read here (object at line 6 skipped)',
      },
    ]);
  });

  it('streams: yields the first batch before the input is read, in batches of batchSize', async () => {
    const total = 50_000;
    let produced = 0;
    async function* generate(): AsyncGenerator<string> {
      for (let i = 0; i < total; i += 1) {
        produced += 1;
        yield `inetnum: 10.0.0.0 - 10.0.0.255\nnetname: NET-${i}\ncountry: NL\n\n`;
      }
    }
    const sizes: number[] = [];
    let producedAtFirstBatch = -1;
    let last = '';
    for await (const batch of readRpslObjects(generate(), { batchSize: 500 })) {
      if (producedAtFirstBatch === -1) producedAtFirstBatch = produced;
      sizes.push(batch.length);
      const tail = batch.at(-1);
      if (tail?.kind === 'object') last = firstAttribute(tail, 'netname') ?? '';
    }
    expect(producedAtFirstBatch).toBeLessThanOrEqual(501);
    expect(sizes).toHaveLength(total / 500);
    expect(sizes.every((size) => size === 500)).toBe(true);
    expect(last).toBe(`NET-${total - 1}`);
  });

  it('never throws on arbitrary input; every item is well formed and lines are in range', async () => {
    const rpslish = fc.constantFrom(
      'role:',
      'nic-hdl: X',
      ' ',
      '+',
      '\t',
      '#',
      '%',
      ':',
      '\n',
      '\r\n',
      '\r',
      'a b',
      'é',
      '\uFFFD',
      '\uFEFF',
      '-',
      '_',
    );
    const text = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 300 }),
      fc
        .array(fc.oneof(rpslish, fc.string({ maxLength: 5 })), { maxLength: 80 })
        .map((parts) => parts.join('')),
    );
    await fc.assert(
      fc.asyncProperty(
        text,
        fc.array(fc.nat(), { maxLength: 8 }),
        fc.integer({ min: 1, max: 40 }),
        async (input, cuts, maxLineLength) => {
          const items = await readAll(chunked(input, cuts), { maxLineLength, batchSize: 3 });
          const lineCount = input.split('\n').length;
          for (const item of items) {
            expect(item.line).toBeGreaterThanOrEqual(1);
            expect(item.line).toBeLessThanOrEqual(lineCount);
            if (item.kind === 'object') {
              expect(item.class).toMatch(/^[a-z][a-z0-9_-]*$/);
              expect(item.attributes[0]?.[0]).toBe(item.class);
              for (const [name, value] of item.attributes) {
                expect(name).toMatch(/^[a-z]([a-z0-9_-]*[a-z0-9])?$/);
                expect(value).not.toMatch(/[\n#]|^\s|\s$/);
              }
            } else {
              expect(item.reason.length).toBeGreaterThan(0);
            }
          }
          expect(items.map((item) => item.line)).toEqual(
            [...items.map((item) => item.line)].sort((a, b) => a - b),
          );
        },
      ),
      { numRuns: 500 },
    );
  });
});

describeCorpus(
  'readRpslObjects on the certbund-contact RIPE role samples',
  ['intevation-intelmq-certbund-contact', 'tests', 'ripe', 'role_simple.txt.gz'],
  () => {
    const sample = (name: string): string =>
      corpusPath('intevation-intelmq-certbund-contact', 'tests', 'ripe', `${name}.txt.gz`);

    it('reads role_simple.txt.gz as one role with all 16 attributes, remarks included', async () => {
      const items = await readAll(readRipeSplitFile(sample('role_simple')));
      expect(problems(items)).toEqual([]);
      const [role] = objects(items);
      expect(objects(items)).toHaveLength(1);
      // The sample has role, address, e-mail, abuse-mailbox, nic-hdl, mnt-by, created, last-modified,
      // source and seven remarks lines (RIPE's "THIS OBJECT IS MODIFIED" banner).
      expect(role?.attributes).toHaveLength(16);
      expect(role?.attributes.slice(0, 5)).toEqual([
        ['role', 'Null'],
        ['address', 'Dummy address for ACRO6281-RIPE'],
        ['e-mail', 'unread@ripe.net'],
        ['abuse-mailbox', 'null@example.com'],
        ['nic-hdl', 'ACRO6281-RIPE'],
      ]);
      expect(attributeValues(role!, 'remarks')).toContain('* THIS OBJECT IS MODIFIED');
    });

    it('separates the objects of the multi-object samples at blank lines', async () => {
      const counts: Record<string, number> = {};
      for (const name of [
        'role_display_name',
        'role_multiple_addresses',
        'role_special_characters',
        'role_trailing_comment',
      ]) {
        const items = await readAll(readRipeSplitFile(sample(name)));
        expect(problems(items)).toEqual([]);
        counts[name] = objects(items).filter((object) => object.class === 'role').length;
      }
      // Counted by eye: each sample's role: lines.
      expect(counts).toEqual({
        role_display_name: 2,
        role_multiple_addresses: 3,
        role_special_characters: 2,
        role_trailing_comment: 2,
      });
    });
  },
);
