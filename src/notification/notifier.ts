/**
 * One notification run: plan what is due, compose each message, write tickets and outbox rows, then deliver
 * what the outbox holds. `tocsin notify run` runs it once; `tocsin serve` runs it on a timer.
 */
import { randomBytes } from 'node:crypto';
import { narrowestTlp, parseTlp, type Tlp } from '../core/index.ts';
import type { Store } from '../platform/db/index.ts';
import type { RoutingProfile } from '../routing/index.ts';
import { composeMessage, type ComposedMessage } from './compose.ts';
import { ticketLinks } from './links.ts';
import { protectMessage, type OpenPgpConfig } from './openpgp.ts';
import {
  loadAggregateHistory,
  loadCandidates,
  loadEventFacts,
  organisationNames,
  resolveRecipients,
  writeTickets,
  type TicketToWrite,
} from './notify.repo.ts';
import { domainOf, sendDueMessages, type SendOptions, type SendResult } from './outbox.ts';
import type { NotificationPolicy } from './policy.ts';
import { planNotifications, type WaitingGroup } from './schedule.ts';
import type { DeliveryOutcome, OutgoingMessage } from './smtp-transport.ts';
import type { TemplateSet } from './templates.ts';
import { takeTicketNumbers } from './tickets.repo.ts';

export interface NotifierDeps {
  store: Store;
  templates: TemplateSet;
  policy: NotificationPolicy;
  /** The outward identity and the desks behind it. */
  profile: Pick<RoutingProfile, 'identity' | 'desks'>;
  /** Signs the links in each message. */
  secret: string;
  /** Where the links point. */
  publicUrl: string;
  /** Signs every message; messages to contacts with a key are also encrypted. */
  openpgp?: OpenPgpConfig | undefined;
}

export interface ComposeResult {
  tickets: TicketToWrite[];
  waiting: WaitingGroup[];
  /** Recipients with due events but no mailbox: nothing is written for them; they stay due. */
  unreachable: { recipient: string; events: number }[];
  /** Why a mailbox got nothing (an unreadable OpenPGP key); its events stay due. */
  problems: string[];
}

/**
 * Composes what is due at `now`. With `dryRun` nothing is written and tickets carry placeholder numbers
 * (`DRYRUN-0001`, …); otherwise numbers are taken and tickets, messages and told marks written in one
 * transaction.
 */
export async function composeDue(
  deps: NotifierDeps,
  options: { now?: Date; dryRun?: boolean } = {},
): Promise<ComposeResult> {
  const now = options.now ?? new Date();
  const { store, policy, templates, profile } = deps;
  const candidates = await loadCandidates(store, now);
  const history = await loadAggregateHistory(
    store,
    candidates.map((c) => c.recipient),
  );
  const plan = planNotifications(candidates, history, policy, now);
  const recipients = await resolveRecipients(store, [...new Set(plan.due.map((g) => g.recipient))]);
  const reachable: typeof plan.due = [];
  const unreachable: ComposeResult['unreachable'] = [];
  for (const group of plan.due) {
    if ((recipients.get(group.recipient)?.mailboxes.length ?? 0) > 0) reachable.push(group);
    else unreachable.push({ recipient: group.recipient, events: group.items.length });
  }
  const facts = await loadEventFacts(
    store,
    reachable.flatMap((g) => g.items.map((i) => i.eventId)),
  );
  const onBehalf = await organisationNames(
    store,
    reachable.flatMap((g) => (g.onBehalfOf === null ? [] : [g.onBehalfOf])),
  );
  const numbers =
    reachable.length === 0
      ? []
      : options.dryRun
        ? reachable.map((_, i) => `DRYRUN-${String(i + 1).padStart(4, '0')}`)
        : await takeTicketNumbers(store, now, reachable.length);
  const deskNames = new Map(profile.desks.map((d) => [d.id, d.name]));
  const linksExpire = new Date(now.getTime() + policy.linkExpiryMs);
  const senderDomain = domainOf(profile.identity.email);
  const tickets: TicketToWrite[] = [];
  const problems: string[] = [];
  for (const [index, group] of reachable.entries()) {
    const id = numbers[index] ?? '';
    const recipient = recipients.get(group.recipient);
    if (recipient === undefined) throw new Error('unreachable');
    const tlp: Tlp = narrowestTlp(...group.items.map((i) => parseTlp(i.tlp) ?? 'RED'));
    const events = group.items.flatMap((i) => {
      const f = facts.get(i.eventId);
      return f === undefined ? [] : [{ data: f.data, firstSeen: f.firstSeen, lastSeen: i.lastSeenAt }];
    });
    const reasons = group.items.flatMap((i) => facts.get(i.eventId)?.reasons ?? []);
    const messages: TicketToWrite['messages'][number][] = [];
    for (const [m, mailbox] of recipient.mailboxes.entries()) {
      const plain: ComposedMessage = composeMessage(templates, policy, {
        ticket: id,
        language: mailbox.language,
        template: group.template,
        tlp,
        severity: group.severity,
        reason: group.reason,
        sender: profile.identity,
        desk: deskNames.get(group.desk) ?? group.desk,
        recipient: recipient.name,
        onBehalfOf:
          group.onBehalfOf === null ? undefined : (onBehalf.get(group.onBehalfOf) ?? group.onBehalfOf),
        events,
        reasons,
        links: ticketLinks(deps.secret, deps.publicUrl, id, mailbox.email, linksExpire),
        linksExpire,
      });
      let composed: ComposedMessage;
      try {
        composed = await protectMessage(plain, {
          signing: deps.openpgp,
          recipientKey: mailbox.openpgpKey,
          contact: mailbox.email,
        });
      } catch (error) {
        // Never in the clear by mistake: this mailbox gets nothing until its key is fixed.
        problems.push(`${group.recipient}: ${(error as Error).message}`);
        continue;
      }
      messages.push({
        messageId: `<${id}.${m + 1}.${randomBytes(6).toString('hex')}@${senderDomain}>`,
        from: `"${profile.identity.name.replace(/["\\]/g, '')}" <${profile.identity.email}>`,
        to: mailbox.email,
        subject: composed.subject,
        text: composed.text,
        html: composed.html,
        attachments: composed.attachments,
      });
    }
    if (messages.length === 0) {
      unreachable.push({ recipient: group.recipient, events: group.items.length });
      continue;
    }
    tickets.push({
      id,
      desk: group.desk,
      recipient: group.recipient,
      template: group.template,
      aggregationKey: group.aggregationKey,
      tlp,
      language: recipient.mailboxes[0]?.language ?? 'en',
      severity: group.severity,
      reason: group.reason,
      items: group.items.map((i) => ({
        directiveId: i.directiveId,
        eventId: i.eventId,
        severity: i.severity,
        finding: i.finding,
      })),
      messages,
    });
  }
  if (!options.dryRun) await writeTickets(store, tickets, now);
  return { tickets, waiting: plan.waiting, unreachable, problems };
}

export interface NotifyRunResult {
  tickets: number;
  messages: number;
  waiting: number;
  unreachable: number;
  problems: string[];
  /** Undefined when no transport is configured: messages stay in the outbox. */
  delivery: SendResult | undefined;
}

/** Composes what is due and, given a transport, delivers the outbox's due messages. */
export async function runNotifications(
  deps: NotifierDeps,
  send: ((message: OutgoingMessage) => Promise<DeliveryOutcome>) | undefined,
  options: { now?: Date } & Omit<SendOptions, 'now'> = {},
): Promise<NotifyRunResult> {
  const composed = await composeDue(deps, { ...(options.now ? { now: options.now } : {}) });
  const delivery =
    send === undefined
      ? undefined
      : await sendDueMessages(deps.store, send, { ...options, rateLimits: deps.policy.rateLimits });
  return {
    tickets: composed.tickets.length,
    messages: composed.tickets.reduce((n, t) => n + t.messages.length, 0),
    waiting: composed.waiting.length,
    unreachable: composed.unreachable.length,
    problems: composed.problems,
    delivery,
  };
}
