/**
 * Judges one event by the framework: a pure function of the framework and the input (no clock, no I/O), so
 * the same input under the same framework version always gives the same assessment.
 *
 * Rules apply in file order; each sees the input and the assessment so far (`assessment.*`). What a rule
 * that fires does to each value:
 * - reliability, credibility, severity: the last rule that sets one wins (start: the source's reliability,
 *   the framework's default credibility and severity); `severity_at_least` only raises the severity;
 * - decision: the strictest wins, reject > review > inform > notify; no rule: the default, with its reason;
 * - TLP: only narrowed; the start is the narrowest of the source's TLP and the event's own label (an
 *   unreadable label counts as RED), so the result is never wider than the source allows (fail closed);
 * - PAP: only narrowed (start: the narrowest of the default and the source's PAP).
 */
import { narrowestTlp, parseTlp, type Tlp } from '../core/index.ts';
import { inputFacts, type AssessmentInput } from './facts.ts';
import { describeEffects, ruleMatchers, type Framework } from './framework.ts';
import {
  higherSeverity,
  narrowestPap,
  strongerDecision,
  type Credibility,
  type Decision,
  type Pap,
  type Reliability,
  type Severity,
  type Text,
} from './model.ts';

export interface AssessmentReason {
  ruleId: string;
  text: Text;
}

export interface AssessmentResult {
  frameworkVersion: string;
  reliability: Reliability;
  credibility: Credibility;
  severity: Severity;
  decision: Decision;
  /** The rule that set the decision, or `defaults` when none did. */
  decidedBy: string;
  tlp: Tlp;
  pap: Pap;
  /** One per rule that fired, in rule order (and the default's when no rule decided). */
  reasons: AssessmentReason[];
  /** For --explain: which rules matched, on which values, and what they did. */
  fired: { ruleId: string; why: string }[];
}

/** The rule id of the framework's default decision in `reasons` and `decidedBy`. */
export const defaultsRuleId = 'defaults';

function show(value: unknown): string {
  if (value === undefined || value === null || value === '') return '–';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function fill(text: Text, facts: ReadonlyMap<string, unknown>): Text {
  const replace = (s: string) => s.replace(/\{([^{}]*)\}/g, (_, name: string) => show(facts.get(name)));
  return { nl: replace(text.nl), en: replace(text.en) };
}

/** The TLP the input starts from: the source's, narrowed by the event's own label. */
function startingTlp(input: AssessmentInput): Tlp {
  const label = input.event.tlp;
  if (label === undefined || label === null || label === '') return narrowestTlp(input.source.tlp);
  const parsed = typeof label === 'string' ? parseTlp(label) : undefined;
  return narrowestTlp(input.source.tlp, parsed ?? 'RED');
}

export function assess(framework: Framework, input: AssessmentInput): AssessmentResult {
  const facts = inputFacts(input);
  const matchers = ruleMatchers(framework);
  let reliability: Reliability = input.source.reliability;
  let credibility = framework.defaults.credibility as Credibility;
  let severity: Severity = framework.defaults.severity;
  let decision: Decision | undefined;
  let decidedBy = defaultsRuleId;
  let tlp = startingTlp(input);
  let pap =
    input.source.pap === undefined
      ? framework.defaults.pap
      : narrowestPap(framework.defaults.pap, input.source.pap);
  const reasons: AssessmentReason[] = [];
  const fired: AssessmentResult['fired'] = [];

  // The assessment so far, as rules read it: set before the first rule and again after each that fires.
  const showSoFar = () => {
    facts.set('assessment.reliability', reliability);
    facts.set('assessment.credibility', credibility);
    facts.set('assessment.severity', severity);
    facts.set('assessment.decision', decision);
    facts.set('assessment.tlp', tlp);
    facts.set('assessment.pap', pap);
  };
  showSoFar();
  for (const [i, rule] of framework.rules.entries()) {
    const match = matchers[i]?.(facts);
    if (match?.ok !== true) continue;
    const effects = rule.then;
    if (effects.reliability !== undefined) reliability = effects.reliability;
    if (effects.credibility !== undefined) credibility = effects.credibility as Credibility;
    if (effects.severity !== undefined) severity = effects.severity;
    if (effects.severity_at_least !== undefined)
      severity = higherSeverity(severity, effects.severity_at_least);
    if (effects.decision !== undefined) {
      const next = decision === undefined ? effects.decision : strongerDecision(decision, effects.decision);
      if (next !== decision) decidedBy = rule.id;
      decision = next;
    }
    if (effects.tlp_cap !== undefined) tlp = narrowestTlp(tlp, effects.tlp_cap);
    if (effects.pap !== undefined) pap = narrowestPap(pap, effects.pap);
    reasons.push({ ruleId: rule.id, text: fill(effects.reason ?? rule.title, facts) });
    const did = describeEffects(effects);
    fired.push({
      ruleId: rule.id,
      why: `${match.why.length === 0 ? 'always' : match.why.join(', ')}${did.length === 0 ? '' : ` -> ${did.join(', ')}`}`,
    });
    if (effects.stop === true) break;
    showSoFar();
  }

  if (decision === undefined) {
    decision = framework.defaults.decision;
    reasons.push({ ruleId: defaultsRuleId, text: fill(framework.defaults.reason, facts) });
    fired.push({ ruleId: defaultsRuleId, why: `no rule set the decision -> decision ${decision}` });
  }
  return {
    frameworkVersion: framework.version,
    reliability,
    credibility,
    severity,
    decision,
    decidedBy,
    // Structurally never wider than the source's: every step above only narrows.
    tlp: narrowestTlp(tlp, input.source.tlp),
    pap,
    reasons,
    fired,
  };
}
