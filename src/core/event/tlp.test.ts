import { describe, expect, it } from 'vitest';
import { isWiderThan, narrowestTlp, parseTlp, tlpLabel, tlpLevels, toIntelmqTlp, type Tlp } from './tlp.ts';

describe('parseTlp', () => {
  it.each([
    ['TLP:AMBER+STRICT', 'AMBER+STRICT'],
    ['tlp:amber+strict', 'AMBER+STRICT'],
    ['amber', 'AMBER'],
    ['TLP: red', 'RED'],
    [' TLP:GREEN ', 'GREEN'],
    ['TLP CLEAR', 'CLEAR'],
    ['WHITE', 'CLEAR'],
    ['tlp:white', 'CLEAR'],
    ['yellow', 'AMBER'],
  ])('reads %j as %s', (text, level) => {
    expect(parseTlp(text)).toBe(level);
  });

  it.each(['', 'TLP:', 'AMBER+', 'AMBER STRICT', 'PURPLE', 'TLP:AMBER:STRICT', 'RED!', 'PAP:RED'])(
    'rejects %j',
    (text) => {
      expect(parseTlp(text)).toBeUndefined();
    },
  );
});

describe('ordering', () => {
  it('runs from the widest audience to the narrowest', () => {
    expect(tlpLevels).toEqual(['CLEAR', 'GREEN', 'AMBER', 'AMBER+STRICT', 'RED']);
    for (let i = 0; i + 1 < tlpLevels.length; i++) {
      const [wider, narrower] = [tlpLevels[i]!, tlpLevels[i + 1]!];
      expect(isWiderThan(wider, narrower)).toBe(true);
      expect(isWiderThan(narrower, wider)).toBe(false);
    }
    expect(isWiderThan('AMBER', 'AMBER')).toBe(false);
  });

  it.each<[Tlp[], Tlp]>([
    [['CLEAR', 'GREEN'], 'GREEN'],
    [['GREEN', 'AMBER+STRICT', 'AMBER'], 'AMBER+STRICT'],
    [['RED', 'CLEAR'], 'RED'],
    [['CLEAR'], 'CLEAR'],
    [[], 'RED'],
  ])('takes the narrowest of %j: %s', (levels, narrowest) => {
    expect(narrowestTlp(...levels)).toBe(narrowest);
  });
});

describe('labels', () => {
  it('writes FIRST labels', () => {
    expect(tlpLabel('AMBER+STRICT')).toBe('TLP:AMBER+STRICT');
    expect(tlpLevels.map(tlpLabel).map(parseTlp)).toEqual([...tlpLevels]);
  });

  it.each<[Tlp, string]>([
    ['CLEAR', 'WHITE'],
    ['GREEN', 'GREEN'],
    ['AMBER', 'AMBER'],
    ['AMBER+STRICT', 'AMBER'],
    ['RED', 'RED'],
  ])('maps %s to IntelMQ %s', (level, intelmq) => {
    expect(toIntelmqTlp(level)).toBe(intelmq);
  });
});
