import { parse as parseYaml, YAMLParseError } from 'yaml';
import { z } from 'zod';
import { AppError } from '../core/index.ts';

/**
 * A routing profile: who sends (desks behind one outward identity) and the ordered rules that turn a resolved
 * event into directives. The file is YAML; the first rule whose conditions all hold decides. A rule that
 * would warn an organisation directly although a link organisation serves it must carry a written
 * `justification`, which is stored with every directive it makes (DOMAIN §5: since 2022 a non-vital provider
 * is normally reached through its link organisation).
 */

export { constituencies, nis2Classes, type Constituency, type Nis2Class } from '../directory/index.ts';

export const channels = ['direct', 'via-link-organisation', 'foreign-cert'] as const;
export type Channel = (typeof channels)[number];

export const recipientKinds = ['end-user', 'network-owner', 'both', 'national-cert'] as const;
export type RecipientKind = (typeof recipientKinds)[number];

export const resolutionLayers = ['end-user', 'network-owner', 'national-cert', 'unresolved'] as const;
export type ResolutionLayer = (typeof resolutionLayers)[number];

/** What a condition may look at; each maps to one value of the subject (see `subjectValue` in route.ts). */
export const conditionKeys = [
  'layer',
  'constituency',
  'nis2_class',
  'sector',
  'subsector',
  'country',
  'link_organisation',
  'classification.taxonomy',
  'classification.type',
  'classification.identifier',
  'severity',
  'feed.name',
  'feed.provider',
] as const;
export type ConditionKey = (typeof conditionKeys)[number];

const scalar = z.union([z.string(), z.number(), z.boolean()]);
const expected = z.union([scalar, z.array(scalar).min(1)]);
const condition = z.union([expected, z.strictObject({ not: expected })]);

const isoDuration = z
  .string()
  .regex(/^P(?:\d+D)?(?:T(?:\d+H)?(?:\d+M)?)?$/, 'an ISO-8601 duration such as P1D, P7D or PT6H')
  .refine((text) => text !== 'P' && !text.endsWith('T'), 'an ISO-8601 duration such as P1D, P7D or PT6H');

const ruleSchema = z.strictObject({
  name: z.string().min(1),
  description: z.string().optional(),
  when: z.partialRecord(z.enum(conditionKeys), condition).default({}),
  then: z.strictObject({
    desk: z.string().min(1),
    channel: z.enum(channels),
    recipient: z.enum(recipientKinds),
    template: z.string().min(1).optional(),
    interval: isoDuration.optional(),
    aggregation: z.array(z.string().min(1)).min(1).optional(),
  }),
  justification: z.string().min(20, 'a written justification of at least 20 characters').optional(),
});

const profileSchema = z.strictObject({
  profile: z.string().min(1),
  version: z.number().int().positive(),
  description: z.string().optional(),
  identity: z.strictObject({ name: z.string().min(1), email: z.email() }),
  desks: z
    .array(
      z.strictObject({ id: z.string().regex(/^[a-z0-9-]+$/), name: z.string().min(1), serves: z.string() }),
    )
    .min(1),
  defaults: z.strictObject({
    template: z.string().min(1),
    interval: isoDuration,
    aggregation: z.array(z.string().min(1)).min(1),
  }),
  rules: z.array(ruleSchema).min(1),
});

export type RoutingRule = z.infer<typeof ruleSchema>;
export type RoutingProfile = z.infer<typeof profileSchema>;
export type Condition = z.infer<typeof condition>;

/**
 * Reads a routing profile, listing every problem (rule index and name, key, what is expected) in one
 * `AppError('core.invalid_input')`. Beyond the shape: rule names are unique and every desk a rule names is
 * declared.
 */
export function parseRoutingProfile(yamlText: string, fileName: string): RoutingProfile {
  let document: unknown;
  try {
    document = parseYaml(yamlText);
  } catch (error) {
    const where = error instanceof YAMLParseError ? ` at line ${error.linePos?.[0].line ?? '?'}` : '';
    throw new AppError(
      'core.invalid_input',
      `${fileName}: not valid YAML${where}: ${(error as Error).message}`,
    );
  }
  const parsed = profileSchema.safeParse(document);
  const problems: string[] = [];
  if (!parsed.success) {
    for (const issue of parsed.error.issues)
      problems.push(`${describePath(document, issue.path)}: ${issue.message}`);
  } else {
    const desks = new Set(parsed.data.desks.map((desk) => desk.id));
    const names = new Set<string>();
    parsed.data.rules.forEach((rule, index) => {
      const where = `rules[${index}] (${rule.name})`;
      if (names.has(rule.name)) problems.push(`${where}.name: another rule has this name`);
      names.add(rule.name);
      if (!desks.has(rule.then.desk)) {
        problems.push(
          `${where}.then.desk: "${rule.then.desk}" is not one of the desks (${[...desks].join(', ')})`,
        );
      }
      if (rule.then.channel === 'foreign-cert' && rule.then.recipient !== 'national-cert') {
        problems.push(
          `${where}.then.recipient: the foreign-cert channel goes to the national-cert recipient`,
        );
      }
    });
  }
  if (problems.length > 0) {
    throw new AppError(
      'core.invalid_input',
      `${fileName}: the routing profile is not valid (${problems.length} ${problems.length === 1 ? 'problem' : 'problems'}):\n  ${problems.join('\n  ')}`,
      { details: { file: fileName, problems } },
    );
  }
  if (!parsed.success) throw new Error('unreachable');
  return parsed.data;
}

/** `rules[3] (vital-direct).then.channel` rather than `rules.3.then.channel`. */
function describePath(document: unknown, path: readonly PropertyKey[]): string {
  let out = '';
  let node: unknown = document;
  for (const key of path) {
    if (typeof key === 'number') {
      out += `[${key}]`;
      node = Array.isArray(node) ? node[key] : undefined;
      const name = (node as { name?: unknown } | undefined)?.name;
      if (out.startsWith('rules') && out.split('[').length === 2 && typeof name === 'string')
        out += ` (${name})`;
    } else {
      out += out === '' ? String(key) : `.${String(key)}`;
      node =
        typeof node === 'object' && node !== null ? (node as Record<PropertyKey, unknown>)[key] : undefined;
    }
  }
  return out === '' ? '(document)' : out;
}
