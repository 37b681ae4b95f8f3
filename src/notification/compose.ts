/**
 * Composing one warning: pure. From the ticket, its events, the assessment's reasons and the signed links,
 * the frame of the routing template and the issue text of the events' classification make the subject and
 * the plain-text body (always), an HTML part (when the policy asks for one) and, above the inline limit,
 * the events as a CSV attachment. The same input always gives the same message (golden-file tested).
 */
import type { Tlp } from '../core/index.ts';
import type { LinkAction } from './links.ts';
import { frameFor, issueFor, type FrameValues, type Language, type TemplateSet } from './templates.ts';

export type NotifyReason = 'new' | 'reminder' | 'relapse' | 'severity';

export interface NotifiedEvent {
  /** The IDF event, dotted keys. */
  data: Readonly<Record<string, unknown>>;
  firstSeen: Date;
  lastSeen: Date;
}

export interface ComposeInput {
  ticket: string;
  language: Language;
  /** The routing template (the frame). */
  template: string;
  tlp: Tlp;
  severity: string;
  reason: NotifyReason;
  sender: { name: string; email: string };
  desk: string;
  recipient: string;
  /** The organisation the warning is about when the recipient passes it on. */
  onBehalfOf?: string | undefined;
  events: readonly NotifiedEvent[];
  reasons: readonly { nl: string; en: string }[];
  links: Readonly<Record<LinkAction, string>>;
  linksExpire: Date;
}

export interface ComposedMessage {
  subject: string;
  text: string;
  html?: string;
  attachments: { filename: string; contentType: string; content: string }[];
}

export interface ComposeOptions {
  inlineEvents: number;
  html: boolean;
}

/** The CSV columns, in order; a column is included when any event has it. */
export const csvColumns = [
  'time.source',
  'source.ip',
  'source.port',
  'source.fqdn',
  'source.url',
  'source.reverse_dns',
  'source.asn',
  'source.network',
  'source.geolocation.cc',
  'protocol.transport',
  'protocol.application',
  'classification.type',
  'classification.identifier',
  'malware.name',
  'product.vendor',
  'product.product',
  'product.version',
  'severity',
  'feed.name',
] as const;

export function composeMessage(
  templates: TemplateSet,
  options: ComposeOptions,
  input: ComposeInput,
): ComposedMessage {
  const { language } = input;
  const issue = issueFor(templates, mostCommonClassification(input.events), language);
  const csv = eventsCsv(input.events);
  const inline = input.events.length <= options.inlineEvents;
  const attachmentName = `${input.ticket}.csv`;
  const values: FrameValues = {
    ticket: input.ticket,
    tlp: `TLP:${input.tlp}`,
    tlp_handling: templates.tlpHandling[language][input.tlp] ?? `TLP:${input.tlp}`,
    sender: input.sender.name,
    sender_email: input.sender.email,
    desk: input.desk,
    recipient: input.recipient,
    on_behalf_of: input.onBehalfOf ?? '',
    count: String(input.events.length),
    first_seen: formatTime(minDate(input.events.map((e) => observedAt(e) ?? e.firstSeen))),
    last_seen: formatTime(maxDate(input.events.map((e) => observedAt(e) ?? e.lastSeen))),
    feeds: distinct(
      input.events.map((e) => textOf(e.data['feed.name'] ?? e.data['feed.provider'] ?? '?')),
    ).join(', '),
    'issue.title': issue.title,
    'issue.about': issue.about,
    'issue.fix': issue.fix,
    reasons: distinct(input.reasons.map((r) => r[language]))
      .map((r) => `- ${r}\n`)
      .join(''),
    events_inline: inline ? csv : '',
    events_attached: inline ? '' : attachmentName,
    'link.acknowledge': input.links.acknowledge,
    'link.resolved': input.links.resolved,
    'link.dispute': input.links.dispute,
    'link.expires': formatTime(input.linksExpire),
    reminder: input.reason === 'reminder' ? 'yes' : '',
    relapse: input.reason === 'relapse' ? 'yes' : '',
    severity_rise: input.reason === 'severity' ? 'yes' : '',
    severity: input.severity,
  };
  const frame = frameFor(templates, input.template, language);
  // A subject is one line, whatever a value holds.
  const subject = frame.subject.render(values).replace(/\s+/g, ' ').trim();
  const text = frame.body.render(values).replace(/\n{3,}/g, '\n\n');
  return {
    subject,
    text,
    ...(options.html ? { html: textToHtml(text, subject) } : {}),
    attachments: inline
      ? []
      : [{ filename: attachmentName, contentType: 'text/csv; charset=utf-8', content: csv }],
  };
}

function mostCommonClassification(events: readonly NotifiedEvent[]): { identifier?: string; type?: string } {
  const counts = new Map<string, { n: number; identifier?: string; type?: string }>();
  for (const e of events) {
    const identifier =
      typeof e.data['classification.identifier'] === 'string'
        ? e.data['classification.identifier']
        : undefined;
    const type =
      typeof e.data['classification.type'] === 'string' ? e.data['classification.type'] : undefined;
    const key = `${identifier ?? ''}|${type ?? ''}`;
    const entry = counts.get(key) ?? {
      n: 0,
      ...(identifier ? { identifier } : {}),
      ...(type ? { type } : {}),
    };
    entry.n++;
    counts.set(key, entry);
  }
  let best: { n: number; identifier?: string; type?: string } | undefined;
  for (const [, entry] of [...counts].sort(([a], [b]) => (a < b ? -1 : 1)))
    if (best === undefined || entry.n > best.n) best = entry;
  return best ?? {};
}

/** The events as CSV (RFC 4180, CRLF-free lines for mail bodies), columns by `csvColumns`, sorted. */
export function eventsCsv(events: readonly NotifiedEvent[]): string {
  const columns = csvColumns.filter((c) => events.some((e) => e.data[c] !== undefined && e.data[c] !== null));
  const rows = events
    .map((e) => columns.map((c) => csvCell(e.data[c])))
    .sort((a, b) => {
      for (let i = 0; i < a.length; i++) {
        const x = a[i] ?? '';
        const y = b[i] ?? '';
        if (x !== y) return x < y ? -1 : 1;
      }
      return 0;
    });
  return [columns.join(','), ...rows.map((r) => r.join(','))].join('\n') + '\n';
}

/**
 * One CSV cell: quoted when it holds a separator, quote or line break; a value a spreadsheet would run as a
 * formula (starting with =, +, @, a tab, or - not followed by a digit) gets a leading apostrophe.
 */
export function csvCell(value: unknown): string {
  if (value === undefined || value === null) return '';
  let text =
    typeof value === 'string'
      ? value
      : typeof value === 'number' || typeof value === 'boolean'
        ? String(value)
        : JSON.stringify(value);
  if (/^[=+@\t\r]/.test(text) || /^-(?!\d)/.test(text)) text = `'${text}`;
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** When the source observed the event (`time.source`), if it says. */
function observedAt(event: NotifiedEvent): Date | undefined {
  const value = event.data['time.source'];
  if (typeof value !== 'string') return undefined;
  const time = Date.parse(value);
  return Number.isNaN(time) ? undefined : new Date(time);
}

function textOf(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function formatTime(date: Date): string {
  return `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

function minDate(dates: readonly Date[]): Date {
  let min = Infinity;
  for (const d of dates) min = Math.min(min, d.getTime());
  return new Date(min);
}

function maxDate(dates: readonly Date[]): Date {
  let max = -Infinity;
  for (const d of dates) max = Math.max(max, d.getTime());
  return new Date(max);
}

function distinct(values: readonly string[]): string[] {
  return [...new Set(values)];
}

const htmlEscapes: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => htmlEscapes[c] ?? c);
}

/** The HTML part: the plain text, escaped, with its http(s) links made clickable. */
export function textToHtml(text: string, title: string): string {
  const body = escapeHtml(text).replace(/https?:\/\/[^\s<>"']+/g, (url) => `<a href="${url}">${url}</a>`);
  return `<!doctype html>\n<html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head>\n<body><pre style="font-family: sans-serif; white-space: pre-wrap">${body}</pre></body></html>\n`;
}
