/**
 * The assessment framework as data: a versioned YAML rulebook (config/assessment/framework.yaml), validated
 * when it is loaded, with every problem named by rule and field. See docs/assessment.md for its semantics.
 */
import { readFile } from 'node:fs/promises';
import { parseDocument } from 'yaml';
import { z } from 'zod';
import { AppError, tlpLevels } from '../core/index.ts';
import { compileCondition, conditionSchema, type Condition, type Matcher } from './conditions.ts';
import { isFactName } from './facts.ts';
import { decisions, papLevels, reliabilities, severities, type Text } from './model.ts';

export {
  decisions,
  papLevels,
  reliabilities,
  severities,
  type Decision,
  type Pap,
  type Reliability,
  type Severity,
  type Text,
} from './model.ts';

const bilingual = z.strictObject({
  nl: z.string().trim().min(1, { message: 'the Dutch text is empty' }),
  en: z.string().trim().min(1, { message: 'the English text is empty' }),
});

const effectsSchema = z
  .strictObject({
    reliability: z.enum(reliabilities).optional(),
    credibility: z.number().int().min(1).max(6).optional(),
    /** Sets the severity (the last rule that sets one wins). */
    severity: z.enum(severities).optional(),
    /** Raises the severity to at least this level (a known-exploited flag, say), never lowers it. */
    severity_at_least: z.enum(severities).optional(),
    decision: z.enum(decisions).optional(),
    tlp_cap: z.enum(tlpLevels).optional(),
    pap: z.enum(papLevels).optional(),
    /** The reason this rule gives when it fires (the rule's title when absent); `{name}` shows a value. */
    reason: bilingual.optional(),
    /** Rules after this one are not tried once it fires. */
    stop: z.boolean().optional(),
  })
  .refine((e) => Object.keys(e).some((k) => k !== 'stop'), {
    message:
      'a rule needs at least one effect: reliability, credibility, severity, severity_at_least, decision, tlp_cap, pap or reason',
  });

const ruleSchema = z.strictObject({
  id: z.string().regex(/^[a-z][a-z0-9-]*(\.[a-z0-9-]+)*$/, {
    message: 'expected a dotted lower-case id such as completeness.target',
  }),
  title: bilingual,
  explanation: bilingual,
  when: conditionSchema,
  then: effectsSchema,
});

const frameworkSchema = z.strictObject({
  version: z.string().regex(/^\d+\.\d+\.\d+$/, { message: 'expected a version such as 1.0.0' }),
  title: bilingual,
  principle: bilingual,
  defaults: z.strictObject({
    credibility: z.number().int().min(1).max(6),
    severity: z.enum(severities),
    decision: z.enum(decisions),
    pap: z.enum(papLevels),
    /** The reason given when no rule sets the decision. */
    reason: bilingual,
  }),
  changelog: z
    .array(
      z.strictObject({
        version: z.string().regex(/^\d+\.\d+\.\d+$/, { message: 'expected a version such as 1.0.0' }),
        date: z.iso.date({ message: 'expected a date YYYY-MM-DD' }),
        changes: z.array(z.string().trim().min(1)).min(1),
      }),
    )
    .min(1),
  rules: z.array(ruleSchema).min(1),
});

export type RuleEffects = z.infer<typeof effectsSchema>;

export interface Rule {
  id: string;
  title: Text;
  explanation: Text;
  when: Condition;
  then: RuleEffects;
}

/** A validated framework; rules apply in file order. */
export interface Framework {
  version: string;
  title: Text;
  principle: Text;
  defaults: z.infer<typeof frameworkSchema>['defaults'];
  changelog: { version: string; date: string; changes: string[] }[];
  rules: Rule[];
}

const compiled = new WeakMap<Framework, Matcher[]>();

/** The compiled conditions of a framework's rules, in rule order (compiled once per framework object). */
export function ruleMatchers(framework: Framework): Matcher[] {
  let matchers = compiled.get(framework);
  if (matchers === undefined) {
    matchers = framework.rules.map((rule) => compileCondition(rule.when));
    compiled.set(framework, matchers);
  }
  return matchers;
}

/** Where in the file a problem is: `rules[3] (completeness.target) then.decision`. */
function locate(input: unknown, path: readonly PropertyKey[]): string {
  if (path[0] === 'rules' && typeof path[1] === 'number') {
    const rules = (input as { rules?: unknown[] } | null)?.rules;
    const rule = Array.isArray(rules) ? (rules[path[1]] as { id?: unknown } | undefined) : undefined;
    const id = typeof rule?.id === 'string' ? ` (${rule.id})` : '';
    const rest = joinPath(path.slice(2));
    return `rules[${path[1]}]${id}${rest === '' ? '' : ` ${rest}`}`;
  }
  return path.length === 0 ? '(file)' : joinPath(path);
}

function joinPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path)
    out += typeof key === 'number' ? `[${key}]` : `${out === '' ? '' : '.'}${String(key)}`;
  return out;
}

const placeholder = /\{([^{}]*)\}/g;

/** Field names a condition reads, with where each sits (`when.all[1].field`). */
function conditionFields(condition: Condition, at: string): { field: string; at: string }[] {
  if ('all' in condition) return condition.all.flatMap((c, i) => conditionFields(c, `${at}.all[${i}]`));
  if ('any' in condition) return condition.any.flatMap((c, i) => conditionFields(c, `${at}.any[${i}]`));
  if ('not' in condition) return conditionFields(condition.not, `${at}.not`);
  return [{ field: condition.field, at: `${at}.field` }];
}

function placeholderProblems(text: Text, at: string): string[] {
  const problems: string[] = [];
  for (const lang of ['nl', 'en'] as const) {
    for (const [, name = ''] of text[lang].matchAll(placeholder)) {
      if (!isFactName(name)) problems.push(`${at}.${lang}: {${name}} is no event field or context value`);
    }
  }
  return problems;
}

/**
 * Parses and validates a framework file's text. Every problem is listed in one error, one per line as
 * `file: rules[3] (id) field: reason`, with code `assessment.framework_invalid` and `details.problems`.
 */
export function parseFramework(text: string, file: string): Framework {
  const document = parseDocument(text, { uniqueKeys: true });
  if (document.errors.length > 0) {
    fail(
      file,
      document.errors.map(
        (e) => `line ${e.linePos?.[0].line ?? '?'}: not valid YAML: ${e.message.split('\n')[0] ?? ''}`,
      ),
    );
  }
  const input: unknown = document.toJS();
  const parsed = frameworkSchema.safeParse(input);
  const problems: string[] = [];
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const { path, message } = explainIssue(issue);
      problems.push(`${locate(input, path)}: ${message}`);
    }
  }
  // What the schema cannot see, checked on every rule of a sound shape, so one run lists every problem.
  const raw = (input as { rules?: unknown } | null)?.rules;
  const seen = new Map<string, number>();
  (Array.isArray(raw) ? raw : []).forEach((item, i) => {
    const rule = ruleSchema.safeParse(item);
    if (!rule.success) return;
    const { id, when, then } = rule.data;
    const where = `rules[${i}] (${id})`;
    const first = seen.get(id);
    if (first !== undefined) problems.push(`${where} id: also the id of rules[${first}]`);
    else seen.set(id, i);
    for (const { field, at } of conditionFields(when, 'when')) {
      if (!isFactName(field)) {
        problems.push(
          `${where} ${at}: "${field}" is no event field or context value (see docs/assessment.md)`,
        );
      }
    }
    if (then.reason !== undefined) problems.push(...placeholderProblems(then.reason, `${where} then.reason`));
  });
  if (parsed.success) {
    problems.push(...placeholderProblems(parsed.data.defaults.reason, 'defaults.reason'));
    if (parsed.data.changelog[0]?.version !== parsed.data.version) {
      problems.push(`changelog[0].version: the first entry must describe version ${parsed.data.version}`);
    }
  }
  if (problems.length > 0 || !parsed.success) fail(file, problems);
  return parsed.data;
}

function fail(file: string, problems: readonly string[]): never {
  const lines = problems.map((p) => `${file}: ${p}`);
  throw new AppError(
    'assessment.framework_invalid',
    `${file}: the assessment framework is not valid (${problems.length} ${problems.length === 1 ? 'problem' : 'problems'}):\n  ${lines.join('\n  ')}`,
    { details: { file, problems: lines } },
  );
}

/**
 * A condition that fits no matcher shape fails as a union; name the problem of the branch its keys select
 * (`{field, equals}` with a bad field name says so) rather than every branch.
 */
function explainIssue(issue: z.core.$ZodIssue): { path: readonly PropertyKey[]; message: string } {
  if (issue.code === 'invalid_union') {
    const branch = issue.errors.find(
      (issues) =>
        issues.length > 0 && issues.every((i) => i.code !== 'unrecognized_keys' && i.path.length > 0),
    );
    const first = branch?.[0];
    if (first !== undefined) {
      const inner = explainIssue(first);
      return { path: [...issue.path, ...inner.path], message: inner.message };
    }
    return {
      path: issue.path,
      message:
        'expected a condition: {field, exists|equals|in|matches|gt|gte|lt|lte: value} or {all: [...]}, {any: [...]}, {not: ...}',
    };
  }
  if (issue.code === 'unrecognized_keys')
    return { path: issue.path, message: `unknown field ${issue.keys.join(', ')}` };
  return { path: issue.path, message: issue.message };
}

/** Reads and validates a framework file. */
export async function loadFramework(path: string): Promise<Framework> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new AppError(
      'assessment.framework_invalid',
      `cannot read the assessment framework ${path}: ${(error as Error).message}`,
      { cause: error, details: { file: path } },
    );
  }
  return parseFramework(text, path);
}

/** The effects of a rule in words, as the published framework and --explain show them. */
export function describeEffects(effects: RuleEffects): string[] {
  const out: string[] = [];
  if (effects.reliability !== undefined) out.push(`reliability ${effects.reliability}`);
  if (effects.credibility !== undefined) out.push(`credibility ${effects.credibility}`);
  if (effects.severity !== undefined) out.push(`severity ${effects.severity}`);
  if (effects.severity_at_least !== undefined) out.push(`severity at least ${effects.severity_at_least}`);
  if (effects.decision !== undefined) out.push(`decision ${effects.decision}`);
  if (effects.tlp_cap !== undefined) out.push(`TLP no wider than ${effects.tlp_cap}`);
  if (effects.pap !== undefined) out.push(`PAP no wider than ${effects.pap}`);
  if (effects.stop === true) out.push('no further rules');
  return out;
}
