/**
 * The values a framework condition can read: every event field by its IDF name, and the context below.
 * Context names never collide with IDF fields (IntelMQ has no `reporter.*`, `owner.*` or `cvss.*`), and a
 * context value always wins over an event key of the same name, so an event cannot fake its own context.
 */
import { isKnownField, parseTlp, type Event, type Tlp } from '../core/index.ts';
import { scoreCvss } from './cvss.ts';
import type { Pap, Reliability } from './model.ts';

/** Context names, with what each holds (published in docs/assessment.md). */
export const contextFacts = {
  'reporter.name': 'the name of the source (feed or reporter profile) that delivered the report',
  'reporter.reliability': "the source's reliability from its profile, A..F (Admiralty code)",
  'reporter.tlp': 'the widest TLP the source allows for its reports',
  'reporter.pap': 'the PAP the source asks for, when its profile sets one',
  'report.kind': 'feed (a bulk feed) or single (one report through the form or the API)',
  'report.evidence': 'a single report: whether it carries evidence or steps to check it (true/false)',
  'report.contact': 'a single report: whether the reporter can be contacted (true/false)',
  'report.requested_tlp': 'a single report: the TLP the reporter asked for',
  'target.present': 'whether the event names the affected system: source.ip, .fqdn, .url, .network or .asn',
  'owner.found': 'whether an owner or recipient for the event was found (true/false)',
  'owner.constituency': "the owner's constituency (vital, central-government, ..., foreign-cert)",
  'corroboration.independent_sources': 'how many other, independent sources reported the same fact',
  'corroboration.own_verification': 'whether we verified the fact ourselves (a re-scan, a test)',
  'cvss.vector': 'the CVSS vector of the report, as given',
  'cvss.version': 'the version of a valid CVSS vector: 3.0, 3.1 or 4.0',
  'cvss.score': 'the score of a valid CVSS vector (v3 base score, v4 score), 0.0..10.0',
  'cvss.rating': "a valid vector's FIRST rating: none, low, medium, high, critical",
  'cvss.invalid': 'true when a CVSS vector was given that is no valid v3.0, v3.1 or v4.0 vector',
  known_exploited:
    'whether the vulnerability is known to be exploited (a KEV entry, or the reporter says so)',
  'answers.likelihood':
    'NCSC likelihood (kans): low (sum of the 10 answers < 19), medium (19..27), high (>= 28)',
  'answers.likelihood_sum': 'the sum of the 10 likelihood answers, each 1..4',
  'answers.damage': 'NCSC damage (schade): the highest of the 5 answers: low, medium or high',
  personal_data: 'whether the event holds personal data: accounts, e-mail addresses or credentials',
  'personal_data.kinds': 'which kinds of personal data, comma-separated: account, credentials, email',
  'assessment.reliability': 'the reliability so far (after the rules before this one)',
  'assessment.credibility': 'the credibility so far, 1..6',
  'assessment.severity': 'the severity so far',
  'assessment.decision': 'the decision so far (absent while no rule has set one)',
  'assessment.tlp': 'the TLP so far',
  'assessment.pap': 'the PAP so far',
} as const;

export type ContextFact = keyof typeof contextFacts;

/** Whether a condition or reason may name this value. */
export function isFactName(name: string): boolean {
  return Object.hasOwn(contextFacts, name) || isKnownField(name);
}

export type ImpactAnswer = 1 | 2 | 3 | 'low' | 'medium' | 'high';

export interface AssessmentInput {
  event: Event;
  source: { name: string; reliability: Reliability; tlp: Tlp; pap?: Pap };
  /** How the report came in; a bulk feed when absent. */
  report?: { kind: 'feed' | 'single'; evidence?: boolean; contact?: boolean; requestedTlp?: Tlp };
  owner?: { found: boolean; constituency?: string };
  corroboration?: { independentSources: number; ownVerification: boolean };
  /**
   * The reporter's answers to the NCSC kans/schade questions: 10 likelihood answers (each 1..4) and 5
   * impact (damage) answers (low, medium, high or 1..3). Incomplete or out-of-range answers are not used.
   */
  answers?: { likelihood?: readonly number[]; impact?: readonly ImpactAnswer[] };
  /** A CVSS vector for the event; otherwise the event's `extra.cvss_vector` (or `extra.cvss`). */
  cvssVector?: string;
  /** Known to be exploited (e.g. listed in CISA KEV); otherwise the event's `extra.known_exploited`. */
  knownExploited?: boolean;
}

const targetFields = ['source.ip', 'source.fqdn', 'source.url', 'source.network', 'source.asn'] as const;
// Accounts of people; abuse contacts are role addresses of organisations and are left out.
const accountFields = ['source.account', 'destination.account'] as const;
const emailPattern = /[a-z0-9._%+-]+@[a-z0-9-]+(\.[a-z0-9-]+)*\.[a-z]{2,}/i;
const credentialKey =
  /(^|[._])(password|passwd|credentials?|token|secret|api_?key|cookie|session_id)([._]|$)/;
const credentialIdentifier = /credential|password|stealer|leaked-login|account-compromise/i;

function present(value: unknown): boolean {
  return value !== undefined && value !== null && value !== '';
}

/**
 * The kinds of personal data in an event: `account` (source/destination.account), `email` (an e-mail
 * address in any field but the abuse contacts, nested `extra` values included) and `credentials` (a
 * password, token or secret field, or a credential-leak classification).
 */
export function personalDataKinds(event: Event): string[] {
  const kinds = new Set<string>();
  for (const field of accountFields) if (present(event[field])) kinds.add('account');
  for (const [key, value] of Object.entries(event)) {
    if (key.endsWith('abuse_contact') || key === 'raw') continue;
    if (credentialKey.test(key) && present(value)) kinds.add('credentials');
    if (containsText(value, (text) => emailPattern.test(text))) kinds.add('email');
  }
  const identifier = event['classification.identifier'];
  if (typeof identifier === 'string' && credentialIdentifier.test(identifier)) kinds.add('credentials');
  return [...kinds].sort();
}

function containsText(value: unknown, test: (text: string) => boolean, depth = 0): boolean {
  if (typeof value === 'string') return test(value);
  if (depth > 8 || typeof value !== 'object' || value === null) return false;
  const values: unknown[] = Array.isArray(value) ? value : Object.values(value);
  return values.some((v) => containsText(v, test, depth + 1));
}

/** NCSC kans: the sum of 10 answers of 1..4; undefined unless all 10 are given and in range. */
export function likelihoodSum(answers: readonly number[] | undefined): number | undefined {
  if (answers?.length !== 10 || !answers.every((a) => Number.isInteger(a) && a >= 1 && a <= 4))
    return undefined;
  return answers.reduce((sum, a) => sum + a, 0);
}

export function likelihoodLevel(sum: number): 'low' | 'medium' | 'high' {
  return sum < 19 ? 'low' : sum < 28 ? 'medium' : 'high';
}

const damageLevels = ['low', 'medium', 'high'] as const;
const damageValue: Readonly<Record<string, number>> = { low: 1, medium: 2, high: 3, '1': 1, '2': 2, '3': 3 };

/** NCSC schade: the highest of 5 answers; undefined unless all 5 are given and valid. */
export function damageLevel(
  answers: readonly ImpactAnswer[] | undefined,
): 'low' | 'medium' | 'high' | undefined {
  if (answers?.length !== 5) return undefined;
  let highest = 0;
  for (const answer of answers) {
    const value = damageValue[String(answer)];
    if (value === undefined) return undefined;
    highest = Math.max(highest, value);
  }
  return damageLevels[highest - 1];
}

function text(event: Event, field: string): string | undefined {
  const value = event[field];
  return typeof value === 'string' && value.trim() !== '' ? value : undefined;
}

function flag(value: unknown): boolean | undefined {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string' && /^(true|yes|1)$/i.test(value.trim())) return true;
  if (typeof value === 'string' && /^(false|no|0)$/i.test(value.trim())) return false;
  return undefined;
}

/** The facts of an input: the event's fields, then the context (which overrides). */
export function inputFacts(input: AssessmentInput): Map<string, unknown> {
  const facts = new Map<string, unknown>(Object.entries(input.event));
  const set = (name: ContextFact, value: unknown) => {
    if (value === undefined) facts.delete(name);
    else facts.set(name, value);
  };
  set('reporter.name', input.source.name);
  set('reporter.reliability', input.source.reliability);
  set('reporter.tlp', input.source.tlp);
  set('reporter.pap', input.source.pap);
  const report = input.report ?? { kind: 'feed' };
  set('report.kind', report.kind);
  set('report.evidence', report.evidence ?? (report.kind === 'single' ? false : undefined));
  set('report.contact', report.contact ?? (report.kind === 'single' ? false : undefined));
  set('report.requested_tlp', report.requestedTlp);
  set(
    'target.present',
    targetFields.some((f) => present(input.event[f])),
  );
  set('owner.found', input.owner?.found ?? false);
  set('owner.constituency', input.owner?.constituency);
  set('corroboration.independent_sources', input.corroboration?.independentSources ?? 0);
  set('corroboration.own_verification', input.corroboration?.ownVerification ?? false);
  const vector =
    input.cvssVector ?? text(input.event, 'extra.cvss_vector') ?? text(input.event, 'extra.cvss');
  const cvss = vector === undefined ? undefined : scoreCvss(vector);
  set('cvss.vector', vector);
  set('cvss.version', cvss?.version);
  set('cvss.score', cvss?.baseScore);
  set('cvss.rating', cvss?.severity);
  set('cvss.invalid', vector !== undefined && cvss === undefined);
  set('known_exploited', input.knownExploited ?? flag(input.event['extra.known_exploited']) ?? false);
  const sum = likelihoodSum(input.answers?.likelihood);
  set('answers.likelihood_sum', sum);
  set('answers.likelihood', sum === undefined ? undefined : likelihoodLevel(sum));
  set('answers.damage', damageLevel(input.answers?.impact));
  const kinds = personalDataKinds(input.event);
  set('personal_data', kinds.length > 0);
  set('personal_data.kinds', kinds.length === 0 ? undefined : kinds.join(', '));
  // The event's own label, read as TLP 2.0 so that `TLP:RED`, `red` and legacy names all match.
  const label = input.event.tlp;
  if (typeof label === 'string') facts.set('tlp', parseTlp(label) ?? label);
  return facts;
}
