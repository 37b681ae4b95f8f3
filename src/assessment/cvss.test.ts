import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { corpusPath, describeCorpus } from '../../test/corpus.ts';
import { cvssSeverity, scoreCvss } from './cvss.ts';

/**
 * Red Hat's reference vectors (RedHatProductSecurity/cvss, tests/): one `VECTOR - (base, temporal,
 * environmental)` line for v3, `VECTOR - (score,)` or `VECTOR - score` for v4.
 */
function readVectors(file: string): { vector: string; scores: number[] }[] {
  const text = readFileSync(corpusPath('redhat-cvss', 'tests', file), 'utf8');
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const [vector = '', scores = ''] = line.split(' - ');
      return {
        vector,
        scores: scores
          .replace(/[()]/g, '')
          .split(',')
          .map((s) => s.trim())
          .filter((s) => s !== '')
          .map(Number),
      };
    });
}

const v3Files = ['vectors_simple3', 'vectors_simple31', 'vectors_calculator3', 'vectors_cvsslib3'];
const v4Files = ['vectors_simple4', 'vectors_security4', 'vectors_supplemental4', 'vectors_threat4'];

describeCorpus(
  'CVSS v3.0 and v3.1 against Red Hat vectors',
  ['redhat-cvss', 'tests', 'vectors_simple31'],
  () => {
    for (const file of v3Files) {
      it(`${file}: every base score, and the temporal and environmental scores the vector carries`, () => {
        const rows = readVectors(file);
        expect(rows.length).toBeGreaterThan(0);
        for (const { vector, scores } of rows) {
          const [base, temporal, environmental] = scores;
          const got = scoreCvss(vector);
          expect(got, vector).toBeDefined();
          expect({ vector, base: got?.baseScore }).toEqual({ vector, base });
          expect(got?.version).toBe(vector.slice(5, 8));
          expect(got?.severity).toBe(cvssSeverity(base ?? Number.NaN));
          // The calculator reports temporal/environmental only for vectors that carry such metrics.
          if (got?.temporal !== undefined)
            expect({ vector, temporal: got.temporal }).toEqual({ vector, temporal });
          if (got?.environmental !== undefined) {
            expect({ vector, environmental: got.environmental }).toEqual({ vector, environmental });
          }
        }
      });
    }
    it('the files with temporal and environmental metrics are checked on those scores too', () => {
      const rows = readVectors('vectors_cvsslib3').map((r) => scoreCvss(r.vector));
      expect(rows.filter((r) => r?.environmental !== undefined).length).toBeGreaterThan(0);
      expect(rows.filter((r) => r?.temporal !== undefined).length).toBeGreaterThan(0);
    });
  },
);

describeCorpus('CVSS v4.0 against Red Hat vectors', ['redhat-cvss', 'tests', 'vectors_simple4'], () => {
  for (const file of v4Files) {
    it(`${file}: every score`, () => {
      const rows = readVectors(file);
      expect(rows.length).toBeGreaterThan(0);
      for (const { vector, scores } of rows) {
        const got = scoreCvss(vector);
        expect({ vector, score: got?.baseScore }).toEqual({ vector, score: scores[0] });
        expect(got?.version).toBe('4.0');
      }
    });
  }
});

describe('scoreCvss on text that is no vector', () => {
  it.each([
    ['', 'empty'],
    ['AV:N/AC:L/Au:N/C:C/I:C/A:C', 'CVSS v2 (not supported)'],
    ['CVSS:3.1/AV:N/AC:L', 'missing base metrics'],
    ['CVSS:3.1/AV:Q/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', 'a value the metric does not have'],
    ['CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N', 'v4 without SA'],
    ['CVSS:5.0/AV:N', 'an unknown version'],
    ['not a vector', 'prose'],
  ])('%j (%s) gives undefined', (vector) => {
    expect(scoreCvss(vector)).toBeUndefined();
  });

  it('rates scores on FIRST bands', () => {
    expect([0, 0.1, 3.9, 4, 6.9, 7, 8.9, 9, 10].map(cvssSeverity)).toEqual([
      'none',
      'low',
      'low',
      'medium',
      'medium',
      'high',
      'high',
      'critical',
      'critical',
    ]);
  });

  it('reads a vector with surrounding space and scores it like the trimmed one', () => {
    const vector = 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H';
    expect(scoreCvss(`  ${vector}\n`)).toEqual(scoreCvss(vector));
    expect(scoreCvss(vector)?.baseScore).toBe(9.8);
  });
});
