/** The vocabularies of an assessment (DOMAIN §4 and §6). */

/** `notify`: warn the owner; `review`: a person must look; `inform`: share, no warning; `reject`: drop. */
export const decisions = ['notify', 'review', 'inform', 'reject'] as const;
export type Decision = (typeof decisions)[number];

/** Admiralty source reliability: A completely reliable .. E unreliable, F cannot be judged. */
export const reliabilities = ['A', 'B', 'C', 'D', 'E', 'F'] as const;
export type Reliability = (typeof reliabilities)[number];

/** Admiralty information credibility: 1 confirmed .. 5 improbable, 6 cannot be judged. */
export type Credibility = 1 | 2 | 3 | 4 | 5 | 6;

/** The IDF `severity` values (IntelMQ 3.5), from the least to the most urgent. */
export const severities = ['info', 'low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof severities)[number];

/** PAP (what a recipient may do), from the most permissive to the most restrictive. */
export const papLevels = ['CLEAR', 'GREEN', 'AMBER', 'RED'] as const;
export type Pap = (typeof papLevels)[number];

export interface Text {
  nl: string;
  en: string;
}

/** The most restrictive of PAP levels (RED when none is given: fail closed). */
export function narrowestPap(...levels: Pap[]): Pap {
  if (levels.length === 0) return 'RED';
  return levels.reduce((a, b) => (papLevels.indexOf(b) > papLevels.indexOf(a) ? b : a));
}

/** The more urgent of two severities. */
export function higherSeverity(a: Severity, b: Severity): Severity {
  return severities.indexOf(b) > severities.indexOf(a) ? b : a;
}

/** Decision precedence: a stricter decision wins over a laxer one (reject > review > inform > notify). */
const precedence: Readonly<Record<Decision, number>> = { notify: 0, inform: 1, review: 2, reject: 3 };

export function strongerDecision(a: Decision, b: Decision): Decision {
  return precedence[b] > precedence[a] ? b : a;
}
