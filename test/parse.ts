import { isAppError } from '../src/core/index.ts';
import type { FeedParser, ParsedEvent, ParseItem, ParseOptions } from '../src/intake/parsers/types.ts';

/** What parser tests use as `time.observation`. */
export const observationTime = '2026-03-02T00:00:00+00:00';

/** The text in chunks of the given sizes (cycled), as a stream would cut it; one chunk by default. */
export async function* chunked(text: string, sizes: number[] = [text.length || 1]): AsyncGenerator<string> {
  let at = 0;
  for (let i = 0; at < text.length; i++) {
    const size = Math.max(1, sizes[i % sizes.length] ?? 1);
    yield text.slice(at, at + size);
    at += size;
  }
}

/** Every item a parser yields for the input (text cut into `sizes`, or a stream). */
export async function parseAll(
  parser: FeedParser,
  input: string | AsyncIterable<string>,
  options: Partial<ParseOptions> = {},
  sizes?: number[],
): Promise<ParseItem[]> {
  const items: ParseItem[] = [];
  const chunks = typeof input === 'string' ? chunked(input, sizes) : input;
  for await (const batch of parser(chunks, { observationTime, ...options })) items.push(...batch);
  return items;
}

/** The items, or the thrown AppError's code and message: what a property compares. Other errors throw. */
export async function parseOutcome(parser: FeedParser, text: string, sizes?: number[]): Promise<unknown> {
  try {
    return await parseAll(parser, text, {}, sizes);
  } catch (error) {
    if (!isAppError(error)) throw error;
    return { code: error.code, message: error.message };
  }
}

export function eventsOf(items: ParseItem[]): ParsedEvent[] {
  return items.filter((item): item is ParsedEvent => item.kind === 'event');
}
