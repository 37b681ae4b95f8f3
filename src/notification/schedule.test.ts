import { describe, expect, it } from 'vitest';
import type { NotificationPolicy } from './policy.ts';
import {
  aggregateKey,
  dueReason,
  planNotifications,
  type AggregateHistory,
  type Candidate,
} from './schedule.ts';

const hour = 3_600_000;
const t0 = new Date('2026-12-01T12:00:00Z');
const at = (hours: number) => new Date(t0.getTime() + hours * hour);

const policy: NotificationPolicy = {
  templatesDir: '/none',
  inlineEvents: 25,
  html: false,
  linkExpiryMs: 30 * 24 * hour,
  quietPeriodMs: { default: 0.5 * hour, feeds: { shadowserver: 1 * hour } },
  rateLimits: { perMinute: 100, domains: {} },
};

let n = 0;
function candidate(overrides: Partial<Candidate> = {}): Candidate {
  n++;
  return {
    directiveId: String(n),
    eventId: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
    desk: 'dtc',
    recipient: 'org-a',
    onBehalfOf: null,
    template: 'default',
    aggregationKey: 'recipient=org-a|classification.type=vulnerable-system',
    intervalMs: 24 * hour,
    createdAt: at(-2),
    lastSeenAt: at(-2),
    finding: `open-rdp|192.0.2.${n}|3389`,
    feedName: 'Open-DNS',
    feedProvider: 'Shadowserver',
    severity: 'medium',
    tlp: 'AMBER',
    ...overrides,
  };
}

const told = (hoursAgo: number, extra: Partial<NonNullable<Candidate['told']>> = {}): Candidate['told'] => ({
  at: at(-hoursAgo),
  severity: 'medium',
  ticketState: 'sent',
  ...extra,
});

describe('when a directive is due', () => {
  it.each([
    ['never told', {}, 'new'],
    ['told an hour ago, not seen since', { told: told(1) }, undefined],
    [
      'told an hour ago, seen again since, within the interval',
      { told: told(1), lastSeenAt: at(-0.5) },
      undefined,
    ],
    ['told 25 hours ago, seen again since: a reminder', { told: told(25), lastSeenAt: at(-1) }, 'reminder'],
    ['told 25 hours ago, not seen since', { told: told(25), lastSeenAt: at(-26) }, undefined],
    [
      'resolved, then seen again: a relapse, at once',
      { told: told(2, { ticketState: 'resolved', resolvedAt: at(-1.5) }), lastSeenAt: at(-1) },
      'relapse',
    ],
    [
      'resolved, not seen since it was resolved',
      { told: told(30, { ticketState: 'resolved', resolvedAt: at(-1) }), lastSeenAt: at(-2) },
      undefined,
    ],
    ['severity rose since it was told: at once', { told: told(1), severity: 'high' as const }, 'severity'],
    ['severity fell: nothing', { told: told(1, { severity: 'high' }), severity: 'low' as const }, undefined],
    [
      'disputed: no reminders',
      { told: told(25, { ticketState: 'disputed' }), lastSeenAt: at(-1) },
      undefined,
    ],
  ] as const)('%s', (_name, overrides, expected) => {
    expect(dueReason(candidate(overrides as Partial<Candidate>), t0)).toBe(expected);
  });
});

describe('planning', () => {
  it('groups by desk, recipient, template and aggregation key, and sorts each group by event', () => {
    const a1 = candidate();
    const a2 = candidate();
    const b = candidate({ recipient: 'org-b', aggregationKey: 'recipient=org-b' });
    const other = candidate({ template: 'ncsc-direct' });
    const plan = planNotifications([a2, b, a1, other], new Map(), policy, t0);
    expect(plan.due.map((g) => [g.recipient, g.template, g.items.map((i) => i.directiveId)])).toEqual([
      ['org-a', 'default', [a1.directiveId, a2.directiveId]],
      ['org-a', 'ncsc-direct', [other.directiveId]],
      ['org-b', 'default', [b.directiveId]],
    ]);
    expect(plan.due.every((g) => g.reason === 'new')).toBe(true);
  });

  it('waits while a batch is settling: the feed’s quiet period after the latest addition', () => {
    const settled = candidate({ createdAt: at(-2) });
    const fresh = candidate({ createdAt: at(-0.25) }); // Shadowserver: one hour
    const plan = planNotifications([settled, fresh], new Map(), policy, t0);
    expect(plan.due).toEqual([]);
    expect(plan.waiting).toEqual([
      expect.objectContaining({ why: 'quiet-period', until: at(0.75), events: 2 }),
    ]);
    expect(planNotifications([settled, fresh], new Map(), policy, at(0.75)).due).toHaveLength(1);
  });

  it('holds new findings of an aggregate told within the interval, unless they are more severe', () => {
    const history = new Map<string, AggregateHistory>([
      [
        aggregateKey('org-a', 'default', candidate().aggregationKey),
        { lastToldAt: at(-3), severity: 'medium' },
      ],
    ]);
    const held = planNotifications([candidate()], history, policy, t0);
    expect(held.due).toEqual([]);
    expect(held.waiting).toEqual([expect.objectContaining({ why: 'interval', until: at(21) })]);
    const severe = planNotifications([candidate({ severity: 'critical' })], history, policy, t0);
    expect(severe.due.map((g) => [g.reason, g.severity])).toEqual([['severity', 'critical']]);
    expect(planNotifications([candidate()], history, policy, at(21)).due).toHaveLength(1);
  });

  it('names a group by its strongest reason: relapse before severity before new before reminder', () => {
    const reminder = candidate({ told: told(25), lastSeenAt: at(-1) });
    const fresh = candidate();
    expect(planNotifications([reminder, fresh], new Map(), policy, t0).due[0]?.reason).toBe('new');
    expect(planNotifications([reminder], new Map(), policy, t0).due[0]?.reason).toBe('reminder');
    const relapse = candidate({
      told: told(2, { ticketState: 'resolved', resolvedAt: at(-1.5) }),
      lastSeenAt: at(-1),
    });
    expect(planNotifications([reminder, fresh, relapse], new Map(), policy, t0).due[0]?.reason).toBe(
      'relapse',
    );
  });

  it('never plans an event told within its interval, however often it is seen', () => {
    const seenAgain = [1, 2, 3].map((h) => candidate({ told: told(h + 1), lastSeenAt: at(-h) }));
    expect(planNotifications(seenAgain, new Map(), policy, t0).due).toEqual([]);
  });
});
