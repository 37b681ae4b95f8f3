import type { Store } from '../platform/db/index.ts';
import type { Directive, Resolution } from './route.ts';

export interface RoutedEvent {
  eventId: string;
  resolution: Resolution;
  directives: readonly Directive[];
  /** What the directives report (`findingOf` the event) and the event's feed provider, kept with each. */
  finding: string;
  feedProvider?: string | undefined;
}

export interface StoredRouting {
  /** Directives new to the store; a directive already there (same event, recipient, template) is kept. */
  created: number;
  existing: number;
}

/**
 * Records the owner of each event (replacing an earlier resolution) and its directives, in one transaction.
 * Idempotent: routing the same events again creates no directive twice.
 */
export async function storeRouting(store: Store, routed: readonly RoutedEvent[]): Promise<StoredRouting> {
  if (routed.length === 0) return { created: 0, existing: 0 };
  return store.db.transaction().execute(async (tx) => {
    await tx
      .insertInto('event_owners')
      .values(routed.map(({ eventId, resolution }) => ({ event_id: eventId, ...ownerColumns(resolution) })))
      .onConflict((oc) =>
        oc.column('event_id').doUpdateSet((eb) => ({
          layer: eb.ref('excluded.layer'),
          owner: eb.ref('excluded.owner'),
          netobject: eb.ref('excluded.netobject'),
          reason: eb.ref('excluded.reason'),
          resolved_at: eb.ref('excluded.resolved_at'),
        })),
      )
      .execute();
    const rows = routed.flatMap((r) =>
      r.directives.map((d) => ({
        ...directiveRow(d),
        finding: r.finding,
        feed_provider: r.feedProvider ?? null,
      })),
    );
    if (rows.length === 0) return { created: 0, existing: 0 };
    const inserted = await tx
      .insertInto('directives')
      .values(rows)
      .onConflict((oc) => oc.columns(['event_id', 'recipient', 'template']).doNothing())
      .returning('id')
      .execute();
    return { created: inserted.length, existing: rows.length - inserted.length };
  });
}

function ownerColumns(resolution: Resolution): {
  layer: Resolution['layer'];
  owner: string | null;
  netobject: string | null;
  reason: string | null;
  resolved_at: Date;
} {
  const resolved_at = new Date();
  switch (resolution.layer) {
    case 'end-user':
    case 'network-owner':
      return {
        layer: resolution.layer,
        owner: resolution.organisation.id,
        netobject: resolution.netobject,
        reason: null,
        resolved_at,
      };
    case 'national-cert':
      return {
        layer: 'national-cert',
        owner: `cert:${resolution.country.toLowerCase()}`,
        netobject: null,
        reason: null,
        resolved_at,
      };
    case 'unresolved':
      return { layer: 'unresolved', owner: null, netobject: null, reason: resolution.reason, resolved_at };
  }
}

function directiveRow(d: Directive) {
  return {
    event_id: d.eventId,
    desk: d.desk,
    channel: d.channel,
    recipient: d.recipient,
    recipient_role: d.recipientRole,
    on_behalf_of: d.onBehalfOf ?? null,
    template: d.template,
    notify_interval: d.interval,
    aggregation_key: d.aggregationKey,
    rule: d.rule,
    profile: d.profile,
    profile_version: d.profileVersion,
    justification: d.justification ?? null,
  };
}

export interface DirectiveListing {
  id: string;
  eventId: string;
  desk: string;
  channel: string;
  recipient: string;
  recipientRole: string;
  onBehalfOf: string | null;
  template: string;
  interval: string;
  aggregationKey: string;
  rule: string;
  profile: string;
  justification: string | null;
  createdAt: Date;
}

/** Directives, newest first, at most `limit`. */
export async function listDirectives(store: Store, limit = 1000): Promise<DirectiveListing[]> {
  const rows = await store.db
    .selectFrom('directives')
    .selectAll()
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
  return rows.map((row) => ({
    id: row.id,
    eventId: row.event_id,
    desk: row.desk,
    channel: row.channel,
    recipient: row.recipient,
    recipientRole: row.recipient_role,
    onBehalfOf: row.on_behalf_of,
    template: row.template,
    interval: row.notify_interval,
    aggregationKey: row.aggregation_key,
    rule: row.rule,
    profile: row.profile,
    justification: row.justification,
    createdAt: row.created_at,
  }));
}
