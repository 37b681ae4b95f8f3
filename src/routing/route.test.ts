import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isAppError, type Event } from '../core/index.ts';
import {
  directiveKey,
  parseRoutingProfile,
  routeEvent,
  type OrganisationFacts,
  type Resolution,
  type RoutingProfile,
} from './index.ts';

const profileFile = (name: string): string =>
  readFileSync(new URL(`../../config/routing/${name}.yaml`, import.meta.url), 'utf8');
/** Routing with the explanation, as `route --explain` does. */
const route: typeof routeEvent = (profile, subject) => routeEvent(profile, subject, true);

const nl = parseRoutingProfile(profileFile('nl-three-desks'), 'nl-three-desks.yaml');
const single = parseRoutingProfile(profileFile('single-desk'), 'single-desk.yaml');

function org(id: string, facts: Partial<OrganisationFacts> = {}): OrganisationFacts {
  return { id, name: id, constituency: 'other-business', nis2Class: 'none', linkOrganisations: [], ...facts };
}

const isp = org('isp-a', { constituency: 'digital-service-provider', nis2Class: 'essential' });
const waterboard = org('waterboard', {
  constituency: 'vital',
  nis2Class: 'essential',
  sector: 'drinking-water',
});
const ministry = org('ministry', { constituency: 'central-government', nis2Class: 'essential' });
const zcert = org('z-cert', { constituency: 'link-organisation' });
const cloudco = org('cloudco', {
  constituency: 'digital-service-provider',
  nis2Class: 'essential',
  linkOrganisations: ['dsp-link'],
});
const hoster = org('hoster', { constituency: 'digital-service-provider', nis2Class: 'important' });
const bakery = org('bakery', { linkOrganisations: ['mkb-link'] });
const garage = org('garage');

const vulnerable: Event = {
  'classification.taxonomy': 'vulnerable',
  'classification.type': 'vulnerable-system',
  'feed.name': 'Accessible-RDP',
};
const compromised: Event = {
  'classification.taxonomy': 'intrusions',
  'classification.type': 'system-compromise',
  'feed.name': 'Compromised-Website',
};

function endUser(organisation: OrganisationFacts, networkOwner?: OrganisationFacts): Resolution {
  return { layer: 'end-user', organisation, netobject: '192.0.2.0/24', networkOwner };
}

interface Expected {
  rule: string | undefined;
  directives: { desk: string; channel: string; recipient: string; onBehalfOf?: string; template?: string }[];
}

/** The table of expected directives for the Dutch profile: one row per kind of owner. */
const cases: [string, Event, Resolution, Expected][] = [
  [
    "an address abroad goes to that country's CERT",
    vulnerable,
    { layer: 'national-cert', country: 'DE', cert: { id: 'cert-bund', name: 'CERT-Bund' } },
    {
      rule: 'abroad',
      directives: [{ desk: 'ncsc', channel: 'foreign-cert', recipient: 'cert:de', template: 'foreign-cert' }],
    },
  ],
  [
    'a vital provider and its network owner, both directly by NCSC',
    vulnerable,
    endUser(waterboard, isp),
    {
      rule: 'vital-and-government',
      directives: [
        { desk: 'ncsc', channel: 'direct', recipient: 'waterboard', template: 'ncsc-direct' },
        { desk: 'ncsc', channel: 'direct', recipient: 'isp-a', template: 'ncsc-direct' },
      ],
    },
  ],
  [
    'central government without a known network owner: the end user only',
    vulnerable,
    endUser(ministry),
    {
      rule: 'vital-and-government-end-user',
      directives: [{ desk: 'ncsc', channel: 'direct', recipient: 'ministry' }],
    },
  ],
  [
    "a link organisation's own system",
    vulnerable,
    endUser(zcert, isp),
    { rule: 'link-organisations', directives: [{ desk: 'ncsc', channel: 'direct', recipient: 'z-cert' }] },
  ],
  [
    'a compromised essential DSP served by a link organisation: directly, with the justification',
    compromised,
    endUser(cloudco, isp),
    {
      rule: 'dsp-direct-compromise',
      directives: [{ desk: 'csirt-dsp', channel: 'direct', recipient: 'cloudco' }],
    },
  ],
  [
    'a vulnerable DSP served by a link organisation: through it',
    vulnerable,
    endUser(cloudco, isp),
    {
      rule: 'dsp-via-link',
      directives: [
        { desk: 'csirt-dsp', channel: 'via-link-organisation', recipient: 'dsp-link', onBehalfOf: 'cloudco' },
      ],
    },
  ],
  [
    'a compromised DSP no link organisation serves',
    compromised,
    endUser(hoster),
    {
      rule: 'compromised-dsp-without-link',
      directives: [{ desk: 'csirt-dsp', channel: 'direct', recipient: 'hoster' }],
    },
  ],
  [
    'a business served by a link organisation: through it, by DTC',
    vulnerable,
    endUser(bakery, isp),
    {
      rule: 'business-via-link',
      directives: [
        { desk: 'dtc', channel: 'via-link-organisation', recipient: 'mkb-link', onBehalfOf: 'bakery' },
      ],
    },
  ],
  [
    'a business no link organisation serves: directly by DTC',
    vulnerable,
    endUser(garage, isp),
    { rule: 'business-direct', directives: [{ desk: 'dtc', channel: 'direct', recipient: 'garage' }] },
  ],
  [
    'no registered end user: the network owner',
    vulnerable,
    { layer: 'network-owner', organisation: isp, netobject: 'AS64500' },
    { rule: 'network-owner', directives: [{ desk: 'dtc', channel: 'direct', recipient: 'isp-a' }] },
  ],
  [
    'nobody found: nothing is sent, and why',
    vulnerable,
    { layer: 'unresolved', reason: 'no netobject, no AS holder, no country' },
    { rule: undefined, directives: [] },
  ],
];

describe('routing with the nl-three-desks profile', () => {
  it.each(cases)('%s', (_label, event, resolution, expected) => {
    const result = route(nl, { eventId: 'e1', event, resolution });
    expect(result.trace.find((t) => t.outcome === 'matched')?.rule).toBe(expected.rule);
    expect(result.directives).toEqual(
      expected.directives.map(
        (d) => expect.objectContaining({ ...d, eventId: 'e1', profile: 'nl-three-desks' }) as unknown,
      ),
    );
    // Every rule tried before the deciding one says why it did not decide.
    for (const step of result.trace.filter((t) => t.outcome !== 'matched')) expect(step.reason).not.toBe('');
    if (expected.rule === undefined) expect(result.unrouted).toContain('no netobject');
  });

  it('stores the justification with a direct warning past a link organisation, and only there', () => {
    const direct = route(nl, { eventId: 'e1', event: compromised, resolution: endUser(cloudco) });
    expect(direct.directives[0]?.justification).toMatch(/continuity risk/);
    const viaLink = route(nl, { eventId: 'e1', event: vulnerable, resolution: endUser(cloudco) });
    expect(viaLink.directives[0]?.justification).toBeUndefined();
  });

  it('explains the trace: the failed condition of each rule before the deciding one', () => {
    const result = route(nl, { eventId: 'e1', event: vulnerable, resolution: endUser(garage, isp) });
    expect(result.trace.map((t) => t.rule)).toEqual([
      'abroad',
      'vital-and-government',
      'vital-and-government-end-user',
      'link-organisations',
      'compromised-dsp-without-link',
      'dsp-direct-compromise',
      'dsp-via-link',
      'dsp-direct',
      'business-via-link',
      'business-direct',
    ]);
    expect(result.trace[0]?.reason).toBe('layer is "end-user", the rule wants "national-cert"');
    expect(result.trace[1]?.reason).toBe(
      'constituency is "other-business", the rule wants one of "vital", "central-government"',
    );
    expect(result.trace[8]?.reason).toBe('link_organisation is false, the rule wants true');
  });

  it('aggregates by recipient, classification type and feed, so one message per recipient and kind', () => {
    const a = route(nl, { eventId: 'e1', event: vulnerable, resolution: endUser(garage) }).directives[0];
    const b = route(nl, { eventId: 'e2', event: vulnerable, resolution: endUser(garage) }).directives[0];
    const c = route(nl, { eventId: 'e3', event: compromised, resolution: endUser(garage) }).directives[0];
    expect(a?.aggregationKey).toBe(
      'recipient=garage|classification.type=vulnerable-system|feed.name=Accessible-RDP',
    );
    expect(b?.aggregationKey).toBe(a?.aggregationKey);
    expect(c?.aggregationKey).not.toBe(a?.aggregationKey);
  });

  it('makes the same directives without the explanation, and no trace', () => {
    for (const [, event, resolution] of cases) {
      const quiet = routeEvent(nl, { eventId: 'e1', event, resolution });
      expect(quiet.trace).toEqual([]);
      expect(quiet.directives).toEqual(route(nl, { eventId: 'e1', event, resolution }).directives);
    }
  });

  it('gives the same directive keys when an event is routed again', () => {
    const subject = { eventId: 'e9', event: vulnerable, resolution: endUser(waterboard, isp) };
    const keys = route(nl, subject).directives.map(directiveKey);
    expect(route(nl, subject).directives.map(directiveKey)).toEqual(keys);
    expect(new Set(keys).size).toBe(2);
  });
});

describe('routing with the single-desk profile', () => {
  it('sends to the end user, through a link organisation when one serves it, else to the network owner', () => {
    const via = route(single, { eventId: 'e1', event: vulnerable, resolution: endUser(bakery) });
    expect(via.directives).toEqual([
      expect.objectContaining({ desk: 'cert', recipient: 'mkb-link', onBehalfOf: 'bakery' }),
    ]);
    const vital = route(single, {
      eventId: 'e1',
      event: vulnerable,
      resolution: endUser(org('v', { constituency: 'vital', linkOrganisations: ['l'] })),
    });
    expect(vital.directives).toEqual([expect.objectContaining({ recipient: 'v', channel: 'direct' })]);
    const owner = route(single, {
      eventId: 'e1',
      event: vulnerable,
      resolution: { layer: 'network-owner', organisation: isp, netobject: 'AS1' },
    });
    expect(owner.directives).toEqual([
      expect.objectContaining({ recipient: 'isp-a', recipientRole: 'network-owner' }),
    ]);
  });
});

describe('routing profiles', () => {
  const minimal = (rules: string): string => `
profile: test
version: 1
identity: { name: Test CERT, email: cert@test.example }
desks: [{ id: cert, name: CERT, serves: all }]
defaults: { template: default, interval: P1D, aggregation: [recipient] }
rules:
${rules}`;

  it('refuses a direct warning past a link organisation without a justification', () => {
    const profile: RoutingProfile = parseRoutingProfile(
      minimal(
        `  - { name: everyone-direct, when: {}, then: { desk: cert, channel: direct, recipient: end-user } }`,
      ),
      'test.yaml',
    );
    const result = route(profile, { eventId: 'e1', event: vulnerable, resolution: endUser(bakery) });
    expect(result.directives).toEqual([]);
    expect(result.trace).toEqual([
      {
        rule: 'everyone-direct',
        outcome: 'refused',
        reason:
          'bakery is served by link organisation mkb-link: a direct warning needs a rule with a written justification',
      },
    ]);
    expect(result.unrouted).toBe('no rule matched');
  });

  it('lists every problem of a profile with the rule and key at fault', () => {
    const text =
      minimal(`  - { name: a, when: { colour: red }, then: { desk: nowhere, channel: direct, recipient: end-user } }
  - { name: a, when: {}, then: { desk: cert, channel: foreign-cert, recipient: end-user, interval: 1 day } }
  - { name: b, when: {}, then: { desk: cert, channel: direct, recipient: end-user }, justification: short }`);
    let caught: unknown;
    try {
      parseRoutingProfile(text, 'bad.yaml');
    } catch (error) {
      caught = error;
    }
    expect(isAppError(caught) && caught.code).toBe('core.invalid_input');
    const message = (caught as Error).message;
    expect(message).toContain('bad.yaml');
    expect(message).toContain('rules[0] (a).when');
    expect(message).toContain('rules[1] (a).then.interval');
    expect(message).toContain('rules[2] (b).justification');
  });

  it('names unknown desks, repeated rule names and a foreign-cert rule to someone else', () => {
    const text =
      minimal(`  - { name: a, when: {}, then: { desk: nowhere, channel: direct, recipient: end-user } }
  - { name: a, when: {}, then: { desk: cert, channel: foreign-cert, recipient: end-user } }`);
    expect(() => parseRoutingProfile(text, 'bad.yaml')).toThrow(
      /rules\[0\] \(a\)\.then\.desk: "nowhere" is not one of the desks \(cert\)[\s\S]*rules\[1\] \(a\)\.name: another rule has this name[\s\S]*rules\[1\] \(a\)\.then\.recipient/,
    );
  });

  it('names a YAML syntax error with its line', () => {
    expect(() => parseRoutingProfile('profile: x\nrules: [\n', 'broken.yaml')).toThrow(
      /broken\.yaml: not valid YAML at line \d/,
    );
  });
});
