/**
 * The scheduler's decisions, pure: which directives are due now, grouped into the messages they make.
 *
 * A directive (one event for one recipient and template) reports a finding: the same problem on the same
 * system (classification, address or name, port), which a new day's scan reports again as a new event. It
 * is due when
 * - its finding was never told: a **new** finding;
 * - the finding was told, the recipient marked that ticket resolved, and the event was seen after that: a
 *   **relapse**, told at once (a resolved ticket gets nothing else);
 * - its severity rose above what was told: told at once (**severity**);
 * - it was seen after the finding was told and the interval has passed since: a **reminder** (not for a
 *   ticket the recipient disputed: that waits for an analyst).
 * Otherwise it is not due: a finding already told is never told again within its interval.
 *
 * Due directives are grouped by (desk, recipient, template, aggregation key). A group waits while
 * - its feed's batch is still settling: something was added to it less than the quiet period ago;
 * - the same aggregate was told less than the interval ago, unless the group is urgent (a relapse, a rise in
 *   severity, or a new finding more severe than the last message about that aggregate).
 */
import { severities, type Severity } from '../assessment/index.ts';
import type { NotifyReason } from './compose.ts';
import { quietPeriodFor, type NotificationPolicy } from './policy.ts';
import type { TicketState } from './tickets.repo.ts';

export interface Candidate {
  directiveId: string;
  eventId: string;
  desk: string;
  recipient: string;
  onBehalfOf: string | null;
  template: string;
  aggregationKey: string;
  intervalMs: number;
  /** When the directive was made. */
  createdAt: Date;
  /** When a report last carried the event. */
  lastSeenAt: Date;
  /** The finding the event reports: the same problem on the same system, whatever event reported it. */
  finding: string;
  feedName?: string | undefined;
  feedProvider?: string | undefined;
  /** The severity of the event's assessment in force. */
  severity: Severity;
  tlp: string;
  /** What the recipient was last told about this finding, if anything. */
  told?: {
    at: Date;
    severity: Severity;
    ticketState: TicketState;
    /** When that ticket was marked resolved, if it was. */
    resolvedAt?: Date | undefined;
  };
}

/** The last message about an aggregate (recipient, template, aggregation key). */
export interface AggregateHistory {
  lastToldAt: Date;
  severity: Severity;
}

export interface DueGroup {
  desk: string;
  recipient: string;
  template: string;
  aggregationKey: string;
  onBehalfOf: string | null;
  reason: NotifyReason;
  /** The highest severity among the group's events. */
  severity: Severity;
  items: Candidate[];
}

export interface WaitingGroup {
  recipient: string;
  template: string;
  aggregationKey: string;
  events: number;
  until: Date;
  why: 'quiet-period' | 'interval';
}

export interface Plan {
  due: DueGroup[];
  waiting: WaitingGroup[];
}

const rank = (s: Severity): number => severities.indexOf(s);

/** Code-unit order, the same on every machine (unlike localeCompare). */
const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Why a directive is due now, or undefined when it is not. */
export function dueReason(c: Candidate, now: Date): NotifyReason | undefined {
  const told = c.told;
  if (told === undefined) return 'new';
  if (told.ticketState === 'resolved') {
    // Resolved: only a sighting after the recipient said so brings it back.
    return told.resolvedAt !== undefined && c.lastSeenAt > told.resolvedAt ? 'relapse' : undefined;
  }
  if (rank(c.severity) > rank(told.severity)) return 'severity';
  if (told.ticketState === 'disputed') return undefined;
  if (c.lastSeenAt > told.at && told.at.getTime() + c.intervalMs <= now.getTime()) return 'reminder';
  return undefined;
}

export function aggregateKey(recipient: string, template: string, aggregationKey: string): string {
  return `${recipient}\u0000${template}\u0000${aggregationKey}`;
}

const reasonOrder: readonly NotifyReason[] = ['relapse', 'severity', 'new', 'reminder'];

export function planNotifications(
  candidates: readonly Candidate[],
  history: ReadonlyMap<string, AggregateHistory>,
  policy: NotificationPolicy,
  now: Date,
): Plan {
  const groups = new Map<string, { group: DueGroup; reasons: Set<NotifyReason> }>();
  for (const c of candidates) {
    const reason = dueReason(c, now);
    if (reason === undefined) continue;
    const key = `${c.desk}\u0000${aggregateKey(c.recipient, c.template, c.aggregationKey)}`;
    let entry = groups.get(key);
    if (entry === undefined) {
      entry = {
        group: {
          desk: c.desk,
          recipient: c.recipient,
          template: c.template,
          aggregationKey: c.aggregationKey,
          onBehalfOf: c.onBehalfOf,
          reason,
          severity: c.severity,
          items: [],
        },
        reasons: new Set(),
      };
      groups.set(key, entry);
    }
    entry.group.items.push(c);
    entry.reasons.add(reason);
    if (rank(c.severity) > rank(entry.group.severity)) entry.group.severity = c.severity;
  }
  const due: DueGroup[] = [];
  const waiting: WaitingGroup[] = [];
  for (const { group, reasons } of groups.values()) {
    const last = history.get(aggregateKey(group.recipient, group.template, group.aggregationKey));
    // A new finding more severe than the last message about the aggregate counts as a rise in severity.
    const rose = last !== undefined && rank(group.severity) > rank(last.severity);
    const strongest = reasonOrder.find((r) => reasons.has(r)) ?? 'new';
    group.reason = strongest !== 'relapse' && rose ? 'severity' : strongest;
    const urgent = group.reason === 'relapse' || group.reason === 'severity';
    let settledAt = 0;
    for (const item of group.items) {
      const touched = Math.max(item.createdAt.getTime(), item.lastSeenAt.getTime());
      const quiet = quietPeriodFor(policy, { name: item.feedName, provider: item.feedProvider });
      settledAt = Math.max(settledAt, touched + quiet);
    }
    const waitFor = (until: number, why: WaitingGroup['why']) =>
      waiting.push({
        recipient: group.recipient,
        template: group.template,
        aggregationKey: group.aggregationKey,
        events: group.items.length,
        until: new Date(until),
        why,
      });
    if (settledAt > now.getTime()) {
      waitFor(settledAt, 'quiet-period');
      continue;
    }
    const interval = Math.min(...group.items.map((i) => i.intervalMs));
    if (!urgent && last !== undefined && last.lastToldAt.getTime() + interval > now.getTime()) {
      waitFor(last.lastToldAt.getTime() + interval, 'interval');
      continue;
    }
    group.items.sort((a, b) => compare(a.eventId, b.eventId));
    due.push(group);
  }
  due.sort((a, b) => compare(a.recipient, b.recipient) || compare(a.aggregationKey, b.aggregationKey));
  return { due, waiting };
}
