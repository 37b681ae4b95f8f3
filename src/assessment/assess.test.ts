import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isWiderThan, narrowestTlp, parseTlp, tlpLevels, type Event, type Tlp } from '../core/index.ts';
import { assess, defaultsRuleId, type AssessmentResult } from './assess.ts';
import type { AssessmentInput } from './facts.ts';
import { parseFramework } from './framework.ts';
import { decisions, reliabilities } from './model.ts';

const shippedPath = fileURLToPath(new URL('../../config/assessment/framework.yaml', import.meta.url));
const shipped = parseFramework(readFileSync(shippedPath, 'utf8'), shippedPath);

/** A complete feed report from a reliable source about a system whose owner, a vital provider, is known. */
function baseline(): AssessmentInput {
  return {
    event: {
      'classification.taxonomy': 'vulnerable',
      'classification.type': 'vulnerable-system',
      'classification.identifier': 'accessible-rdp',
      'source.ip': '192.0.2.10',
      'source.port': 3389,
      'time.source': '2026-11-22T08:00:00+00:00',
    },
    source: { name: 'shadowserver', reliability: 'B', tlp: 'GREEN' },
    owner: { found: true, constituency: 'vital' },
    corroboration: { independentSources: 0, ownVerification: false },
  };
}

type Change = (input: AssessmentInput) => void;
type Expected = Partial<
  Pick<AssessmentResult, 'decision' | 'reliability' | 'credibility' | 'severity' | 'tlp' | 'pap'>
>;

const withEvent =
  (fields: Event, remove: string[] = []): Change =>
  (input) => {
    for (const key of remove) Reflect.deleteProperty(input.event, key);
    Object.assign(input.event, fields);
  };

const v31 = (cia: string) => `CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/${cia}`;
const answers = (sum: 'low' | 'medium' | 'high', damage: 'low' | 'medium' | 'high'): Change => {
  // 10 answers summing to 10 (low), 20 (medium) or 30 (high).
  const likelihood = {
    low: [1, 1, 1, 1, 1, 1, 1, 1, 1, 1],
    medium: [2, 2, 2, 2, 2, 2, 2, 2, 2, 2],
    high: [3, 3, 3, 3, 3, 3, 3, 3, 3, 3],
  }[sum];
  return (input) => {
    input.answers = { likelihood, impact: ['low', 'low', damage, 'low', 'low'] };
  };
};

interface Row {
  rule: string;
  change: Change;
  expected: Expected;
  /** Rules that must also be among the reasons. */
  alsoFired?: string[];
}

/** At least one row per shipped rule: the change that makes it fire, and what the assessment becomes. */
const rows: Row[] = [
  { rule: 'completeness.target', change: withEvent({}, ['source.ip']), expected: { decision: 'reject' } },
  {
    rule: 'completeness.target-single',
    change: (input) => {
      withEvent({}, ['source.ip'])(input);
      input.report = { kind: 'single', evidence: true, contact: true };
    },
    expected: { decision: 'review' },
  },
  {
    rule: 'completeness.test',
    change: withEvent({ 'classification.taxonomy': 'test', 'classification.type': 'test' }),
    expected: { decision: 'reject' },
  },
  { rule: 'completeness.time', change: withEvent({}, ['time.source']), expected: { decision: 'review' } },
  {
    rule: 'completeness.method',
    change: withEvent({}, ['classification.type']),
    expected: { decision: 'review' },
  },
  {
    rule: 'completeness.method',
    change: withEvent({ 'classification.type': 'undetermined' }),
    expected: { decision: 'review' },
  },
  {
    rule: 'completeness.evidence',
    change: (i) => (i.report = { kind: 'single', evidence: false, contact: true }),
    expected: { decision: 'review', credibility: 2 },
  },
  {
    rule: 'completeness.contact',
    change: (i) => (i.report = { kind: 'single', evidence: true, contact: false }),
    expected: { reliability: 'F', credibility: 6, decision: 'review' },
    alsoFired: ['credibility.unknown-source'],
  },
  {
    rule: 'credibility.reliable-source',
    change: (i) => (i.source.reliability = 'A'),
    expected: { credibility: 2, decision: 'notify' },
  },
  {
    rule: 'credibility.fair-source',
    change: (i) => (i.source.reliability = 'C'),
    expected: { credibility: 3, decision: 'notify' },
  },
  {
    rule: 'credibility.fair-source',
    change: (i) => (i.source.reliability = 'D'),
    expected: { credibility: 3, decision: 'notify' },
  },
  {
    rule: 'credibility.unreliable-source',
    change: (i) => (i.source.reliability = 'E'),
    expected: { credibility: 4, decision: 'review' },
  },
  {
    rule: 'credibility.unknown-source',
    change: (i) => (i.source.reliability = 'F'),
    expected: { credibility: 6, decision: 'review' },
  },
  {
    rule: 'credibility.corroborated',
    change: (i) => {
      i.source.reliability = 'F';
      i.corroboration = { independentSources: 2, ownVerification: false };
    },
    expected: { credibility: 1, decision: 'notify', reliability: 'F' },
  },
  {
    rule: 'credibility.own-verification',
    change: (i) => {
      i.source.reliability = 'E';
      i.corroboration = { independentSources: 0, ownVerification: true };
    },
    expected: { credibility: 1, decision: 'notify' },
  },
  {
    rule: 'severity.feed-critical',
    change: withEvent({ severity: 'critical' }),
    expected: { severity: 'critical' },
  },
  { rule: 'severity.feed-high', change: withEvent({ severity: 'high' }), expected: { severity: 'high' } },
  {
    rule: 'severity.feed-medium',
    change: withEvent({ severity: 'medium' }),
    expected: { severity: 'medium' },
  },
  {
    rule: 'severity.feed-low',
    change: withEvent({ severity: 'low' }),
    expected: { severity: 'low', decision: 'notify' },
  },
  {
    rule: 'severity.feed-info',
    change: withEvent({ severity: 'info' }),
    expected: { severity: 'info', decision: 'inform' },
    alsoFired: ['actionability.informational'],
  },
  {
    rule: 'severity.cvss-critical',
    change: (i) => (i.cvssVector = v31('C:H/I:H/A:H')),
    expected: { severity: 'critical' },
  },
  {
    rule: 'severity.cvss-critical',
    change: withEvent({
      'extra.cvss_vector': 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N',
    }),
    expected: { severity: 'critical' },
  },
  {
    rule: 'severity.cvss-high',
    change: (i) => (i.cvssVector = v31('C:H/I:N/A:N')),
    expected: { severity: 'high' },
  },
  {
    // The feed says low, the vector says more: the CVSS rules come later and the last one wins.
    rule: 'severity.cvss-medium',
    change: (i) => {
      i.event.severity = 'low';
      i.cvssVector = v31('C:L/I:N/A:N');
    },
    expected: { severity: 'medium' },
    alsoFired: ['severity.feed-low'],
  },
  {
    rule: 'severity.cvss-low',
    change: (i) => (i.cvssVector = 'CVSS:3.1/AV:P/AC:H/PR:H/UI:R/S:U/C:L/I:N/A:N'),
    expected: { severity: 'low' },
  },
  {
    rule: 'severity.cvss-invalid',
    change: (i) => (i.cvssVector = 'CVSS:3.1/AV:N/AC:L'),
    expected: { decision: 'review', severity: 'medium' },
  },
  {
    rule: 'severity.likelihood-damage-critical',
    change: answers('high', 'high'),
    expected: { severity: 'critical' },
  },
  {
    rule: 'severity.likelihood-damage-high',
    change: answers('high', 'medium'),
    expected: { severity: 'high' },
  },
  {
    rule: 'severity.likelihood-damage-high',
    change: answers('medium', 'high'),
    expected: { severity: 'high' },
  },
  {
    rule: 'severity.likelihood-damage-medium',
    change: answers('medium', 'medium'),
    expected: { severity: 'medium' },
  },
  {
    rule: 'severity.likelihood-damage-medium',
    change: answers('high', 'low'),
    expected: { severity: 'medium' },
  },
  {
    rule: 'severity.likelihood-damage-medium',
    change: answers('low', 'high'),
    expected: { severity: 'medium' },
  },
  { rule: 'severity.likelihood-damage-low', change: answers('low', 'low'), expected: { severity: 'low' } },
  { rule: 'severity.likelihood-damage-low', change: answers('low', 'medium'), expected: { severity: 'low' } },
  { rule: 'severity.likelihood-damage-low', change: answers('medium', 'low'), expected: { severity: 'low' } },
  {
    rule: 'severity.known-exploited',
    change: (i) => {
      i.event.severity = 'low';
      i.knownExploited = true;
    },
    expected: { severity: 'high' },
  },
  {
    // At least high: a critical score stays critical.
    rule: 'severity.known-exploited',
    change: withEvent({ severity: 'critical', 'extra.known_exploited': true }),
    expected: { severity: 'critical' },
  },
  {
    rule: 'severity.compromise',
    change: withEvent({
      'classification.taxonomy': 'intrusions',
      'classification.type': 'system-compromise',
    }),
    expected: { severity: 'high', pap: 'AMBER', decision: 'notify' },
  },
  {
    rule: 'actionability.no-owner',
    change: (i) => (i.owner = { found: false }),
    expected: { decision: 'inform' },
  },
  { rule: 'actionability.no-owner', change: (i) => delete i.owner, expected: { decision: 'inform' } },
  {
    rule: 'actionability.constituency-unknown',
    change: (i) => (i.owner = { found: true }),
    expected: { decision: 'notify' },
  },
  {
    rule: 'actionability.informational',
    change: withEvent({ severity: 'info' }),
    expected: { decision: 'inform' },
  },
  {
    rule: 'sharing.source-allows',
    change: (i) => (i.source.tlp = 'CLEAR'),
    expected: { tlp: 'CLEAR', pap: 'GREEN', decision: 'notify' },
  },
  {
    rule: 'sharing.source-red',
    change: (i) => (i.source.tlp = 'RED'),
    expected: { tlp: 'RED', pap: 'RED', decision: 'review' },
  },
  {
    rule: 'sharing.source-red',
    change: withEvent({ tlp: 'TLP:RED' }),
    expected: { tlp: 'RED', pap: 'RED', decision: 'review' },
  },
  {
    rule: 'sharing.source-red',
    change: (i) => (i.report = { kind: 'single', evidence: true, contact: true, requestedTlp: 'RED' }),
    expected: { pap: 'RED', decision: 'review' },
  },
  {
    rule: 'sharing.personal-data',
    change: (i) => {
      i.source.tlp = 'CLEAR';
      i.event['source.account'] = 'j.jansen';
    },
    expected: { tlp: 'AMBER', pap: 'AMBER', decision: 'notify' },
  },
  {
    rule: 'sharing.personal-data',
    change: withEvent({ 'extra.reporter_note': 'logged in as piet@example.nl' }),
    expected: { tlp: 'AMBER', pap: 'AMBER' },
  },
  {
    rule: 'sharing.credentials',
    change: (i) => {
      i.source.tlp = 'CLEAR';
      i.event['extra.password'] = 'hunter2';
    },
    expected: { tlp: 'AMBER+STRICT', pap: 'RED' },
    alsoFired: ['sharing.personal-data'],
  },
];

function run(row: Row): AssessmentResult {
  const input = baseline();
  row.change(input);
  return assess(shipped, input);
}

describe('the shipped framework, rule by rule', () => {
  it('the baseline is a warning with reliability B, credibility 2, default severity and the source TLP', () => {
    const result = assess(shipped, baseline());
    expect(result).toMatchObject({
      frameworkVersion: shipped.version,
      reliability: 'B',
      credibility: 2,
      severity: 'medium',
      decision: 'notify',
      decidedBy: defaultsRuleId,
      tlp: 'GREEN',
      pap: 'GREEN',
    });
    expect(result.reasons.map((r) => r.ruleId)).toEqual([
      'credibility.reliable-source',
      'sharing.source-allows',
      defaultsRuleId,
    ]);
  });

  it('has a row for every shipped rule', () => {
    const tested = new Set(rows.map((r) => r.rule));
    expect(shipped.rules.map((r) => r.id).filter((id) => !tested.has(id))).toEqual([]);
  });

  it.each(rows.map((row, i) => [`${row.rule} #${i}`, row] as const))('%s', (_, row) => {
    const result = run(row);
    const ids = result.reasons.map((r) => r.ruleId);
    expect(ids).toContain(row.rule);
    for (const also of row.alsoFired ?? []) expect(ids).toContain(also);
    expect(result.fired.map((f) => f.ruleId)).toEqual(ids);
    expect(result).toMatchObject(row.expected);
    // The rule's reason, in both languages, with no placeholder left unfilled.
    const reason = result.reasons.find((r) => r.ruleId === row.rule);
    expect(reason?.text.nl.trim()).not.toBe('');
    expect(reason?.text.en.trim()).not.toBe('');
    expect(`${reason?.text.nl}${reason?.text.en}`).not.toMatch(/\{[^}]*\}/);
    // The decision is explained by the rule that made it.
    expect(ids).toContain(result.decidedBy);
  });

  it('says which values made a rule fire', () => {
    const input = baseline();
    input.cvssVector = v31('C:H/I:H/A:H');
    const fired = assess(shipped, input).fired.find((f) => f.ruleId === 'severity.cvss-critical');
    expect(fired?.why).toBe('cvss.score = 9.8 -> severity critical');
  });

  it('fills values into reasons', () => {
    const input = baseline();
    input.source.tlp = 'AMBER';
    const reason = assess(shipped, input).reasons.find((r) => r.ruleId === 'sharing.source-allows');
    expect(reason?.text).toEqual({
      nl: 'De bron staat delen toe tot TLP:AMBER.',
      en: 'The source allows sharing up to TLP:AMBER.',
    });
  });

  it('reaches every decision, each with reasons in both languages', () => {
    const reached = new Map(rows.map((row) => [run(row).decision, run(row)]));
    expect([...reached.keys()].sort()).toEqual([...decisions].sort());
    for (const result of reached.values()) {
      expect(result.reasons.length).toBeGreaterThan(0);
      for (const r of result.reasons) {
        expect(r.text.nl.trim()).not.toBe('');
        expect(r.text.en.trim()).not.toBe('');
      }
    }
  });
});

// --- Properties over arbitrary inputs ------------------------------------------------------------------------

const tlp = fc.constantFrom(...tlpLevels);
const personal = fc.constantFrom<Event>(
  { 'source.account': 'jan' },
  { 'destination.account': 'admin' },
  { 'extra.contact': 'someone@example.org' },
  { 'event_description.text': 'mail from a.b@mail.example.com' },
  { 'extra.credentials': { user: 'x', password: 'y' } },
  { 'classification.identifier': 'leaked-credentials' },
);
const eventArb: fc.Arbitrary<Event> = fc.record(
  {
    'classification.taxonomy': fc.constantFrom('vulnerable', 'intrusions', 'test', 'malicious-code'),
    'classification.type': fc.constantFrom(
      'vulnerable-system',
      'system-compromise',
      'infected-system',
      'undetermined',
      'test',
    ),
    'source.ip': fc.constantFrom('192.0.2.1', '2001:db8::1'),
    'source.fqdn': fc.constantFrom('www.example.nl'),
    'time.source': fc.constant('2026-11-22T08:00:00+00:00'),
    severity: fc.constantFrom('critical', 'high', 'medium', 'low', 'info', 'bogus'),
    tlp: fc.oneof(tlp.map(String), fc.constantFrom('TLP:WHITE', 'amber', 'purple')),
    'extra.cvss_vector': fc.constantFrom(v31('C:H/I:H/A:H'), v31('C:L/I:N/A:N'), 'CVSS:3.1/AV:N', 'junk'),
    'extra.known_exploited': fc.boolean(),
  },
  { requiredKeys: [] },
);
const inputArb = (withPersonal: boolean): fc.Arbitrary<AssessmentInput> =>
  fc
    .record({
      event: withPersonal ? fc.tuple(eventArb, personal).map(([e, p]) => ({ ...e, ...p })) : eventArb,
      reliability: fc.constantFrom(...reliabilities),
      tlp,
      found: fc.option(fc.boolean(), { nil: undefined }),
      constituency: fc.option(fc.constantFrom('vital', 'foreign-cert'), { nil: undefined }),
      independent: fc.nat(3),
      own: fc.boolean(),
      kind: fc.constantFrom('feed' as const, 'single' as const),
      evidence: fc.boolean(),
      contact: fc.boolean(),
      likelihood: fc.option(fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 9, maxLength: 11 }), {
        nil: undefined,
      }),
      impact: fc.option(
        fc.array(fc.constantFrom('low' as const, 'medium' as const, 'high' as const, 3 as const), {
          minLength: 5,
          maxLength: 5,
        }),
        {
          nil: undefined,
        },
      ),
    })
    .map((r) => ({
      event: r.event,
      source: { name: 'generated', reliability: r.reliability, tlp: r.tlp },
      report: { kind: r.kind, evidence: r.evidence, contact: r.contact },
      ...(r.found === undefined
        ? {}
        : {
            owner: {
              found: r.found,
              ...(r.constituency === undefined ? {} : { constituency: r.constituency }),
            },
          }),
      corroboration: { independentSources: r.independent, ownVerification: r.own },
      answers: {
        ...(r.likelihood === undefined ? {} : { likelihood: r.likelihood }),
        ...(r.impact === undefined ? {} : { impact: r.impact }),
      },
    }));

describe('properties of the shipped framework', () => {
  it('never chooses a TLP wider than the source allows, nor wider than the event is labelled', () => {
    fc.assert(
      fc.property(inputArb(false), (input) => {
        const result = assess(shipped, input);
        expect(isWiderThan(result.tlp, input.source.tlp)).toBe(false);
        const label = input.event.tlp;
        if (typeof label === 'string') {
          const limit: Tlp = parseTlp(label) ?? 'RED';
          expect(isWiderThan(result.tlp, limit)).toBe(false);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('never shares personal data as TLP:CLEAR, whatever the source allows', () => {
    fc.assert(
      fc.property(inputArb(true), (input) => {
        const result = assess(shipped, input);
        expect(result.tlp).not.toBe('CLEAR');
        expect(narrowestTlp(result.tlp, 'AMBER')).toBe(result.tlp);
      }),
      { numRuns: 500 },
    );
  });

  it('gives every decision at least one reason in both languages, among them the one that decided', () => {
    fc.assert(
      fc.property(fc.oneof(inputArb(false), inputArb(true)), (input) => {
        const result = assess(shipped, input);
        expect(decisions).toContain(result.decision);
        expect(result.reasons.length).toBeGreaterThan(0);
        for (const r of result.reasons) {
          expect(r.text.nl.trim().length).toBeGreaterThan(0);
          expect(r.text.en.trim().length).toBeGreaterThan(0);
        }
        expect(result.reasons.map((r) => r.ruleId)).toContain(result.decidedBy);
        expect(result.credibility).toBeGreaterThanOrEqual(1);
        expect(result.credibility).toBeLessThanOrEqual(6);
      }),
      { numRuns: 500 },
    );
  });
});

// --- Combination semantics, on a framework built for them ------------------------------------------------------

const semantics = parseFramework(
  `
version: 0.1.0
title: { nl: Proef, en: Test }
principle: { nl: Delen waar het kan., en: Share as far as possible. }
defaults:
  credibility: 6
  severity: low
  decision: review
  pap: GREEN
  reason: { nl: 'Geen regel besliste ({reporter.name}).', en: 'No rule decided ({reporter.name}).' }
changelog: [{ version: 0.1.0, date: 2026-12-01, changes: [Test.] }]
rules:
  - id: a.notify
    title: { nl: Waarschuwen, en: Notify }
    explanation: { nl: x, en: x }
    when: { field: source.port, equals: 1 }
    then: { decision: notify, credibility: 2, severity: critical, tlp_cap: AMBER }
  - id: b.inform
    title: { nl: Informeren, en: Inform }
    explanation: { nl: x, en: x }
    when: { field: source.port, lte: 2 }
    then: { decision: inform, credibility: 3, severity: medium, tlp_cap: GREEN, pap: AMBER }
  - id: c.at-least-high
    title: { nl: Minstens hoog, en: At least high }
    explanation: { nl: x, en: x }
    when: { field: assessment.severity, in: [low, medium] }
    then: { severity_at_least: high, pap: CLEAR }
  - id: d.stop
    title: { nl: Stop, en: Stop }
    explanation: { nl: x, en: x }
    when: { field: source.port, equals: 3 }
    then: { decision: notify, stop: true }
  - id: e.reject
    title: { nl: Afwijzen, en: Reject }
    explanation: { nl: x, en: x }
    when: { field: source.port, gte: 2 }
    then: { decision: reject }
`,
  'semantics.yaml',
);

const at = (port: number | undefined, tlp: Tlp = 'CLEAR', event: Event = {}): AssessmentResult =>
  assess(semantics, {
    event: { ...(port === undefined ? {} : { 'source.port': port }), ...event },
    source: { name: 'probe', reliability: 'C', tlp },
  });

describe('how rules combine', () => {
  it('last writer wins for credibility and severity; the stricter decision wins; TLP and PAP only narrow', () => {
    expect(at(1)).toMatchObject({
      credibility: 3,
      severity: 'high',
      decision: 'inform',
      decidedBy: 'b.inform',
      // AMBER, then a GREEN cap: a cap never widens.
      tlp: 'AMBER',
      pap: 'AMBER',
    });
  });

  it('severity_at_least raises a severity set before it (medium -> high), and rules see the severity so far', () => {
    expect(at(1).fired.find((f) => f.ruleId === 'c.at-least-high')?.why).toBe(
      'assessment.severity = "medium" -> severity at least high, PAP no wider than CLEAR',
    );
  });

  it('reject wins over everything, and a rule that stops ends the evaluation', () => {
    expect(at(2)).toMatchObject({ decision: 'reject', decidedBy: 'e.reject' });
    const stopped = at(3);
    expect(stopped).toMatchObject({ decision: 'notify', decidedBy: 'd.stop' });
    expect(stopped.fired.map((f) => f.ruleId)).toEqual(['c.at-least-high', 'd.stop']);
  });

  it('with no rule deciding, takes the default decision with its reason, values filled in', () => {
    const result = at(undefined);
    expect(result).toMatchObject({ decision: 'review', decidedBy: defaultsRuleId, credibility: 6 });
    expect(result.reasons.at(-1)).toEqual({
      ruleId: defaultsRuleId,
      text: { nl: 'Geen regel besliste (probe).', en: 'No rule decided (probe).' },
    });
  });

  it("starts from the narrower of the source's TLP and the event's own label; an unreadable label is RED", () => {
    expect(at(undefined, 'CLEAR', { tlp: 'AMBER' }).tlp).toBe('AMBER');
    expect(at(undefined, 'AMBER', { tlp: 'CLEAR' }).tlp).toBe('AMBER');
    expect(at(undefined, 'GREEN', { tlp: 'TLP:WHITE' }).tlp).toBe('GREEN');
    expect(at(undefined, 'CLEAR', { tlp: 'purple' }).tlp).toBe('RED');
  });

  it('never lets the event fake its context', () => {
    const result = assess(semantics, {
      event: { 'assessment.severity': 'critical', 'reporter.name': 'someone else' },
      source: { name: 'probe', reliability: 'C', tlp: 'CLEAR' },
    });
    expect(result.reasons.at(-1)?.text.en).toBe('No rule decided (probe).');
    expect(result.severity).toBe('high');
  });
});
