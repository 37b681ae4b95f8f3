import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isAppError } from '../../core/index.ts';
import { decodeBase64Text, isJsonProblem, readJsonRecords, type JsonItem } from './json-records.ts';

async function* chunks(text: string, size: number): AsyncGenerator<string> {
  for (let i = 0; i < text.length; i += size) yield text.slice(i, i + size);
}

async function read(text: string, chunkSize = 5, maxRecordLength?: number): Promise<JsonItem[]> {
  const items: JsonItem[] = [];
  const options = maxRecordLength === undefined ? {} : { maxRecordLength };
  for await (const batch of readJsonRecords(chunks(text, chunkSize), options)) items.push(...batch);
  return items;
}

function summary(items: JsonItem[]): string[] {
  return items.map((item) =>
    isJsonProblem(item) ? `${item.line}: ${item.problem}` : `${item.line}: ${item.text}`,
  );
}

describe('readJsonRecords', () => {
  it('reads JSON Lines with line numbers, skipping blank lines and CRLF', async () => {
    expect(summary(await read('{"a":1}\r\n\n  \n{"b":"x\\ny"}\n{"c":[1,2]}'))).toEqual([
      '1: {"a":1}',
      '4: {"b":"x\\ny"}',
      '5: {"c":[1,2]}',
    ]);
  });

  it('reports a line that is not JSON or not an object, and goes on', async () => {
    const items = await read('{"a":1}\nnot json\n[1,2]\nnull\n{"b":2}\n');
    expect(summary(items)).toEqual([
      '1: {"a":1}',
      expect.stringMatching(/^2: line is not valid JSON: /),
      '3: line is not a JSON object',
      '4: line is not a JSON object',
      '5: {"b":2}',
    ]);
  });

  it('reads a JSON array element by element, numbering elements from 1', async () => {
    const text = ' \n[ {"a": "x, ] }"} ,\n{"b": {"c": [1, {"d": "\\"]"}]}}, 7, {"e": null} ]\n';
    expect(summary(await read(text, 3))).toEqual([
      '1: {"a": "x, ] }"}',
      '2: {"b": {"c": [1, {"d": "\\"]"}]}}',
      '3: element 3 is not a JSON object',
      '4: {"e": null}',
    ]);
  });

  it('reports broken elements, empty elements, a truncated array and text after it', async () => {
    expect(summary(await read('[{"a":1}}, {"b":2}, , {"c":3}'))).toEqual([
      expect.stringMatching(/^1: element 1 is not valid JSON/),
      '2: {"b":2}',
      '3: element 3 is empty',
      '4: the JSON array is not closed (truncated input?)',
    ]);
    expect(summary(await read('[{"a":1}] {"b":2}'))).toEqual([
      '1: {"a":1}',
      '2: text after the end of the JSON array; ignored',
    ]);
    expect(summary(await read('[]'))).toEqual([]);
  });

  it('skips an overlong line or element and goes on with the next', async () => {
    const long = `{"x":"${'a'.repeat(500)}"}`;
    expect(summary(await read(`{"a":1}\n${long}\n{"b":2}\n`, 64, 100))).toEqual([
      '1: {"a":1}',
      '2: line longer than 100 characters; skipped',
      '3: {"b":2}',
    ]);
    expect(summary(await read(`[{"a":1},${long},{"b":2}]`, 64, 100))).toEqual([
      '1: {"a":1}',
      '2: element 2 longer than 100 characters; skipped',
      '3: {"b":2}',
    ]);
    expect(summary(await read(`[{"a":1},${long},{"b":2}]`, 10_000, 100))[1]).toBe(
      '2: element 2 longer than 100 characters; skipped',
    );
  });

  it('throws intake.unreadable_input for an empty or blank input only', async () => {
    for (const text of ['', '  \n\r\n', '\uFEFF']) {
      const error: unknown = await read(text).catch((e: unknown) => e);
      expect(isAppError(error) && error.code).toBe('intake.unreadable_input');
    }
  });

  it('gives the same records however the input is split, in both forms (property)', async () => {
    const object = fc.dictionary(
      fc.string({ unit: fc.constantFrom('a', 'b', '"', '\\', ',', ']', '[', '{', '}', ' ', '\n', 'é') }),
      fc.jsonValue({ maxDepth: 2 }),
      { maxKeys: 3 },
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(object, { minLength: 1, maxLength: 6 }),
        fc.integer({ min: 1, max: 30 }),
        async (objects, size) => {
          const lines = objects.map((o) => JSON.stringify(o));
          const fromLines = await read(lines.join('\n'), size);
          const fromArray = await read(`[\n${lines.join(',\n')}\n]`, size);
          expect(fromLines.map((item) => !isJsonProblem(item) && item.value)).toEqual(
            lines.map((l) => JSON.parse(l) as unknown),
          );
          expect(fromArray.map((item) => !isJsonProblem(item) && item.value)).toEqual(
            lines.map((l) => JSON.parse(l) as unknown),
          );
          expect(fromArray.map((item) => item.line)).toEqual(objects.map((_, i) => i + 1));
        },
      ),
    );
  });

  it('never throws on arbitrary text other than an empty input (fuzz)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.string({ maxLength: 200 }),
          fc
            .string({ unit: fc.constantFrom('[', ']', '{', '}', '"', '\\', ',', '\n', 'a', '1') })
            .map((s) => `[${s}`),
        ),
        fc.integer({ min: 1, max: 50 }),
        async (text, size) => {
          try {
            for (const item of await read(text, size)) expect(item.line).toBeGreaterThanOrEqual(1);
          } catch (error) {
            expect(isAppError(error) && error.code).toBe('intake.unreadable_input');
            expect(text.replace(/^\uFEFF/, '').trim()).toBe('');
          }
        },
      ),
    );
  });
});

describe('decodeBase64Text', () => {
  it('decodes base64 (line breaks tolerated) and refuses anything else', () => {
    expect(decodeBase64Text('Zm9vYmFyCg==')).toBe('foobar\n');
    expect(decodeBase64Text('Zm9v\nYmFy')).toBe('foobar');
    expect(decodeBase64Text('')).toBe('');
    expect(decodeBase64Text('Zm9vYmFyCg')).toBeUndefined();
    expect(decodeBase64Text('not base64!')).toBeUndefined();
  });
});
