/**
 * Tickets: the number a recipient quotes and the state of one warning, from queued to resolved. Numbers are
 * `YYYYMMDD-NNNNNNNN` (the UTC day the ticket was opened, then its place that day), taken from a counter row
 * per day with one atomic upsert: unique across processes sharing the database. Numbers are taken without
 * gaps; one taken for a warning that could then not be written (no mailbox could receive it) stays unused.
 */
import { sql } from 'kysely';
import { AppError } from '../core/index.ts';
import type { Store } from '../platform/db/index.ts';

export const ticketStates = [
  'queued',
  'sending',
  'sent',
  'retrying',
  'failed',
  'bounced',
  'acknowledged',
  'resolved',
  'disputed',
] as const;
export type TicketState = (typeof ticketStates)[number];

/**
 * The moves a ticket may make. Delivery: queued -> sending -> sent | retrying | failed | bounced, and
 * retrying -> sending. Follow-up, once sent (or acknowledged): acknowledged, resolved, disputed; a resolved
 * ticket may be disputed, and a disputed one resolved after all.
 */
const allowed: Readonly<Record<TicketState, readonly TicketState[]>> = {
  queued: ['sending', 'failed'],
  sending: ['sent', 'retrying', 'failed', 'bounced'],
  retrying: ['sending', 'failed'],
  sent: ['acknowledged', 'resolved', 'disputed', 'bounced'],
  acknowledged: ['resolved', 'disputed'],
  resolved: ['disputed'],
  disputed: ['resolved'],
  failed: [],
  bounced: [],
};

export function canMove(from: TicketState, to: TicketState): boolean {
  return allowed[from].includes(to);
}

const ticketPattern = /^(\d{4})(\d{2})(\d{2})-(\d{8})$/;

export function isTicketNumber(text: string): boolean {
  return ticketPattern.test(text);
}

/** `YYYYMMDD-NNNNNNNN` from the UTC day and the number that day. */
export function formatTicketNumber(day: Date, number: number): string {
  if (!Number.isInteger(number) || number < 1 || number > 99_999_999) {
    throw new AppError('core.internal', `ticket number ${number} is out of range for one day`);
  }
  const y = day.getUTCFullYear().toString().padStart(4, '0');
  const m = (day.getUTCMonth() + 1).toString().padStart(2, '0');
  const d = day.getUTCDate().toString().padStart(2, '0');
  return `${y}${m}${d}-${number.toString().padStart(8, '0')}`;
}

/** Takes the next `count` numbers of the UTC day of `at`, atomically; returns them in order. */
export async function takeTicketNumbers(store: Store, at: Date, count = 1): Promise<string[]> {
  if (!Number.isInteger(count) || count < 1)
    throw new AppError('core.internal', `cannot take ${count} numbers`);
  const day = at.toISOString().slice(0, 10);
  const result = await sql<{ last_number: number }>`
    insert into ticket_days (day, last_number) values (${day}::date, ${count})
    on conflict (day) do update set last_number = ticket_days.last_number + ${count}
    returning last_number`.execute(store.db);
  const last = Number(result.rows[0]?.last_number);
  return Array.from({ length: count }, (_, i) => formatTicketNumber(at, last - count + 1 + i));
}

export interface NewTicket {
  desk: string;
  recipient: string;
  template: string;
  aggregationKey: string;
  tlp: string;
  language: 'nl' | 'en';
  events: readonly { eventId: string; directiveId?: string }[];
}

export interface Ticket {
  id: string;
  desk: string;
  recipient: string;
  template: string;
  aggregationKey: string;
  tlp: string;
  language: string;
  state: TicketState;
  createdAt: Date;
  updatedAt: Date;
}

/** Opens a ticket (state `queued`) with its events, numbered now. */
export async function openTicket(store: Store, ticket: NewTicket, now = new Date()): Promise<Ticket> {
  if (ticket.events.length === 0)
    throw new AppError('core.invalid_input', 'a ticket tells of at least one event');
  const [id] = await takeTicketNumbers(store, now);
  if (id === undefined) throw new AppError('core.internal', 'no ticket number was taken');
  return store.db.transaction().execute(async (tx) => {
    await sql`insert into tickets (id, desk, recipient, template, aggregation_key, tlp, language, created_at, updated_at)
      values (${id}, ${ticket.desk}, ${ticket.recipient}, ${ticket.template}, ${ticket.aggregationKey},
              ${ticket.tlp}, ${ticket.language}, ${now}, ${now})`.execute(tx);
    for (const e of ticket.events) {
      await sql`insert into ticket_events (ticket_id, event_id, directive_id)
        values (${id}, ${e.eventId}::uuid, ${e.directiveId ?? null})`.execute(tx);
    }
    await sql`insert into ticket_transitions (ticket_id, from_state, to_state, actor, at)
      values (${id}, null, 'queued', 'system', ${now})`.execute(tx);
    return {
      id,
      desk: ticket.desk,
      recipient: ticket.recipient,
      template: ticket.template,
      aggregationKey: ticket.aggregationKey,
      tlp: ticket.tlp,
      language: ticket.language,
      state: 'queued',
      createdAt: now,
      updatedAt: now,
    };
  });
}

/**
 * Moves a ticket to `to`, recording who and why; refused (with the states named) when the move is not one a
 * ticket may make. The row is locked, so two processes cannot both move it from the same state.
 */
export async function moveTicket(
  store: Store,
  id: string,
  to: TicketState,
  by: { actor: string; detail?: string },
): Promise<{ from: TicketState; to: TicketState }> {
  return store.db.transaction().execute(async (tx) => {
    const found = await sql<{
      state: TicketState;
    }>`select state from tickets where id = ${id} for update`.execute(tx);
    const from = found.rows[0]?.state;
    if (from === undefined) throw new AppError('core.not_found', `No ticket ${id}.`);
    if (!canMove(from, to)) {
      throw new AppError('core.invalid_input', `ticket ${id} cannot move from ${from} to ${to}`);
    }
    await sql`update tickets set state = ${to}, updated_at = now() where id = ${id}`.execute(tx);
    await sql`insert into ticket_transitions (ticket_id, from_state, to_state, actor, detail)
      values (${id}, ${from}, ${to}, ${by.actor}, ${by.detail ?? null})`.execute(tx);
    return { from, to };
  });
}

export interface TicketDetails extends Ticket {
  events: string[];
  transitions: {
    from: TicketState | null;
    to: TicketState;
    actor: string;
    detail: string | null;
    at: Date;
  }[];
}

/** A ticket with its events and the history of its states; undefined when there is none. */
export async function findTicket(store: Store, id: string): Promise<TicketDetails | undefined> {
  if (!isTicketNumber(id)) return undefined;
  const rows = await sql<{
    id: string;
    desk: string;
    recipient: string;
    template: string;
    aggregation_key: string;
    tlp: string;
    language: string;
    state: TicketState;
    created_at: Date;
    updated_at: Date;
  }>`select * from tickets where id = ${id}`.execute(store.db);
  const row = rows.rows[0];
  if (row === undefined) return undefined;
  const events = await sql<{ event_id: string }>`
    select event_id from ticket_events where ticket_id = ${id} order by event_id`.execute(store.db);
  const transitions = await sql<{
    from_state: TicketState | null;
    to_state: TicketState;
    actor: string;
    detail: string | null;
    at: Date;
  }>`select from_state, to_state, actor, detail, at from ticket_transitions where ticket_id = ${id} order by id`.execute(
    store.db,
  );
  return {
    id: row.id,
    desk: row.desk,
    recipient: row.recipient,
    template: row.template,
    aggregationKey: row.aggregation_key,
    tlp: row.tlp,
    language: row.language,
    state: row.state,
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
    events: events.rows.map((e) => e.event_id),
    transitions: transitions.rows.map((t) => ({
      from: t.from_state,
      to: t.to_state,
      actor: t.actor,
      detail: t.detail,
      at: new Date(t.at),
    })),
  };
}

const deliveryStates: ReadonlySet<TicketState> = new Set([
  'queued',
  'sending',
  'sent',
  'retrying',
  'failed',
  'bounced',
]);

/** The shortest chain of allowed moves from one state to another; empty when none (or already there). */
export function pathBetween(from: TicketState, to: TicketState): TicketState[] {
  if (from === to) return [];
  const previous = new Map<TicketState, TicketState>();
  const queue: TicketState[] = [from];
  while (queue.length > 0) {
    const state = queue.shift() as TicketState;
    for (const next of allowed[state]) {
      if (next === from || previous.has(next)) continue;
      previous.set(next, state);
      if (next === to) {
        const path: TicketState[] = [to];
        for (let s = state; s !== from; s = previous.get(s) as TicketState) path.unshift(s);
        return path;
      }
      queue.push(next);
    }
  }
  return [];
}

/**
 * The delivery state a ticket's messages add up to: any message still queued or being sent: `sending`;
 * else any delivered: `sent`; else any waiting for a retry: `retrying`; else all bounced: `bounced`; else
 * `failed`.
 */
export function deliveryStateOf(states: readonly string[]): TicketState {
  if (states.length === 0) return 'queued';
  if (states.every((s) => s === 'queued')) return 'queued';
  if (states.some((s) => s === 'queued' || s === 'sending')) return 'sending';
  if (states.includes('sent')) return 'sent';
  if (states.includes('retrying')) return 'retrying';
  if (states.every((s) => s === 'bounced')) return 'bounced';
  return 'failed';
}

/**
 * Brings each ticket's state in line with its outbox messages, through allowed moves only, each recorded.
 * A ticket the recipient has already answered (acknowledged, resolved, disputed) keeps its state.
 */
export async function syncDeliveryStates(
  store: Store,
  ticketIds: readonly string[],
  now = new Date(),
): Promise<void> {
  const ids = [...new Set(ticketIds)];
  if (ids.length === 0) return;
  await store.db.transaction().execute(async (tx) => {
    for (let i = 0; i < ids.length; i += 2000) {
      const part = ids.slice(i, i + 2000);
      const tickets = await sql<{ id: string; state: TicketState }>`
        select id, state from tickets where id in (${sql.join(part)}) for update`.execute(tx);
      const messages = await sql<{ ticket_id: string; state: string }>`
        select ticket_id, state from outbox where ticket_id in (${sql.join(part)})`.execute(tx);
      const byTicket = new Map<string, string[]>();
      for (const m of messages.rows)
        byTicket.set(m.ticket_id, [...(byTicket.get(m.ticket_id) ?? []), m.state]);
      const moves: { id: string; from: TicketState; to: TicketState }[] = [];
      const finals: { id: string; state: TicketState }[] = [];
      for (const t of tickets.rows) {
        if (!deliveryStates.has(t.state)) continue;
        const target = deliveryStateOf(byTicket.get(t.id) ?? []);
        const path = pathBetween(t.state, target);
        let from = t.state;
        for (const to of path) {
          moves.push({ id: t.id, from, to });
          from = to;
        }
        if (path.length > 0) finals.push({ id: t.id, state: target });
      }
      if (moves.length === 0) continue;
      await sql`insert into ticket_transitions (ticket_id, from_state, to_state, actor, at)
        values ${sql.join(moves.map((m) => sql`(${m.id}, ${m.from}, ${m.to}, 'system', ${now})`))}`.execute(
        tx,
      );
      await sql`update tickets t set state = v.state, updated_at = ${now}
        from (values ${sql.join(finals.map((f) => sql`(${f.id}, ${f.state})`))}) as v (id, state)
        where t.id = v.id`.execute(tx);
    }
  });
}

const responseStates = { acknowledge: 'acknowledged', resolved: 'resolved', dispute: 'disputed' } as const;

export interface TicketResponse {
  ticket: string;
  action: keyof typeof responseStates;
  /** The mailbox the link was sent to. */
  contact: string;
  comment?: string | undefined;
  remoteAddress?: string | undefined;
  userAgent?: string | undefined;
}

/**
 * Records a recipient's answer through a signed link, and moves the ticket when the answer is a move it may
 * make (acknowledging a resolved ticket changes nothing, but is still recorded with who and when).
 */
export async function recordTicketResponse(
  store: Store,
  response: TicketResponse,
  now = new Date(),
): Promise<{ moved: boolean; state: TicketState }> {
  return store.db.transaction().execute(async (tx) => {
    const found = await sql<{ state: TicketState }>`
      select state from tickets where id = ${response.ticket} for update`.execute(tx);
    const from = found.rows[0]?.state;
    if (from === undefined) throw new AppError('core.not_found', `No ticket ${response.ticket}.`);
    const to = responseStates[response.action];
    const moved = canMove(from, to);
    const comment = response.comment?.trim().slice(0, 2000) || null;
    if (moved) {
      await sql`update tickets set state = ${to}, updated_at = ${now} where id = ${response.ticket}`.execute(
        tx,
      );
      await sql`insert into ticket_transitions (ticket_id, from_state, to_state, actor, detail, at)
        values (${response.ticket}, ${from}, ${to}, ${`recipient:${response.contact}`}, ${comment}, ${now})`.execute(
        tx,
      );
    }
    await sql`insert into ticket_responses (ticket_id, action, contact, comment, remote_address, user_agent, moved, at)
      values (${response.ticket}, ${response.action}, ${response.contact}, ${comment},
              ${response.remoteAddress?.slice(0, 100) ?? null}, ${response.userAgent?.slice(0, 500) ?? null}, ${moved}, ${now})`.execute(
      tx,
    );
    return { moved, state: moved ? to : from };
  });
}

export interface TicketSummary {
  id: string;
  desk: string;
  recipient: string;
  template: string;
  tlp: string;
  state: TicketState;
  severity: string;
  reason: string;
  events: number;
  createdAt: Date;
  updatedAt: Date;
}

/** Tickets, newest first: all, or those in one state and/or for one recipient. */
export async function listTickets(
  store: Store,
  filter: { state?: TicketState | undefined; recipient?: string | undefined; limit?: number } = {},
): Promise<TicketSummary[]> {
  const result = await sql<{
    id: string;
    desk: string;
    recipient: string;
    template: string;
    tlp: string;
    state: TicketState;
    severity: string;
    reason: string;
    event_count: number;
    created_at: Date | string;
    updated_at: Date | string;
  }>`
    select id, desk, recipient, template, tlp, state, severity, reason, event_count, created_at, updated_at
    from tickets
    where (${filter.state ?? null}::text is null or state = ${filter.state ?? null})
      and (${filter.recipient ?? null}::text is null or recipient = ${filter.recipient ?? null})
    order by created_at desc, id desc
    limit ${filter.limit ?? 100}`.execute(store.db);
  return result.rows.map((r) => ({
    id: r.id,
    desk: r.desk,
    recipient: r.recipient,
    template: r.template,
    tlp: r.tlp,
    state: r.state,
    severity: r.severity,
    reason: r.reason,
    events: r.event_count,
    createdAt: new Date(r.created_at),
    updatedAt: new Date(r.updated_at),
  }));
}
