import type { Event } from '../core/index.ts';
import { conditionKeys } from './rules.ts';
import type {
  Channel,
  Condition,
  ConditionKey,
  Constituency,
  Nis2Class,
  ResolutionLayer,
  RoutingProfile,
  RoutingRule,
} from './rules.ts';

/** What the router knows of an organisation, from the directory. */
export interface OrganisationFacts {
  id: string;
  name: string;
  /** Absent for a registry-imported network holder, which is no constituent. */
  constituency?: Constituency | undefined;
  nis2Class?: Nis2Class | undefined;
  sector?: string | undefined;
  subsector?: string | undefined;
  country?: string | undefined;
  /** The link organisations that serve it (ids), nearest first. */
  linkOrganisations: readonly string[];
}

/** The owner resolution of one event: the layer that answered, and what it found. */
export type Resolution =
  | {
      layer: 'end-user';
      organisation: OrganisationFacts;
      /** The netobject that matched (CIDR, domain or `AS<n>`). */
      netobject: string;
      /** The holder of the network, when known too (a warning may go to both). */
      networkOwner?: OrganisationFacts | undefined;
    }
  | { layer: 'network-owner'; organisation: OrganisationFacts; netobject: string }
  | { layer: 'national-cert'; country: string; cert: { id: string; name: string } }
  | { layer: 'unresolved'; reason: string };

export interface RoutingSubject {
  eventId: string;
  event: Event;
  resolution: Resolution;
}

/** One warning to make: unique per (event, recipient, template), so routing twice adds nothing. */
export interface Directive {
  eventId: string;
  desk: string;
  channel: Channel;
  /** Who receives it: an organisation id, or `cert:<cc>` for a national CERT. */
  recipient: string;
  /** The organisation the warning is about, when the recipient passes it on (a link organisation). */
  onBehalfOf?: string | undefined;
  recipientRole: 'end-user' | 'network-owner' | 'national-cert';
  template: string;
  /** ISO-8601 duration between notifications of the same aggregate. */
  interval: string;
  /** Directives with the same recipient, template and key go out in one message. */
  aggregationKey: string;
  rule: string;
  profile: string;
  profileVersion: number;
  justification?: string | undefined;
}

export interface RuleTrace {
  rule: string;
  outcome: 'matched' | 'not matched' | 'refused';
  /** Why: the first condition that failed, what matched, or why a matching rule could not be used. */
  reason: string;
}

export interface RoutingResult {
  directives: Directive[];
  /** Every rule tried, in order, up to the one that decided. */
  trace: RuleTrace[];
  /** Why nothing is sent, when nothing is. */
  unrouted?: string | undefined;
}

/** Routes one resolved event through the profile's rules: the first rule whose conditions all hold decides. */
export function routeEvent(profile: RoutingProfile, subject: RoutingSubject, explain = false): RoutingResult {
  // Optional chaining skips building the explanation when nobody asked for one.
  const trace: RuleTrace[] | undefined = explain ? [] : undefined;
  for (const rule of profile.rules) {
    const failed = firstFailedCondition(rule, subject);
    if (failed !== undefined) {
      trace?.push({ rule: rule.name, outcome: 'not matched', reason: describeFailure(failed) });
      continue;
    }
    const made = directivesOf(profile, rule, subject);
    if (typeof made === 'string') {
      trace?.push({ rule: rule.name, outcome: 'refused', reason: made });
      continue;
    }
    trace?.push({ rule: rule.name, outcome: 'matched', reason: matchedBecause(rule) });
    return { directives: made, trace: trace ?? [] };
  }
  const unrouted =
    subject.resolution.layer === 'unresolved'
      ? `owner unresolved: ${subject.resolution.reason}`
      : 'no rule matched';
  return { directives: [], trace: trace ?? [], unrouted };
}

function matchedBecause(rule: RoutingRule): string {
  const keys = Object.keys(rule.when);
  return keys.length === 0 ? 'no conditions (catch-all)' : `all of: ${keys.join(', ')}`;
}

interface Failure {
  key: ConditionKey;
  wanted: Condition;
  actual: Value;
}

/** A rule's conditions, compiled once per rule: the options of each condition as a set, strings lower-cased. */
interface CompiledCondition {
  key: ConditionKey;
  wanted: Condition;
  negated: boolean;
  options: ReadonlySet<string | number | boolean>;
}

const compiledRules = new WeakMap<RoutingRule, readonly CompiledCondition[]>();

function compile(rule: RoutingRule): readonly CompiledCondition[] {
  let compiled = compiledRules.get(rule);
  if (compiled === undefined) {
    compiled = (Object.entries(rule.when) as [ConditionKey, Condition | undefined][]).flatMap(
      ([key, wanted]) => {
        if (wanted === undefined) return [];
        const negated = typeof wanted === 'object' && !Array.isArray(wanted);
        const listed = negated ? wanted.not : wanted;
        const options = (Array.isArray(listed) ? listed : [listed]).map((o) =>
          typeof o === 'string' ? o.toLowerCase() : o,
        );
        return [{ key, wanted, negated, options: new Set(options) }];
      },
    );
    compiledRules.set(rule, compiled);
  }
  return compiled;
}

/** Undefined when every condition holds, else the first that does not. */
function firstFailedCondition(rule: RoutingRule, subject: RoutingSubject): Failure | undefined {
  for (const condition of compile(rule)) {
    const actual = subjectValue(subject, condition.key);
    const found =
      actual !== undefined &&
      condition.options.has(typeof actual === 'string' ? actual.toLowerCase() : actual);
    if (found === condition.negated) return { key: condition.key, wanted: condition.wanted, actual };
  }
  return undefined;
}

function describeFailure({ key, wanted, actual }: Failure): string {
  return `${key} is ${describe(actual)}, the rule wants ${describeCondition(wanted)}`;
}

type Value = string | number | boolean | undefined;

function describe(value: Value): string {
  return value === undefined ? 'absent' : JSON.stringify(value);
}

function describeCondition(wanted: Condition): string {
  if (typeof wanted === 'object' && !Array.isArray(wanted)) return `not ${describeCondition(wanted.not)}`;
  return Array.isArray(wanted)
    ? `one of ${wanted.map((w) => JSON.stringify(w)).join(', ')}`
    : JSON.stringify(wanted);
}

/** The organisation a resolution points at, if any. */
function organisationOf(resolution: Resolution): OrganisationFacts | undefined {
  return resolution.layer === 'end-user' || resolution.layer === 'network-owner'
    ? resolution.organisation
    : undefined;
}

export function subjectValue(subject: RoutingSubject, key: ConditionKey): Value {
  const { resolution, event } = subject;
  const organisation = organisationOf(resolution);
  switch (key) {
    case 'layer':
      return resolution.layer;
    case 'constituency':
      return organisation?.constituency;
    case 'nis2_class':
      return organisation?.nis2Class;
    case 'sector':
      return organisation?.sector;
    case 'subsector':
      return organisation?.subsector;
    case 'country':
      if (resolution.layer === 'national-cert') return resolution.country;
      return organisation?.country ?? stringOf(event['source.geolocation.cc']);
    case 'link_organisation':
      return organisation === undefined ? undefined : organisation.linkOrganisations.length > 0;
    case 'severity':
    case 'classification.taxonomy':
    case 'classification.type':
    case 'classification.identifier':
    case 'feed.name':
    case 'feed.provider':
      return stringOf(event[key]);
  }
}

function stringOf(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** The rule's directives for this subject, or why the rule cannot be used for it. */
function directivesOf(
  profile: RoutingProfile,
  rule: RoutingRule,
  subject: RoutingSubject,
): Directive[] | string {
  const { resolution } = subject;
  const { then } = rule;
  const base = {
    eventId: subject.eventId,
    desk: then.desk,
    channel: then.channel,
    template: then.template ?? profile.defaults.template,
    interval: then.interval ?? profile.defaults.interval,
    rule: rule.name,
    profile: profile.profile,
    profileVersion: profile.version,
    ...(rule.justification === undefined ? {} : { justification: rule.justification }),
  };
  const aggregation = then.aggregation ?? profile.defaults.aggregation;
  const make = (
    recipient: string,
    recipientRole: Directive['recipientRole'],
    onBehalfOf?: string,
  ): Directive => ({
    ...base,
    recipient,
    recipientRole,
    ...(onBehalfOf === undefined ? {} : { onBehalfOf }),
    aggregationKey: aggregationKey(aggregation, subject, recipient),
  });

  if (then.recipient === 'national-cert') {
    if (resolution.layer !== 'national-cert')
      return `the rule sends to a national CERT, the owner layer is ${resolution.layer}`;
    return [make(`cert:${resolution.country.toLowerCase()}`, 'national-cert')];
  }
  if (resolution.layer === 'unresolved' || resolution.layer === 'national-cert') {
    return `the rule sends to the ${then.recipient}, the owner layer is ${resolution.layer}`;
  }
  const targets: [OrganisationFacts, Directive['recipientRole']][] = [];
  if (then.recipient === 'end-user' || then.recipient === 'both') {
    if (resolution.layer !== 'end-user')
      return 'the rule sends to the end user, and no end user is registered';
    targets.push([resolution.organisation, 'end-user']);
  }
  if (then.recipient === 'network-owner' || then.recipient === 'both') {
    const owner = resolution.layer === 'network-owner' ? resolution.organisation : resolution.networkOwner;
    if (owner === undefined) return 'the rule sends to the network owner, and none is known';
    targets.push([owner, 'network-owner']);
  }
  const directives: Directive[] = [];
  for (const [organisation, role] of targets) {
    const link = organisation.linkOrganisations[0];
    if (then.channel === 'via-link-organisation') {
      if (link === undefined) return `${organisation.name} has no link organisation to pass the warning on`;
      directives.push(make(link, role, organisation.id));
      continue;
    }
    if (link !== undefined && organisation.constituency !== 'vital' && rule.justification === undefined) {
      return `${organisation.name} is served by link organisation ${link}: a direct warning needs a rule with a written justification`;
    }
    directives.push(make(organisation.id, role));
  }
  return directives;
}

/** The values of the aggregation fields joined: `recipient`, any condition key or any IDF field of the event. */
function aggregationKey(fields: readonly string[], subject: RoutingSubject, recipient: string): string {
  return fields
    .map((field) => {
      if (field === 'recipient') return `recipient=${recipient}`;
      const value =
        (conditionKeySet.has(field) ? subjectValue(subject, field as ConditionKey) : undefined) ??
        subject.event[field];
      return `${field}=${textOf(value)}`;
    })
    .join('|');
}

function textOf(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

const conditionKeySet: ReadonlySet<string> = new Set<string>(conditionKeys);

/** The identity of a directive: routing the same event again must not make a second one. */
export function directiveKey(directive: Directive): string {
  return `${directive.eventId}|${directive.recipient}|${directive.template}`;
}

export type { ResolutionLayer };
