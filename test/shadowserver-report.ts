import { readFileSync } from 'node:fs';

const fixtures = new URL('./fixtures/shadowserver/', import.meta.url);

/** The suite's own Shadowserver schema (test/fixtures/shadowserver/README.md). */
export const shadowserverFixtureSchema = new URL('intelmq-schema.json', fixtures).pathname;

/**
 * A `scan_http` report of `copies` times the fixture's bad rows (wrong widths, a bad address, time and port,
 * a field over two lines, a quote that runs on) with names changed in each copy, so that the copies are
 * other events, and between copies a line of stray quotes and a NUL and a repeat of the first row.
 */
export function reportOfBadRows(copies: number): string {
  const fixture = readFileSync(new URL('2024-05-01-scan_http-rejects.csv', fixtures), 'utf8');
  const [header = '', ...rows] = fixture.split('\n');
  const body = Array.from({ length: copies }, (_, copy) =>
    [...rows.slice(0, -1), '"x"y,"\u0000"ab', rows.join('\n').slice(0, 200)]
      .join('\n')
      .replaceAll('example.net', `example${copy}.net`),
  ).join('\n');
  return `${header}\n${body}\n`;
}
