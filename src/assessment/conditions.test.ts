import { describe, expect, it } from 'vitest';
import { compileCondition, conditionSchema, describeCondition, type Condition } from './conditions.ts';

const facts = new Map<string, unknown>([
  ['classification.type', 'Vulnerable-System'],
  ['source.port', 3389],
  ['cvss.score', '7.5'],
  ['owner.found', true],
  ['empty', ''],
]);

const run = (c: Condition) => compileCondition(conditionSchema.parse(c))(facts);

describe('the condition language', () => {
  it.each<[string, Condition, boolean]>([
    ['equals, text case-insensitively', { field: 'classification.type', equals: 'vulnerable-system' }, true],
    ['equals, another text', { field: 'classification.type', equals: 'infected-system' }, false],
    ['equals, a boolean', { field: 'owner.found', equals: true }, true],
    ['equals, false is not true', { field: 'owner.found', equals: false }, false],
    ['equals, a number and text that is that number', { field: 'cvss.score', equals: 7.5 }, true],
    ['in', { field: 'source.port', in: [22, 3389] }, true],
    ['in, none', { field: 'source.port', in: [22, 23] }, false],
    ['matches', { field: 'classification.type', matches: '^vuln' }, true],
    ['matches, only text', { field: 'source.port', matches: '33' }, false],
    ['exists', { field: 'source.port', exists: true }, true],
    ['exists, an empty value is absent', { field: 'empty', exists: true }, false],
    ['exists false on an absent field', { field: 'source.ip', exists: false }, true],
    ['gt', { field: 'source.port', gt: 3388 }, true],
    ['gte on text that is a number', { field: 'cvss.score', gte: 7.5 }, true],
    ['lt', { field: 'cvss.score', lt: 7.5 }, false],
    ['lte', { field: 'source.port', lte: 3389 }, true],
    ['a comparison on text that is no number', { field: 'classification.type', gt: 0 }, false],
    ['an absent field matches no value test', { field: 'source.ip', equals: '192.0.2.1' }, false],
    ['not of a test on an absent field', { not: { field: 'source.ip', equals: '192.0.2.1' } }, true],
    [
      'all',
      {
        all: [
          { field: 'owner.found', equals: true },
          { field: 'source.port', gt: 1 },
        ],
      },
      true,
    ],
    [
      'all, one fails',
      {
        all: [
          { field: 'owner.found', equals: true },
          { field: 'source.port', gt: 4000 },
        ],
      },
      false,
    ],
    [
      'any',
      {
        any: [
          { field: 'owner.found', equals: false },
          { field: 'source.port', gt: 1 },
        ],
      },
      true,
    ],
    [
      'any, none holds',
      {
        any: [
          { field: 'owner.found', equals: false },
          { field: 'source.port', gt: 4000 },
        ],
      },
      false,
    ],
  ])('%s', (_, condition, expected) => {
    expect(run(condition).ok).toBe(expected);
  });

  it('says which values made it hold', () => {
    expect(
      run({
        all: [
          { field: 'owner.found', equals: true },
          { field: 'cvss.score', gte: 7 },
          { field: 'source.ip', exists: false },
        ],
      }).why,
    ).toEqual(['owner.found = true', 'cvss.score = "7.5"', 'source.ip is absent']);
    expect(run({ not: { field: 'owner.found', equals: false } }).why).toEqual(['not (owner.found = false)']);
  });

  it('describes a condition in words', () => {
    expect(
      describeCondition({
        all: [
          { field: 'severity', in: ['high', 'critical'] },
          { not: { field: 'owner.found', equals: true } },
        ],
      }),
    ).toBe('severity in ["high", "critical"] and not (owner.found = true)');
  });

  it.each<[string, unknown]>([
    ['two matchers in one', { field: 'a', equals: 1, gt: 0 }],
    ['a matcher that does not exist', { field: 'a', contains: 'x' }],
    ['a field name with spaces', { field: 'source ip', exists: true }],
    ['an empty all', { all: [] }],
    ['an invalid regular expression', { field: 'a', matches: '(' }],
    ['code', 'event.severity > 3'],
    ['a comparison with text', { field: 'a', gt: 'ten' }],
  ])('refuses %s', (_, condition) => {
    expect(conditionSchema.safeParse(condition).success).toBe(false);
  });
});
