import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isCsvProblem, readCsv, type CsvItem, type CsvReaderOptions } from './csv-reader.ts';

async function* chunks(text: string, size: number): AsyncGenerator<string> {
  for (let i = 0; i < text.length; i += size) yield text.slice(i, i + size);
}

async function read(text: string, options: CsvReaderOptions = {}, chunkSize = 7): Promise<CsvItem[]> {
  const items: CsvItem[] = [];
  for await (const batch of readCsv(chunks(text, chunkSize), options)) items.push(...batch);
  return items;
}

function encode(rows: string[][], delimiter = ','): string {
  return rows
    .map((row) =>
      row
        .map((field) =>
          /[",\n\r;\t]/.test(field) || field === '' ? `"${field.replaceAll('"', '""')}"` : field,
        )
        .join(delimiter),
    )
    .join('\r\n');
}

describe('readCsv', () => {
  it('reads plain and quoted records with their line numbers and original text', async () => {
    const text = 'a,b,c\n1,"two, too",3\n"x\ny",,"say ""hi"""\nlast,row,here';
    expect(await read(text)).toEqual([
      { line: 1, fields: ['a', 'b', 'c'], text: 'a,b,c' },
      { line: 2, fields: ['1', 'two, too', '3'], text: '1,"two, too",3' },
      { line: 3, fields: ['x\ny', '', 'say "hi"'], text: '"x\ny",,"say ""hi"""' },
      { line: 5, fields: ['last', 'row', 'here'], text: 'last,row,here' },
    ]);
  });

  it('handles CRLF, a byte-order mark, blank lines and a trailing delimiter', async () => {
    expect(await read('\uFEFFh1,h2\r\n\r\n1,\r\n"q",2\r\n')).toEqual([
      { line: 1, fields: ['h1', 'h2'], text: 'h1,h2' },
      { line: 3, fields: ['1', ''], text: '1,' },
      { line: 4, fields: ['q', '2'], text: '"q",2' },
    ]);
  });

  it('takes a bare carriage return as data, with or without quotes in the record', async () => {
    // Only LF (or CRLF) ends a line, so line numbers match what a text editor shows in any such file.
    expect(await read('a\rb,c\n"q",x\ry\n"r\rs",t\nlast\n')).toEqual([
      { line: 1, fields: ['a\rb', 'c'], text: 'a\rb,c' },
      { line: 2, fields: ['q', 'x\ry'], text: '"q",x\ry' },
      { line: 3, fields: ['r\rs', 't'], text: '"r\rs",t' },
      { line: 4, fields: ['last'], text: 'last' },
    ]);
  });

  it('uses another delimiter', async () => {
    expect(await read('a;"b;c"\n', { delimiter: ';' })).toEqual([
      { line: 1, fields: ['a', 'b;c'], text: 'a;"b;c"' },
    ]);
  });

  it('keeps stray quotes inside unquoted fields, as Python does', async () => {
    expect(await read('ab"c,"d"e\n')).toEqual([{ line: 1, fields: ['ab"c', 'de'], text: 'ab"c,"d"e' }]);
  });

  it('reports an unterminated quote at the end of a truncated file', async () => {
    const items = await read('a,b\n1,2\n3,"unfinished');
    expect(items.slice(0, 2)).toHaveLength(2);
    expect(items[2]).toEqual({
      line: 3,
      problem: 'unterminated quoted field at the end of the input (truncated file?)',
    });
  });

  it('skips an overlong line and goes on with the next one', async () => {
    const long = 'x'.repeat(5000);
    const items = await read(`a,b\n${long},1\n2,3\n"${long}\n4,5\n`, { maxRecordLength: 1000 }, 333);
    expect(
      items.map((i) => (isCsvProblem(i) ? `problem@${i.line}` : `${i.fields.join('|')}@${i.line}`)),
    ).toEqual(['a|b@1', 'problem@2', '2|3@3', 'problem@4', '4|5@5']);
  });

  it('hands records on a few at a time, however large the chunk they come in', async () => {
    const rows = Array.from({ length: 200 }, (_, at) => (at % 3 === 0 ? `"q${at}","x\ny"` : `p${at},z`));
    const text = rows.join('\n');
    const sizes: number[] = [];
    const lines: number[] = [];
    for await (const batch of readCsv(chunks(text, text.length))) {
      sizes.push(batch.length);
      lines.push(...batch.map((item) => item.line));
    }
    expect(Math.max(...sizes)).toBeLessThanOrEqual(32);
    expect(sizes.length).toBeGreaterThan(1);
    expect(lines).toEqual(rows.map((_, at) => 1 + at + Math.floor((at + 2) / 3)));
    expect(await read(text, {}, text.length)).toEqual(await read(text, {}, 5));
  });

  it('gives the same records however the input is split (property)', async () => {
    const field = fc.string({ unit: fc.constantFrom('a', 'b', ',', '"', '\n', '\r\n', ' ', 'é', '\t', ';') });
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(field, { minLength: 2, maxLength: 2 }), { minLength: 1, maxLength: 8 }),
        fc.integer({ min: 1, max: 40 }),
        async (rows, chunkSize) => {
          const items = await read(encode(rows), {}, chunkSize);
          expect(items.every((i) => !isCsvProblem(i))).toBe(true);
          expect(items.map((i) => (i as { fields: string[] }).fields)).toEqual(rows);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('never throws on arbitrary input (fuzz)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.string({ unit: 'binary', maxLength: 400 }),
        fc.integer({ min: 1, max: 50 }),
        async (text, size) => {
          const items = await read(text, { maxRecordLength: 64 }, size);
          for (const item of items) expect(item.line).toBeGreaterThanOrEqual(1);
        },
      ),
      { numRuns: 500 },
    );
  });
});
