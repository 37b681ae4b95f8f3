/**
 * The store side of notification: the directives that may be due, what was last told about each aggregate,
 * who reads a recipient's mail, and writing a batch of tickets with their outbox messages in one
 * transaction (so a ticket never exists without its messages, nor a message without its ticket).
 */
import { sql, type Kysely } from 'kysely';
import type { Severity } from '../assessment/index.ts';
import type { Store } from '../platform/db/index.ts';
import { readRecords, type StoredRecord } from '../intake/index.ts';
import type { Database } from '../platform/db/schema.ts';
import type { NotifyReason } from './compose.ts';
import { domainOf } from './outbox.ts';
import { parseDurationMs } from './policy.ts';
import type { AggregateHistory, Candidate } from './schedule.ts';
import { aggregateKey } from './schedule.ts';
import type { Language } from './templates.ts';
import type { TicketState } from './tickets.repo.ts';

const chunkSize = 5000;

function chunks<T>(items: readonly T[], size = chunkSize): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

const toDate = (value: Date | string): Date => (value instanceof Date ? value : new Date(value));

interface CandidateRow {
  id: string;
  event_id: string;
  desk: string;
  recipient: string;
  on_behalf_of: string | null;
  template: string;
  aggregation_key: string;
  notify_interval: string;
  created_at: Date | string;
  finding: string;
  told_at: Date | string | null;
  told_severity: string | null;
  told_state: string | null;
  resolved_at: Date | string | null;
  severity: string;
  tlp: string;
  feed_name: string | null;
  feed_provider: string | null;
  last_seen_at: Date | string | null;
}

/** How far back a sighting or a new assessment can make a told directive due again (beyond any interval). */
const lookbackMs = 62 * 24 * 3_600_000;

/**
 * Directives whose event is to be notified (its assessment in force says `notify`) and that may be due:
 * never told, told and seen again since (in a report of the last two months), or assessed anew at another
 * severity than told; each with what its recipient was last told about its finding. The ids are found by
 * index from each side (untold directives; recent reports; recent assessments), then read in chunks, so
 * the work follows what is new, not the size of the history, and no plan depends on table statistics
 * (which the embedded database does not gather by itself).
 */
export async function loadCandidates(store: Store, now = new Date()): Promise<Candidate[]> {
  const since = new Date(now.getTime() - lookbackMs);
  const untold = await sql<{ id: string }>`select id from directives where told_at is null`.execute(store.db);
  const resighted = await sql<{ id: string }>`
    select distinct d.id from reports r
    join event_sightings s on s.report_id = r.id
    join directives d on d.event_id = s.event_id
    where r.received_at > ${since} and d.told_at is not null and r.received_at > d.told_at`.execute(store.db);
  const reassessed = await sql<{ id: string }>`
    select distinct d.id from assessments a
    join event_assessments ea on ea.assessment_id = a.id
    join directives d on d.event_id = ea.event_id
    where a.assessed_at > ${since} and d.told_at is not null and a.severity is distinct from d.told_severity`.execute(
    store.db,
  );
  const ids = [...new Set([...untold.rows, ...resighted.rows, ...reassessed.rows].map((r) => r.id))].sort(
    (a, b) => Number(a) - Number(b),
  );
  const rows: CandidateRow[] = [];
  for (const part of chunks(ids, 2000)) {
    const result = await sql<CandidateRow>`
      with candidates as (
        select d.*, a.severity, a.tlp, e.feed_name,
               (select max(r.received_at) from event_sightings s join reports r on r.id = s.report_id
                 where s.event_id = d.event_id) as last_seen_at
        from directives d
        join event_assessments ea on ea.event_id = d.event_id and ea.decision = 'notify'
        join assessments a on a.id = ea.assessment_id
        join events e on e.id = d.event_id
        where d.id in (${sql.join(part)})
      )
      select c.id, c.event_id, c.desk, c.recipient, c.on_behalf_of, c.template, c.aggregation_key,
             c.notify_interval, c.created_at, c.finding, c.severity, c.tlp, c.feed_name, c.feed_provider,
             c.last_seen_at, f.told_at, f.severity as told_severity, t.state as told_state,
             (select max(tr.at) from ticket_transitions tr
               where tr.ticket_id = f.ticket_id and tr.to_state = 'resolved') as resolved_at
      from candidates c
      left join notified_findings f on f.recipient = c.recipient and f.template = c.template and f.finding = c.finding
      left join tickets t on t.id = f.ticket_id
      order by c.id`.execute(store.db);
    rows.push(...result.rows);
  }
  return rows.map((row) => {
    const createdAt = toDate(row.created_at);
    return {
      directiveId: row.id,
      eventId: row.event_id,
      desk: row.desk,
      recipient: row.recipient,
      onBehalfOf: row.on_behalf_of,
      template: row.template,
      aggregationKey: row.aggregation_key,
      intervalMs: parseDurationMs(row.notify_interval) ?? 24 * 3_600_000,
      createdAt,
      lastSeenAt: row.last_seen_at === null ? createdAt : toDate(row.last_seen_at),
      finding: row.finding,
      feedName: row.feed_name ?? undefined,
      feedProvider: row.feed_provider ?? undefined,
      severity: row.severity as Severity,
      tlp: row.tlp,
      ...(row.told_at === null
        ? {}
        : {
            told: {
              at: toDate(row.told_at),
              severity: (row.told_severity ?? 'info') as Severity,
              ticketState: (row.told_state ?? 'sent') as TicketState,
              resolvedAt: row.resolved_at === null ? undefined : toDate(row.resolved_at),
            },
          }),
    };
  });
}

/** The last ticket about each aggregate of the given recipients. */
export async function loadAggregateHistory(
  store: Store,
  recipients: readonly string[],
): Promise<Map<string, AggregateHistory>> {
  const history = new Map<string, AggregateHistory>();
  for (const part of chunks([...new Set(recipients)])) {
    const result = await sql<{
      recipient: string;
      template: string;
      aggregation_key: string;
      created_at: Date | string;
      severity: string;
    }>`
      select distinct on (recipient, template, aggregation_key) recipient, template, aggregation_key, created_at, severity
      from tickets where recipient in (${sql.join(part)})
      order by recipient, template, aggregation_key, created_at desc`.execute(store.db);
    for (const row of result.rows) {
      history.set(aggregateKey(row.recipient, row.template, row.aggregation_key), {
        lastToldAt: toDate(row.created_at),
        severity: row.severity as Severity,
      });
    }
  }
  return history;
}

export interface Mailbox {
  email: string;
  language: Language;
  openpgpKey: string | null;
}

export interface RecipientInfo {
  name: string;
  mailboxes: Mailbox[];
}

function languageOf(preferred: readonly (string | null | undefined)[], country: string | null): Language {
  for (const l of preferred) if (l === 'nl' || l === 'en') return l;
  return country === 'NL' || country === 'BE' || country === 'SR' ? 'nl' : 'en';
}

/**
 * Who reads a recipient's warnings. An organisation: its active contacts with the `notifications` role, else
 * those with `abuse`, else any active contact. `cert:<cc>`: the national CERT's organisation, the same way.
 * `abuse:<mailbox>`: the registry's abuse mailbox. Language: the contact's, else the organisation's first,
 * else by country (Dutch for NL, BE, SR), else English.
 */
export async function resolveRecipients(
  store: Store,
  recipients: readonly string[],
): Promise<Map<string, RecipientInfo>> {
  const resolved = new Map<string, RecipientInfo>();
  const organisationOf = new Map<string, string>();
  const certs = recipients.filter((r) => r.startsWith('cert:'));
  if (certs.length > 0) {
    const rows = await sql<{ country: string; organisation_id: string }>`
      select country, organisation_id from national_certs
      where country in (${sql.join(certs.map((c) => c.slice(5).toUpperCase()))})`.execute(store.db);
    for (const row of rows.rows) organisationOf.set(`cert:${row.country.toLowerCase()}`, row.organisation_id);
  }
  for (const r of recipients) {
    if (!r.startsWith('cert:') && !r.startsWith('abuse:')) organisationOf.set(r, r);
  }
  const orgIds = [...new Set(organisationOf.values())];
  const orgs = new Map<
    string,
    { name: string; languages: string[]; country: string | null; contacts: Mailbox[]; roles: string[][] }
  >();
  for (const part of chunks(orgIds)) {
    const rows = await sql<{
      id: string;
      name: string;
      languages: string[];
      country: string | null;
      email: string | null;
      roles: string[] | null;
      language: string | null;
      openpgp_key: string | null;
    }>`
      select o.id, o.name, o.languages, o.country, c.email, c.roles, c.language, c.openpgp_key
      from organisations o left join contacts c on c.organisation_id = o.id and c.active
      where o.id in (${sql.join(part)})
      order by o.id, c.id`.execute(store.db);
    for (const row of rows.rows) {
      let org = orgs.get(row.id);
      if (org === undefined) {
        org = {
          name: row.name,
          languages: row.languages,
          country: row.country,
          contacts: [],
          roles: [],
        };
        orgs.set(row.id, org);
      }
      if (row.email !== null) {
        org.contacts.push({
          email: row.email,
          language: languageOf([row.language, ...row.languages], row.country),
          openpgpKey: row.openpgp_key,
        });
        org.roles.push(row.roles ?? []);
      }
    }
  }
  for (const [recipient, orgId] of organisationOf) {
    const org = orgs.get(orgId);
    if (org === undefined) continue;
    const pick = (role: string) => org.contacts.filter((_, i) => org.roles[i]?.includes(role));
    const notifications = pick('notifications');
    const abuse = pick('abuse');
    resolved.set(recipient, {
      name: org.name,
      mailboxes: notifications.length > 0 ? notifications : abuse.length > 0 ? abuse : org.contacts,
    });
  }
  const abuseMailboxes = recipients.filter((r) => r.startsWith('abuse:'));
  for (const part of chunks(abuseMailboxes)) {
    const rows = await sql<{ abuse_email: string; country: string | null }>`
      select distinct on (abuse_email) abuse_email, country from netobjects
      where abuse_email in (${sql.join(part.map((r) => r.slice(6)))}) order by abuse_email, country`.execute(
      store.db,
    );
    const countries = new Map(rows.rows.map((r) => [r.abuse_email, r.country]));
    for (const r of part) {
      const email = r.slice(6);
      resolved.set(r, {
        name: email,
        mailboxes: [{ email, language: languageOf([], countries.get(email) ?? null), openpgpKey: null }],
      });
    }
  }
  return resolved;
}

/** Names of organisations (for `on behalf of` lines), by id. */
export async function organisationNames(store: Store, ids: readonly string[]): Promise<Map<string, string>> {
  const names = new Map<string, string>();
  for (const part of chunks([...new Set(ids)])) {
    const rows = await sql<{ id: string; name: string }>`
      select id, name from organisations where id in (${sql.join(part)})`.execute(store.db);
    for (const row of rows.rows) names.set(row.id, row.name);
  }
  return names;
}

export interface EventFacts {
  data: Record<string, unknown>;
  firstSeen: Date;
  reasons: { nl: string; en: string }[];
}

/** Each event's IDF record, first sighting, and the reasons of its assessment in force. */
export async function loadEventFacts(
  store: Store,
  eventIds: readonly string[],
): Promise<Map<string, EventFacts>> {
  const facts = new Map<string, EventFacts>();
  for (const part of chunks([...new Set(eventIds)], 5000)) {
    const rows = await sql<{
      id: string;
      chunk_id: string;
      chunk_index: number;
      raw_header: string | null;
      first_seen_at: Date | string;
      reasons: { ruleId: string; text: { nl: string; en: string } }[] | null;
    }>`
      select e.id, e.chunk_id, e.chunk_index, e.raw_header, e.first_seen_at, a.reasons
      from events e
      left join event_assessments ea on ea.event_id = e.id
      left join assessments a on a.id = ea.assessment_id
      where e.id in (${sql.join(part.map((id) => sql`${id}::uuid`))})
      order by e.chunk_id, e.chunk_index`.execute(store.db);
    const records = await readRecords(store, rows.rows);
    for (const [at, row] of rows.rows.entries()) {
      facts.set(row.id, {
        data: (records[at] as StoredRecord).data,
        firstSeen: toDate(row.first_seen_at),
        reasons: (row.reasons ?? []).map((r) => r.text),
      });
    }
  }
  return facts;
}

export interface TicketToWrite {
  id: string;
  desk: string;
  recipient: string;
  template: string;
  aggregationKey: string;
  tlp: string;
  language: Language;
  severity: Severity;
  reason: NotifyReason;
  items: readonly { directiveId: string; eventId: string; severity: Severity; finding: string }[];
  messages: readonly {
    messageId: string;
    from: string;
    to: string;
    subject: string;
    text: string;
    html?: string | undefined;
    attachments: readonly { filename: string; contentType: string; content: string }[];
  }[];
}

/** Writes tickets, their events, first transitions, the told marks on their directives and their outbox rows. */
export async function writeTickets(
  store: Store,
  tickets: readonly TicketToWrite[],
  now: Date,
): Promise<void> {
  if (tickets.length === 0) return;
  await store.db.transaction().execute(async (tx) => {
    for (const part of chunks(tickets, 500)) await writeTicketBatch(tx, part, now);
  });
}

async function writeTicketBatch(
  tx: Kysely<Database>,
  tickets: readonly TicketToWrite[],
  now: Date,
): Promise<void> {
  await sql`insert into tickets (id, desk, recipient, template, aggregation_key, tlp, language, severity, event_count, reason, created_at, updated_at)
    values ${sql.join(
      tickets.map(
        (t) =>
          sql`(${t.id}, ${t.desk}, ${t.recipient}, ${t.template}, ${t.aggregationKey}, ${t.tlp}, ${t.language}, ${t.severity}, ${t.items.length}, ${t.reason}, ${now}, ${now})`,
      ),
    )}`.execute(tx);
  await sql`insert into ticket_transitions (ticket_id, from_state, to_state, actor, detail, at)
    values ${sql.join(tickets.map((t) => sql`(${t.id}, null, 'queued', 'system', ${t.reason}, ${now})`))}`.execute(
    tx,
  );
  const items = tickets.flatMap((t) => t.items.map((i) => ({ ticket: t.id, ...i })));
  for (const part of chunks(items, 3000)) {
    await sql`insert into ticket_events (ticket_id, event_id, directive_id)
      values ${sql.join(part.map((i) => sql`(${i.ticket}, ${i.eventId}::uuid, ${i.directiveId})`))}`.execute(
      tx,
    );
    await sql`update directives d set told_at = ${now}, told_ticket = v.ticket, told_severity = v.severity
      from (values ${sql.join(part.map((i) => sql`(${i.directiveId}::bigint, ${i.ticket}, ${i.severity})`))}) as v (id, ticket, severity)
      where d.id = v.id`.execute(tx);
  }
  // What each recipient was told about each finding, last: the newest ticket wins.
  const findings = new Map<
    string,
    { recipient: string; template: string; finding: string; ticket: string; severity: Severity }
  >();
  for (const t of tickets) {
    for (const i of t.items) {
      findings.set(`${t.recipient}\u0000${t.template}\u0000${i.finding}`, {
        recipient: t.recipient,
        template: t.template,
        finding: i.finding,
        ticket: t.id,
        severity: i.severity,
      });
    }
  }
  for (const part of chunks([...findings.values()], 3000)) {
    await sql`insert into notified_findings (recipient, template, finding, ticket_id, told_at, severity)
      values ${sql.join(part.map((f) => sql`(${f.recipient}, ${f.template}, ${f.finding}, ${f.ticket}, ${now}, ${f.severity})`))}
      on conflict (recipient, template, finding) do update
        set ticket_id = excluded.ticket_id, told_at = excluded.told_at, severity = excluded.severity`.execute(
      tx,
    );
  }
  const messages = tickets.flatMap((t) => t.messages.map((m) => ({ ticket: t.id, ...m })));
  for (const part of chunks(messages, 500)) {
    await sql`insert into outbox (ticket_id, message_id, from_address, to_address, to_domain, subject, body_text, body_html, attachments, created_at, next_attempt_at)
      values ${sql.join(
        part.map(
          (m) =>
            sql`(${m.ticket}, ${m.messageId}, ${m.from}, ${m.to}, ${domainOf(m.to)}, ${m.subject}, ${m.text}, ${m.html ?? null}, ${JSON.stringify(m.attachments)}::jsonb, ${now}, ${now})`,
        ),
      )}`.execute(tx);
  }
}
