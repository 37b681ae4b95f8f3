import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { AppError } from '../core/index.ts';
import { loadFramework, parseFramework } from './framework.ts';
import { frameworkView } from './view.ts';

const fixture = (name: string) =>
  fileURLToPath(new URL(`../../test/fixtures/assessment/${name}`, import.meta.url));
const shippedPath = fileURLToPath(new URL('../../config/assessment/framework.yaml', import.meta.url));

async function problemsOf(name: string): Promise<string[]> {
  const error: unknown = await loadFramework(fixture(name)).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AppError);
  const appError = error as AppError;
  expect(appError.code).toBe('assessment.framework_invalid');
  const problems = appError.details?.problems as string[];
  // The message lists every problem, too.
  for (const p of problems) expect(appError.message).toContain(p);
  return problems;
}

describe('the shipped framework', () => {
  it('loads, with a version, a changelog for that version and bilingual rules with unique ids', async () => {
    const framework = await loadFramework(shippedPath);
    expect(framework.version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(framework.changelog[0]?.version).toBe(framework.version);
    expect(new Set(framework.rules.map((r) => r.id)).size).toBe(framework.rules.length);
    for (const rule of framework.rules) {
      for (const text of [rule.title, rule.explanation]) {
        expect(text.nl.trim(), rule.id).not.toBe('');
        expect(text.en.trim(), rule.id).not.toBe('');
        expect(text.nl, `${rule.id}: the Dutch is not a copy of the English`).not.toBe(text.en);
      }
    }
  });

  it('is shown with every rule, its condition and its effects in words', async () => {
    const view = frameworkView(await loadFramework(shippedPath));
    const rule = view.rules.find((r) => r.id === 'sharing.personal-data');
    expect(rule?.effects).toEqual([
      'when personal_data = true',
      'TLP no wider than AMBER',
      'PAP no wider than AMBER',
    ]);
  });
});

describe('a malformed framework file', () => {
  it('is refused naming each rule and field with what is wrong, all in one error', async () => {
    const file = fixture('wrong-values.yaml');
    expect(await problemsOf('wrong-values.yaml')).toEqual([
      `${file}: rules[0] (decision.typo) then.decision: Invalid option: expected one of "notify"|"review"|"inform"|"reject"`,
      `${file}: rules[1] (credibility.out-of-range) then.credibility: Too big: expected number to be <=6`,
      `${file}: rules[2] (sharing.unknown-tlp) then.tlp_cap: Invalid option: expected one of "CLEAR"|"GREEN"|"AMBER"|"AMBER+STRICT"|"RED"`,
      `${file}: rules[3] (effects.unknown) then: unknown field score`,
      `${file}: rules[3] (effects.unknown) then: a rule needs at least one effect: reliability, credibility, severity, severity_at_least, decision, tlp_cap, pap or reason`,
      `${file}: rules[4] (text.no-dutch) title.nl: the Dutch text is empty`,
    ]);
  });

  it('names conditions outside the matcher language, unknown fields and unknown values in reasons', async () => {
    const problems = await problemsOf('wrong-conditions.yaml');
    const file = fixture('wrong-conditions.yaml');
    expect(problems).toHaveLength(5);
    expect(problems).toContain(
      `${file}: rules[0] (field.unknown) when.all[1].field: "sorce.ip" is no event field or context value (see docs/assessment.md)`,
    );
    expect(problems.find((p) => p.includes('rules[1] (matcher.unknown) when:'))).toMatch(
      /expected a condition/,
    );
    expect(problems).toContain(
      `${file}: rules[2] (regex.invalid) when.matches: expected a valid regular expression`,
    );
    // A string of code is no condition: nothing is ever evaluated.
    expect(problems.find((p) => p.includes('rules[3] (code.evaluation) when:'))).toMatch(
      /expected a condition/,
    );
    expect(problems).toContain(
      `${file}: rules[4] (reason.placeholder) then.reason.nl: {cvss.scor} is no event field or context value`,
    );
  });

  it('refuses two rules with one id, and a changelog that does not describe the version', async () => {
    const file = fixture('duplicate-ids.yaml');
    expect(await problemsOf('duplicate-ids.yaml')).toEqual([
      `${file}: rules[1] (same.id) id: also the id of rules[0]`,
      `${file}: changelog[0].version: the first entry must describe version 0.2.0`,
    ]);
  });

  it('that is no YAML is refused with the line', async () => {
    const problems = await problemsOf('not-yaml.txt');
    expect(problems[0]).toMatch(/not-yaml\.txt: line 5: not valid YAML/);
  });

  it('that is missing is refused with the path', async () => {
    await expect(loadFramework(fixture('absent.yaml'))).rejects.toMatchObject({
      code: 'assessment.framework_invalid',
      message: expect.stringContaining('absent.yaml') as unknown,
    });
  });

  it('names top-level fields too', () => {
    const text = readFileSync(fixture('minimal.yaml'), 'utf8').replace('version: 0.1.0\n', 'version: one\n');
    expect(() => parseFramework(text, 'f.yaml')).toThrow(
      /f\.yaml: version: expected a version such as 1\.0\.0/,
    );
  });

  it('the minimal fixture itself is valid, so each malformed one fails for its own mistake', async () => {
    expect((await loadFramework(fixture('minimal.yaml'))).rules.map((r) => r.id)).toEqual([
      'reject.no-target',
    ]);
  });
});
