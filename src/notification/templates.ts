/**
 * Message templates: editable YAML files rendered by a small, logic-free template language (a subset of
 * Mustache): `{{name}}` inserts a value, `{{#name}}…{{/name}}` keeps its content when the value is set and
 * not empty, `{{^name}}…{{/name}}` when it is not. Nothing in a template is evaluated as code, and every name
 * a template uses must be one the composer provides: a misspelt name stops loading with the file named.
 *
 * The directory holds:
 * - `frames/<template>.yaml`: the letter around the findings, one per routing template (`default`,
 *   `ncsc-direct`, `foreign-cert`, …), each with `nl` and `en` `subject` and `body`;
 * - `issues/<key>.yaml`: what was found, why it matters and how to fix it (`title`, `about`, `fix` per
 *   language), keyed by `classification.identifier`, else `classification.type`, else `_generic`;
 * - `common.yaml`: per language, what each TLP label asks of the recipient.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { AppError } from '../core/index.ts';
import { tlpLevels } from '../core/index.ts';

export const languages = ['nl', 'en'] as const;
export type Language = (typeof languages)[number];

/** Every name a frame may use; the composer provides each (possibly empty). */
export const frameVariables = [
  'ticket',
  'tlp',
  'tlp_handling',
  'sender',
  'sender_email',
  'desk',
  'recipient',
  'on_behalf_of',
  'count',
  'first_seen',
  'last_seen',
  'feeds',
  'issue.title',
  'issue.about',
  'issue.fix',
  'reasons',
  'events_inline',
  'events_attached',
  'link.acknowledge',
  'link.resolved',
  'link.dispute',
  'link.expires',
  'reminder',
  'relapse',
  'severity_rise',
  'severity',
] as const;
export type FrameVariable = (typeof frameVariables)[number];
export type FrameValues = Readonly<Record<FrameVariable, string>>;

type Token =
  | { kind: 'text'; text: string }
  | { kind: 'value'; name: string }
  | { kind: 'section'; name: string; inverted: boolean; body: Token[] };

/** A parsed template; `render` is pure. */
export interface Template {
  readonly names: ReadonlySet<string>;
  render(values: Readonly<Record<string, string>>): string;
}

const tagPattern = /\{\{\s*([#^/]?)\s*([a-z_][a-z0-9_.]*)\s*\}\}/g;

/** Parses a template; an unbalanced section or a malformed tag is an error naming `where`. */
export function parseTemplate(source: string, where: string): Template {
  const root: Token[] = [];
  const stack: { name: string; inverted: boolean; body: Token[] }[] = [];
  const names = new Set<string>();
  let current = root;
  let last = 0;
  for (const match of source.matchAll(tagPattern)) {
    const [whole, sigil, name = ''] = match;
    const start = match.index;
    if (start > last) current.push({ kind: 'text', text: source.slice(last, start) });
    last = start + whole.length;
    names.add(name);
    if (sigil === '#' || sigil === '^') {
      const section = { name, inverted: sigil === '^', body: [] as Token[] };
      current.push({ kind: 'section', ...section });
      stack.push(section);
      current = section.body;
      // A section tag alone on its line takes its line break with it, so sections leave no blank lines.
      if (source[last] === '\n') last++;
    } else if (sigil === '/') {
      const open = stack.pop();
      if (open === undefined || open.name !== name) {
        throw templateError(where, `{{/${name}}} closes ${open ? `{{#${open.name}}}` : 'nothing'}`);
      }
      current = stack.at(-1)?.body ?? root;
      if (source[last] === '\n') last++;
    } else {
      current.push({ kind: 'value', name });
    }
  }
  if (stack.length > 0) throw templateError(where, `{{#${stack.at(-1)?.name}}} is never closed`);
  const rest = source.slice(last);
  if (rest.includes('{{'))
    throw templateError(
      where,
      `a malformed tag near "${rest.slice(rest.indexOf('{{'), rest.indexOf('{{') + 30)}"`,
    );
  if (rest !== '') current.push({ kind: 'text', text: rest });
  return {
    names,
    render: (values) => renderTokens(root, values),
  };
}

function renderTokens(tokens: readonly Token[], values: Readonly<Record<string, string>>): string {
  let out = '';
  for (const token of tokens) {
    if (token.kind === 'text') out += token.text;
    else if (token.kind === 'value') out += values[token.name] ?? '';
    else {
      const set = (values[token.name] ?? '') !== '';
      if (set !== token.inverted) out += renderTokens(token.body, values);
    }
  }
  return out;
}

function templateError(where: string, problem: string): AppError {
  return new AppError('platform.config_invalid', `${where}: ${problem}`);
}

export interface Frame {
  subject: Template;
  body: Template;
}

export interface IssueText {
  title: string;
  about: string;
  fix: string;
}

export interface TemplateSet {
  readonly dir: string;
  /** Frames by template name and language. */
  readonly frames: ReadonlyMap<string, Readonly<Record<Language, Frame>>>;
  /** Issue texts by identifier or type. */
  readonly issues: ReadonlyMap<string, Readonly<Record<Language, IssueText>>>;
  readonly tlpHandling: Readonly<Record<Language, Readonly<Record<string, string>>>>;
}

const frameFile = z.strictObject(
  Object.fromEntries(
    languages.map((l) => [l, z.strictObject({ subject: z.string().min(1), body: z.string().min(1) })]),
  ) as Record<Language, z.ZodObject<{ subject: z.ZodString; body: z.ZodString }>>,
);
const issueFile = z.strictObject(
  Object.fromEntries(
    languages.map((l) => [
      l,
      z.strictObject({ title: z.string().min(1), about: z.string().min(1), fix: z.string().min(1) }),
    ]),
  ) as Record<Language, z.ZodObject<{ title: z.ZodString; about: z.ZodString; fix: z.ZodString }>>,
);
const commonFile = z.strictObject(
  Object.fromEntries(
    languages.map((l) => [
      l,
      z.strictObject({
        tlp: z.strictObject(
          Object.fromEntries(tlpLevels.map((t) => [t, z.string().min(1)])) as Record<string, z.ZodString>,
        ),
      }),
    ]),
  ) as Record<Language, z.ZodObject<{ tlp: z.ZodObject<Record<string, z.ZodString>> }>>,
);

function readYaml<T>(path: string, schema: z.ZodType<T>): T {
  let document: unknown;
  try {
    document = parseYaml(readFileSync(path, 'utf8'));
  } catch (error) {
    throw templateError(path, `not valid YAML: ${(error as Error).message.split('\n')[0] ?? ''}`);
  }
  const parsed = schema.safeParse(document);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(file)'}: ${i.message}`);
    throw templateError(path, problems.join('; '));
  }
  return parsed.data;
}

const keyPattern = /^[a-z0-9_][a-z0-9_.-]*$/;

/** Loads and checks every template: names used must be known, `_generic` and `default` must exist. */
export function loadTemplates(dir: string): TemplateSet {
  const known = new Set<string>(frameVariables);
  const frames = new Map<string, Record<Language, Frame>>();
  for (const file of yamlFiles(join(dir, 'frames'))) {
    const name = basename(file, '.yaml');
    const content = readYaml(file, frameFile);
    const byLanguage = {} as Record<Language, Frame>;
    for (const language of languages) {
      const subject = parseTemplate(content[language].subject, `${file} ${language}.subject`);
      const body = parseTemplate(content[language].body, `${file} ${language}.body`);
      for (const [part, template] of [
        ['subject', subject],
        ['body', body],
      ] as const) {
        for (const used of template.names) {
          if (!known.has(used)) {
            throw templateError(
              `${file} ${language}.${part}`,
              `unknown name {{${used}}}; known are ${frameVariables.join(', ')}`,
            );
          }
        }
      }
      byLanguage[language] = { subject, body };
    }
    frames.set(name, byLanguage);
  }
  const issues = new Map<string, Record<Language, IssueText>>();
  for (const file of yamlFiles(join(dir, 'issues'))) {
    issues.set(basename(file, '.yaml'), readYaml(file, issueFile));
  }
  if (!frames.has('default'))
    throw templateError(join(dir, 'frames'), 'no default.yaml (the frame every other falls back to)');
  if (!issues.has('_generic'))
    throw templateError(join(dir, 'issues'), 'no _generic.yaml (the text for findings without their own)');
  const common = readYaml(join(dir, 'common.yaml'), commonFile);
  return {
    dir,
    frames,
    issues,
    tlpHandling: { nl: common.nl.tlp, en: common.en.tlp },
  };
}

function yamlFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((f) => {
      const key = basename(f, '.yaml');
      if (!keyPattern.test(key))
        throw templateError(join(dir, f), 'a template name is lower case letters, digits, ".", "_" or "-"');
      return join(dir, f);
    });
}

/** The frame for a routing template, else `default`. */
export function frameFor(set: TemplateSet, template: string, language: Language): Frame {
  const frames = set.frames.get(template) ?? set.frames.get('default');
  if (frames === undefined) throw new AppError('core.internal', 'the template set has no default frame');
  return frames[language];
}

/** The issue text for an identifier, else its type, else `_generic`; `key` says which one answered. */
export function issueFor(
  set: TemplateSet,
  classification: { identifier?: string | undefined; type?: string | undefined },
  language: Language,
): IssueText & { key: string } {
  for (const key of [classification.identifier, classification.type, '_generic']) {
    if (key === undefined) continue;
    const found = set.issues.get(key.toLowerCase());
    if (found !== undefined) return { ...found[language], key: key.toLowerCase() };
  }
  throw new AppError('core.internal', 'the template set has no _generic issue text');
}
