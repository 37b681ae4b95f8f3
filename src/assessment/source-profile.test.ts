import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { minimumSample, minimumSampleForA, proposeReliability } from './source-profile.ts';
import { reliabilities } from './model.ts';

describe('proposeReliability', () => {
  it.each([
    // [confirmed, disputed, falsePositive, letter, why]
    [0, 0, 0, 'F', 'no track record'],
    [19, 0, 0, 'F', 'one report short of the minimum sample'],
    [20, 0, 0, 'B', 'perfect, but A needs 100 judged reports'],
    [100, 0, 0, 'A', 'perfect over 100 reports'],
    [195, 5, 0, 'A', 'score (195 - 5) / 200 = 0.95, the lowest A'],
    [98, 2, 0, 'A', 'score 0.96 over 100'],
    [90, 10, 0, 'B', 'score 0.80'],
    [90, 0, 10, 'C', 'score 0.70: a false positive costs twice'],
    [80, 20, 0, 'C', 'score 0.60'],
    [65, 35, 0, 'D', 'score 0.30'],
    [60, 40, 0, 'E', 'score 0.20'],
    [10, 0, 15, 'E', 'mostly false positives'],
  ] as [number, number, number, string, string][])(
    '%i confirmed, %i disputed, %i false positives -> %s (%s)',
    (confirmed, disputed, falsePositive, letter, _why) => {
      expect(proposeReliability({ confirmed, disputed, falsePositive }).reliability).toBe(letter);
    },
  );

  it('reports the shares and the basis of the proposal', () => {
    expect(proposeReliability({ confirmed: 45, disputed: 3, falsePositive: 2 })).toEqual({
      reliability: 'C',
      judged: 50,
      confirmedShare: 0.9,
      wrongShare: 0.1,
      basis: 'score (confirmed - disputed - 2 x false positive) / judged = (45 - 3 - 2 x 2) / 50 = 0.760',
    });
  });

  it('refuses counts that are no counts', () => {
    expect(() => proposeReliability({ confirmed: -1, disputed: 0, falsePositive: 0 })).toThrow(RangeError);
    expect(() => proposeReliability({ confirmed: 1.5, disputed: 0, falsePositive: 0 })).toThrow(RangeError);
  });

  it('never gets better with one more disputed or false-positive report', () => {
    const rank = (r: string) => reliabilities.indexOf(r as (typeof reliabilities)[number]);
    const count = fc.nat(300);
    fc.assert(
      fc.property(count, count, count, fc.boolean(), (confirmed, disputed, falsePositive, fp) => {
        fc.pre(confirmed + disputed + falsePositive >= minimumSample);
        const before = proposeReliability({ confirmed, disputed, falsePositive }).reliability;
        const after = proposeReliability({
          confirmed,
          disputed: disputed + (fp ? 0 : 1),
          falsePositive: falsePositive + (fp ? 1 : 0),
        }).reliability;
        expect(rank(after)).toBeGreaterThanOrEqual(rank(before));
      }),
    );
  });

  it('gives A only from the larger sample on', () => {
    expect(
      proposeReliability({ confirmed: minimumSampleForA - 1, disputed: 0, falsePositive: 0 }).reliability,
    ).toBe('B');
    expect(
      proposeReliability({ confirmed: minimumSampleForA, disputed: 0, falsePositive: 0 }).reliability,
    ).toBe('A');
  });
});
