/**
 * The outbox: nothing lost, nothing sent twice but for one stated case. A message is written before it is
 * sent. Sending claims due rows in one committed statement (state `sending`, a lease, one more attempt),
 * talks SMTP, then records the outcome: `sent`, `retrying` (with a back-off), `failed` after the last
 * attempt, or `bounced`. If the process dies between the server's acceptance and that record, the row stays
 * `sending`; when its lease runs out it is due again and is sent once more with the same Message-ID, the
 * one duplicate a recipient's mail system can recognise. Rows are claimed with `for update skip locked`, so
 * several senders sharing a PostgreSQL server never claim the same message.
 */
import { sql } from 'kysely';
import { AppError } from '../core/index.ts';
import type { Store } from '../platform/db/index.ts';
import { syncDeliveryStates } from './tickets.repo.ts';
import { retryDelayMs, type DeliveryOutcome, type OutgoingMessage } from './smtp-transport.ts';

export interface QueuedMessage extends OutgoingMessage {
  ticketId?: string;
}

/** The mail domain of an address (`Name <a@b.example>` too), lower case: what rate limits count by. */
export function domainOf(address: string): string {
  return address
    .slice(address.lastIndexOf('@') + 1)
    .replace(/>$/, '')
    .toLowerCase();
}

/** Writes a message to the outbox (state `queued`); a message with a Message-ID already there is kept once. */
export async function queueMessage(store: Store, message: QueuedMessage): Promise<boolean> {
  const domain = domainOf(message.to);
  if (domain === '' || !message.to.includes('@')) {
    throw new AppError('core.invalid_input', `not an e-mail address: ${message.to}`);
  }
  const result = await sql`
    insert into outbox (ticket_id, message_id, from_address, to_address, to_domain, subject, body_text, body_html, attachments)
    values (${message.ticketId ?? null}, ${message.messageId}, ${message.from}, ${message.to}, ${domain},
            ${message.subject}, ${message.text}, ${message.html ?? null},
            ${JSON.stringify((message.attachments ?? []).map((a) => ({ ...a, content: a.content.toString() })))}::jsonb)
    on conflict (message_id) do nothing`.execute(store.db);
  return Number(result.numAffectedRows ?? 0) === 1;
}

export interface SendOptions {
  now?: Date;
  /** At most this many messages in one run. */
  limit?: number;
  /** Attempts before a message is `failed`. */
  maxAttempts?: number;
  /** How long a claim holds before another run may take the message again. */
  leaseMs?: number;
  /** Test hook: runs after the server accepted a message, before the outcome is recorded. */
  afterAccepted?: (messageId: string) => void;
  /** Messages per minute to one recipient domain; over it, messages wait for a later run. */
  rateLimits?: { perMinute: number; domains: Readonly<Record<string, number>> };
  /** Messages in flight at once (the transport pools its connections). */
  concurrency?: number;
}

export interface SendResult {
  sent: number;
  retrying: number;
  failed: number;
  bounced: number;
}

interface OutboxRow {
  id: string;
  ticket_id: string | null;
  message_id: string;
  from_address: string;
  to_address: string;
  subject: string;
  body_text: string;
  body_html: string | null;
  attachments: { filename: string; content: string; contentType: string }[];
  attempts: number;
}

/**
 * Claims the due messages: queued or retrying ones whose time has come, and `sending` ones whose lease ran
 * out; with rate limits, no more per recipient domain than its budget for the last minute leaves.
 */
async function claimDue(
  store: Store,
  now: Date,
  limit: number,
  leaseMs: number,
  rateLimits: SendOptions['rateLimits'],
): Promise<OutboxRow[]> {
  const leaseUntil = new Date(now.getTime() + leaseMs);
  const due = sql`(state in ('queued', 'retrying') and next_attempt_at <= ${now})
         or (state = 'sending' and lease_until < ${now})`;
  let chosen = sql`select id from outbox where ${due} order by next_attempt_at, id limit ${limit} for update skip locked`;
  if (rateLimits !== undefined) {
    const candidates = await sql<{ id: string; to_domain: string }>`
      select id, to_domain from outbox where ${due} order by next_attempt_at, id limit ${limit}`.execute(
      store.db,
    );
    if (candidates.rows.length === 0) return [];
    const domains = [...new Set(candidates.rows.map((r) => r.to_domain))];
    const recent = await sql<{ to_domain: string; n: number | string }>`
      select to_domain, count(*) as n from outbox
      where to_domain in (${sql.join(domains)}) and state = 'sent' and sent_at > ${new Date(now.getTime() - 60_000)}
      group by to_domain`.execute(store.db);
    const budget = new Map(
      domains.map((d) => [
        d,
        (rateLimits.domains[d] ?? rateLimits.perMinute) -
          Number(recent.rows.find((r) => r.to_domain === d)?.n ?? 0),
      ]),
    );
    const ids = candidates.rows.filter((r) => {
      const left = budget.get(r.to_domain) ?? 0;
      budget.set(r.to_domain, left - 1);
      return left > 0;
    });
    if (ids.length === 0) return [];
    chosen = sql`select id from outbox where id in (${sql.join(ids.map((r) => r.id))}) and (${due}) for update skip locked`;
  }
  const result = await sql<OutboxRow>`
    update outbox set state = 'sending', attempts = attempts + 1, lease_until = ${leaseUntil}
    where id in (${chosen})
    returning id, ticket_id, message_id, from_address, to_address, subject, body_text, body_html, attachments, attempts`.execute(
    store.db,
  );
  return result.rows;
}

/**
 * Sends what is due through `send` (an `SmtpTransport`'s, in the service), up to `concurrency` at once,
 * records each outcome, and brings the tickets of the messages in line with them.
 */
export async function sendDueMessages(
  store: Store,
  send: (message: OutgoingMessage) => Promise<DeliveryOutcome>,
  options: SendOptions = {},
): Promise<SendResult> {
  const now = options.now ?? new Date();
  const maxAttempts = options.maxAttempts ?? 8;
  const rows = await claimDue(
    store,
    now,
    options.limit ?? 100,
    options.leaseMs ?? 10 * 60_000,
    options.rateLimits,
  );
  const result: SendResult = { sent: 0, retrying: 0, failed: 0, bounced: 0 };
  const tickets = rows.flatMap((r) => (r.ticket_id === null ? [] : [r.ticket_id]));
  // Claimed: their tickets are being sent.
  await syncDeliveryStates(store, tickets, now);
  // Outcomes are recorded by group commit: each sender waits until its outcome is written before it takes
  // the next message, and the outcomes that arrive while one write is under way go together in the next.
  // So nothing a sender has moved past is unrecorded, and a crash leaves at most one message per sender
  // accepted but unrecorded (sent again, once, with its Message-ID).
  type Outcome = {
    id: string;
    state: 'sent' | 'retrying' | 'failed' | 'bounced';
    response: string;
    next: Date;
  };
  let pending: { outcome: Outcome; done: () => void; failed: (error: unknown) => void }[] = [];
  let writing: Promise<void> | undefined;
  const flush = async (): Promise<void> => {
    while (pending.length > 0) {
      const batch = pending;
      pending = [];
      try {
        await sql`
          update outbox o set state = v.state, last_response = v.response, lease_until = null,
            next_attempt_at = v.next::timestamptz, sent_at = case when v.state = 'sent' then ${now}::timestamptz end
          from (values ${sql.join(
            batch.map(
              ({ outcome: o }) =>
                sql`(${o.id}::bigint, ${o.state}, ${o.response.slice(0, 1000)}, ${o.next.toISOString()})`,
            ),
          )}) as v (id, state, response, next)
          where o.id = v.id`.execute(store.db);
        for (const b of batch) b.done();
      } catch (error) {
        for (const b of batch) b.failed(error);
      }
    }
    writing = undefined;
  };
  const record = (outcome: Outcome): Promise<void> =>
    new Promise<void>((done, failed) => {
      pending.push({ outcome, done, failed });
      writing ??= flush();
    });
  const deliver = async (row: OutboxRow): Promise<void> => {
    const outcome = await send({
      messageId: row.message_id,
      from: row.from_address,
      to: row.to_address,
      subject: row.subject,
      text: row.body_text,
      ...(row.body_html === null ? {} : { html: row.body_html }),
      attachments: row.attachments,
    });
    if (outcome.kind === 'sent') options.afterAccepted?.(row.message_id);
    const state =
      outcome.kind === 'sent'
        ? 'sent'
        : outcome.kind === 'bounced'
          ? 'bounced'
          : row.attempts >= maxAttempts
            ? 'failed'
            : 'retrying';
    const response = outcome.kind === 'sent' ? outcome.response : outcome.reason;
    await record({ id: row.id, state, response, next: new Date(now.getTime() + retryDelayMs(row.attempts)) });
    result[state === 'sent' ? 'sent' : state]++;
  };
  let next = 0;
  const workers = Array.from(
    { length: Math.max(1, Math.min(options.concurrency ?? 8, rows.length)) },
    async () => {
      while (next < rows.length) {
        const row = rows[next++];
        if (row !== undefined) await deliver(row);
      }
    },
  );
  await Promise.all(workers);
  await syncDeliveryStates(store, tickets, now);
  return result;
}

export interface OutboxEntry {
  id: string;
  ticketId: string | null;
  messageId: string;
  to: string;
  subject: string;
  state: string;
  attempts: number;
  lastResponse: string | null;
  createdAt: Date;
  sentAt: Date | null;
}

export interface OutboxMessage extends OutboxEntry {
  from: string;
  text: string;
  html: string | null;
  attachments: { filename: string; contentType: string; content: string }[];
}

interface EntryRow {
  id: string;
  ticket_id: string | null;
  message_id: string;
  to_address: string;
  subject: string;
  state: string;
  attempts: number;
  last_response: string | null;
  created_at: Date | string;
  sent_at: Date | string | null;
}

function entry(r: EntryRow): OutboxEntry {
  return {
    id: r.id,
    ticketId: r.ticket_id,
    messageId: r.message_id,
    to: r.to_address,
    subject: r.subject,
    state: r.state,
    attempts: r.attempts,
    lastResponse: r.last_response,
    createdAt: new Date(r.created_at),
    sentAt: r.sent_at === null ? null : new Date(r.sent_at),
  };
}

/** The newest messages first, at most `limit`; with `state`, only those in it. */
export async function listOutbox(store: Store, limit = 100, state?: string): Promise<OutboxEntry[]> {
  const result = await sql<EntryRow>`
    select id, ticket_id, message_id, to_address, subject, state, attempts, last_response, created_at, sent_at
    from outbox ${state === undefined ? sql`` : sql`where state = ${state}`}
    order by id desc limit ${limit}`.execute(store.db);
  return result.rows.map(entry);
}

/** One message as it was (or would be) sent; undefined when there is none. */
export async function findOutboxMessage(store: Store, id: string): Promise<OutboxMessage | undefined> {
  if (!/^\d{1,18}$/.test(id)) return undefined;
  const result = await sql<
    EntryRow & {
      from_address: string;
      body_text: string;
      body_html: string | null;
      attachments: OutboxMessage['attachments'];
    }
  >`
    select * from outbox where id = ${id}`.execute(store.db);
  const row = result.rows[0];
  if (row === undefined) return undefined;
  return {
    ...entry(row),
    from: row.from_address,
    text: row.body_text,
    html: row.body_html,
    attachments: row.attachments,
  };
}

/** Messages by state. */
export async function outboxCounts(store: Store): Promise<Record<string, number>> {
  const result = await sql<{ state: string; n: number | string }>`
    select state, count(*) as n from outbox group by state`.execute(store.db);
  return Object.fromEntries(result.rows.map((r) => [r.state, Number(r.n)]));
}
