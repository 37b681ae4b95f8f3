/**
 * The framework's condition language: a small, safe set of matchers over named values, with no code
 * evaluation. A condition is data (from YAML), checked by the framework schema and compiled once per rule
 * into a function that also says why it matched.
 *
 *   { field: NAME, exists: true|false }
 *   { field: NAME, equals: VALUE }           string, number or boolean; strings compare case-insensitively
 *   { field: NAME, in: [VALUE, ...] }
 *   { field: NAME, matches: REGEX }          a JavaScript regular expression, case-insensitive, on text
 *   { field: NAME, gt|gte|lt|lte: NUMBER }   numeric comparison (text that is a number counts)
 *   { all: [COND, ...] }  { any: [COND, ...] }  { not: COND }
 *
 * A field that is absent matches nothing but `exists: false` (and `not` of a matcher on it).
 */
import { z } from 'zod';

export type Scalar = string | number | boolean;

export type Condition =
  | { field: string; exists: boolean }
  | { field: string; equals: Scalar }
  | { field: string; in: Scalar[] }
  | { field: string; matches: string }
  | { field: string; gt: number }
  | { field: string; gte: number }
  | { field: string; lt: number }
  | { field: string; lte: number }
  | { all: Condition[] }
  | { any: Condition[] }
  | { not: Condition };

/** The values a condition reads: event fields by their IDF names, and the context's own names. */
export type Facts = ReadonlyMap<string, unknown>;

/** A compiled condition: whether it holds, and the facts that made it hold (for explanations). */
export type Matcher = (facts: Facts) => { ok: boolean; why: string[] };

const scalar = z.union([z.string(), z.number(), z.boolean()]);
const fieldName = z
  .string()
  .regex(/^[a-z0-9_]+(\.[a-z0-9_]+)*$/, { message: 'expected a dotted field name such as source.ip' });

const comparisons = ['gt', 'gte', 'lt', 'lte'] as const;

export const conditionSchema: z.ZodType<Condition> = z.lazy(() =>
  z.union([
    z.strictObject({ all: z.array(conditionSchema).min(1) }),
    z.strictObject({ any: z.array(conditionSchema).min(1) }),
    z.strictObject({ not: conditionSchema }),
    z.strictObject({ field: fieldName, exists: z.boolean() }),
    z.strictObject({ field: fieldName, equals: scalar }),
    z.strictObject({ field: fieldName, in: z.array(scalar).min(1) }),
    z.strictObject({
      field: fieldName,
      matches: z.string().refine(isRegex, { message: 'expected a valid regular expression' }),
    }),
    ...comparisons.map((op) => z.strictObject({ field: fieldName, [op]: z.number() })),
  ]),
) as z.ZodType<Condition>;

function isRegex(source: string): boolean {
  try {
    new RegExp(source, 'iu');
    return true;
  } catch {
    return false;
  }
}

function show(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

function same(a: unknown, b: Scalar): boolean {
  if (typeof a === 'string' && typeof b === 'string') return a.toLowerCase() === b.toLowerCase();
  if (typeof b === 'number') return toNumber(a) === b;
  return a === b;
}

function toNumber(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && value.trim() !== '') {
    const n = Number(value);
    return Number.isFinite(n) ? n : undefined;
  }
  return undefined;
}

const no = { ok: false, why: [] as string[] };

/** Compiles a condition (already validated by `conditionSchema`) once; the result runs per event. */
export function compileCondition(condition: Condition): Matcher {
  if ('all' in condition) {
    const parts = condition.all.map(compileCondition);
    return (facts) => {
      const why: string[] = [];
      for (const part of parts) {
        const r = part(facts);
        if (!r.ok) return no;
        why.push(...r.why);
      }
      return { ok: true, why };
    };
  }
  if ('any' in condition) {
    const parts = condition.any.map(compileCondition);
    return (facts) => {
      for (const part of parts) {
        const r = part(facts);
        if (r.ok) return r;
      }
      return no;
    };
  }
  if ('not' in condition) {
    const inner = compileCondition(condition.not);
    const text = describeCondition(condition.not);
    return (facts) => (inner(facts).ok ? no : { ok: true, why: [`not (${text})`] });
  }
  const { field } = condition;
  if ('exists' in condition) {
    const wanted = condition.exists;
    return (facts) => {
      const value = facts.get(field);
      const present = value !== undefined && value !== null && value !== '';
      if (present !== wanted) return no;
      return { ok: true, why: [present ? `${field} = ${show(value)}` : `${field} is absent`] };
    };
  }
  const test = valueTest(condition);
  return (facts) => {
    const value = facts.get(field);
    if (value === undefined || value === null) return no;
    return test(value) ? { ok: true, why: [`${field} = ${show(value)}`] } : no;
  };
}

function valueTest(condition: Condition): (value: unknown) => boolean {
  if ('equals' in condition) {
    const wanted = condition.equals;
    return (value) => same(value, wanted);
  }
  if ('in' in condition) {
    const options = condition.in;
    return (value) => options.some((o) => same(value, o));
  }
  if ('matches' in condition) {
    const pattern = new RegExp(condition.matches, 'iu');
    return (value) => typeof value === 'string' && pattern.test(value);
  }
  const [bound, compare] =
    'gt' in condition
      ? [condition.gt, (a: number, b: number) => a > b]
      : 'gte' in condition
        ? [condition.gte, (a: number, b: number) => a >= b]
        : 'lt' in condition
          ? [condition.lt, (a: number, b: number) => a < b]
          : 'lte' in condition
            ? [condition.lte, (a: number, b: number) => a <= b]
            : [Number.NaN, () => false];
  return (value) => {
    const n = toNumber(value);
    return n !== undefined && compare(n, bound);
  };
}

/** The condition in words, as the published framework shows it. */
export function describeCondition(condition: Condition): string {
  if ('all' in condition) return condition.all.map(describeCondition).join(' and ');
  if ('any' in condition) return `(${condition.any.map(describeCondition).join(' or ')})`;
  if ('not' in condition) return `not (${describeCondition(condition.not)})`;
  const { field } = condition;
  if ('exists' in condition) return condition.exists ? `${field} is present` : `${field} is absent`;
  if ('equals' in condition) return `${field} = ${show(condition.equals)}`;
  if ('in' in condition) return `${field} in [${condition.in.map(show).join(', ')}]`;
  if ('matches' in condition) return `${field} matches /${condition.matches}/`;
  if ('gt' in condition) return `${field} > ${condition.gt}`;
  if ('gte' in condition) return `${field} >= ${condition.gte}`;
  if ('lt' in condition) return `${field} < ${condition.lt}`;
  return `${field} <= ${condition.lte}`;
}
