/**
 * What a received message holds, read with mailparser and judged without trusting the sender: the From and
 * envelope addresses, the attachments Tocsin can ingest (by name, size, count, and what a gzip or zip would
 * expand to) and, for a mail without attachments, its text as one event for review.
 */
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import type { Attachment, ParsedMail } from 'mailparser';
import yauzl from 'yauzl';
import { sanitiseField, type Event } from '../core/index.ts';
import { detectFeed, type FeedKind } from '../intake/index.ts';

export interface MailLimits {
  /** Largest message accepted (the SMTP SIZE limit; IMAP messages over it are left in the mailbox). */
  maxMessageBytes: number;
  /** Most attachments read from one message; the rest are skipped and noted. */
  maxAttachments: number;
  /** Most bytes a gzip attachment or the members of a zip attachment may expand to. */
  maxExpandedBytes: number;
  /** Most members in a zip attachment. */
  maxZipMembers: number;
  /** Longest mail text kept in a report's event (characters). */
  maxTextChars: number;
}

export const defaultMailLimits: MailLimits = {
  maxMessageBytes: 25 * 1024 * 1024,
  maxAttachments: 20,
  maxExpandedBytes: 1024 ** 3,
  maxZipMembers: 100,
  maxTextChars: 100_000,
};

export interface UsableAttachment {
  fileName: string;
  feed: FeedKind | undefined;
  content: Buffer;
}

export interface SkippedAttachment {
  fileName: string;
  reason: string;
}

export interface MailFacts {
  headerFrom: string | undefined;
  /** Every address in From (a message with several is suspicious). */
  fromCount: number;
  subject: string | undefined;
  messageId: string | undefined;
  date: Date | undefined;
  returnPath: string | undefined;
  text: string;
  attachments: Attachment[];
}

/** Parses a message; attachments are buffered, which the message size limit bounds. */
export async function readMail(raw: Buffer): Promise<MailFacts> {
  // Loaded on first use, so that every CLI command does not pay for the mail libraries at start.
  const { simpleParser } = await import('mailparser');
  const parsed: ParsedMail = await simpleParser(raw, {
    skipImageLinks: true,
    skipTextToHtml: true,
    maxHtmlLengthToParse: 2 * 1024 * 1024,
  });
  const from = parsed.from?.value.filter((a) => a.address !== undefined && a.address !== '') ?? [];
  const returnPath = headerText(parsed.headers.get('return-path'));
  return {
    headerFrom: from[0]?.address?.toLowerCase(),
    fromCount: from.length,
    subject: parsed.subject,
    messageId: parsed.messageId,
    date: parsed.date,
    returnPath: returnPath === undefined ? undefined : stripAngles(returnPath),
    text: (parsed.text ?? '').trim(),
    attachments: parsed.attachments,
  };
}

function headerText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'object' && value !== null && 'text' in value && typeof value.text === 'string') {
    return value.text;
  }
  return undefined;
}

/** `<bounce@example.org>` → `bounce@example.org`; `<>` (the null sender) → ``. */
export function stripAngles(address: string): string {
  const match = /<([^>]*)>/.exec(address);
  return (match?.[1] ?? address).trim().toLowerCase();
}

/** A sender's file name, as a label only: no directories, no control characters, at most 200 characters. */
export function safeFileName(name: string | undefined): string | undefined {
  if (name === undefined) return undefined;
  const base = name.replace(/\\/g, '/').split('/').pop() ?? '';
  const clean = base
    .replace(/[\u0000-\u001f\u007f]/g, '')
    .trim()
    .slice(-200);
  return clean === '' || clean === '.' || clean === '..' || clean.startsWith('.') ? undefined : clean;
}

/** Parts a mail client adds that are not reports: signatures, images, calendar entries, vCards. */
const notReports =
  /^(application\/(pgp-signature|pkcs7-signature|x-pkcs7-signature|pgp-keys)|image\/|text\/(calendar|vcard|x-vcard))/i;
const readable = /\.(csv|json|jsonl|ndjson)(\.gz)?$|\.zip$/i;

/**
 * Sorts a message's attachments into those to ingest and those skipped, with the reason for each: a name
 * Tocsin cannot tell the feed from, too many attachments, a gzip or zip that expands beyond the limit, a zip
 * with too many members, nested archives or members of unknown feeds. Signatures and inline images are
 * skipped as not being reports.
 */
export async function sortAttachments(
  attachments: readonly Attachment[],
  limits: MailLimits,
): Promise<{ usable: UsableAttachment[]; skipped: SkippedAttachment[]; ignored: number }> {
  const usable: UsableAttachment[] = [];
  const skipped: SkippedAttachment[] = [];
  let ignored = 0;
  for (const attachment of attachments) {
    const fileName = safeFileName(attachment.filename);
    if (notReports.test(attachment.contentType) || (attachment.related && fileName === undefined)) {
      ignored++;
      continue;
    }
    const label = fileName ?? '(no name)';
    if (usable.length >= limits.maxAttachments) {
      skipped.push({ fileName: label, reason: `more than ${limits.maxAttachments} attachments` });
      continue;
    }
    if (fileName === undefined || !readable.test(fileName)) {
      skipped.push({
        fileName: label,
        reason: 'not a report file Tocsin reads (.csv, .json, .jsonl, .ndjson, their .gz, or .zip)',
      });
      continue;
    }
    const problem = await checkContainer(attachment.content, fileName, limits);
    if (problem !== undefined) {
      skipped.push({ fileName, reason: problem.reason });
      continue;
    }
    // A zip's members are told apart one by one when it is ingested (checkZip made sure each one can be).
    const isZip = attachment.content.length >= 4 && attachment.content.readUInt32LE(0) === 0x04034b50;
    const feed = isZip ? undefined : detectFeed(fileName, false);
    if (!isZip && feed === undefined) {
      skipped.push({
        fileName,
        reason:
          'cannot tell the feed from the name (Shadowserver reports are named YYYY-MM-DD-<report>-….csv; IntelMQ .json; IDF .jsonl)',
      });
      continue;
    }
    usable.push({ fileName, feed, content: attachment.content });
  }
  return { usable, skipped, ignored };
}

/** Why an attachment's container is refused, or undefined when it is fine (plain, bounded gzip, sane zip). */
async function checkContainer(
  content: Buffer,
  fileName: string,
  limits: MailLimits,
): Promise<{ reason: string } | undefined> {
  if (content.length >= 2 && content[0] === 0x1f && content[1] === 0x8b) {
    const expanded = await gunzippedSize(content, limits.maxExpandedBytes);
    if (expanded === undefined) return { reason: 'not a readable gzip file' };
    if (expanded > limits.maxExpandedBytes) {
      return { reason: `expands beyond ${limits.maxExpandedBytes} bytes` };
    }
    return undefined;
  }
  if (content.length >= 4 && content.readUInt32LE(0) === 0x04034b50) return checkZip(content, limits);
  if (/\.(gz|zip)$/i.test(fileName)) return { reason: 'named as an archive but is not one' };
  return undefined;
}

/** The inflated size, counted up to just past `limit` (then it stops); undefined for a corrupt stream. */
async function gunzippedSize(content: Buffer, limit: number): Promise<number | undefined> {
  const gunzip = Readable.from([content]).pipe(createGunzip());
  let total = 0;
  try {
    for await (const chunk of gunzip) {
      total += (chunk as Buffer).length;
      if (total > limit) {
        gunzip.destroy();
        return total;
      }
    }
  } catch {
    return undefined;
  }
  return total;
}

/**
 * A zip's central directory checked before anything is inflated: member count, the declared sizes (yauzl
 * refuses, while reading, a member that inflates to more than it declared), no nested archives, and every
 * member of a feed Tocsin can tell from its name.
 */
async function checkZip(content: Buffer, limits: MailLimits): Promise<{ reason: string } | undefined> {
  let zip: yauzl.ZipFile;
  try {
    zip = await yauzl.fromBufferPromise(content, { lazyEntries: true, strictFileNames: false });
  } catch (error) {
    return { reason: `not a readable zip archive: ${(error as Error).message}` };
  }
  let members = 0;
  let declared = 0;
  try {
    for await (const entry of zip.eachEntry()) {
      if (entry.fileName.endsWith('/')) continue;
      members++;
      declared += entry.uncompressedSize;
      const name = entry.fileName.slice(entry.fileName.lastIndexOf('/') + 1);
      if (members > limits.maxZipMembers) return { reason: `more than ${limits.maxZipMembers} members` };
      if (declared > limits.maxExpandedBytes) {
        return { reason: `its members expand beyond ${limits.maxExpandedBytes} bytes` };
      }
      if (/\.(gz|zip)$/i.test(name)) return { reason: `nested archive ${name}` };
      if (detectFeed(name, false) === undefined) {
        return {
          reason: `cannot tell the feed of member ${safeFileName(name) ?? '(no name)'} from its name`,
        };
      }
    }
  } catch (error) {
    return { reason: `not a readable zip archive: ${(error as Error).message}` };
  } finally {
    zip.close();
  }
  return members === 0 ? { reason: 'an empty zip archive' } : undefined;
}

const ipv4 = /\b(?:\d{1,3}\.){3}\d{1,3}\b/g;
const ipv6 = /(?<![\w:.])[0-9a-f]{0,4}(?::[0-9a-f]{0,4}){2,7}(?![\w:])/gi;
const url = /\b(?:https?|hxxps?):\/\/[^\s<>"'()[\]]+/gi;

/**
 * IP addresses and URLs a text names, each checked by the IDF sanitisers, in order of appearance, at most
 * 50; the first address (else the first URL) is the system the mail reports.
 */
export function extractIndicators(text: string): { ips: string[]; urls: string[] } {
  const ips: string[] = [];
  const urls: string[] = [];
  const add = (list: string[], field: string, candidate: string) => {
    if (list.length >= 50) return;
    const result = sanitiseField(field, candidate.replace(/[.,;:]+$/, ''));
    if (result.ok && typeof result.value === 'string' && !list.includes(result.value))
      list.push(result.value);
  };
  const positions: { index: number; value: string }[] = [];
  for (const match of text.matchAll(ipv4)) positions.push({ index: match.index, value: match[0] });
  for (const match of text.matchAll(ipv6)) {
    if (match[0].includes('::') || match[0].split(':').length === 8) {
      positions.push({ index: match.index, value: match[0] });
    }
  }
  positions.sort((a, b) => a.index - b.index);
  for (const { value } of positions) add(ips, 'source.ip', value);
  for (const match of text.matchAll(url)) add(urls, 'source.url', match[0]);
  return { ips, urls };
}

/**
 * A mail without attachments as one event for an analyst: the text in `event_description.text`,
 * classification `other`/`undetermined` (so the framework's completeness.method rule sends it to review),
 * `feed.name` `email`, the first IP address or URL the text names as the target, and the mail's subject,
 * From and Message-ID in `extra.mail`.
 */
export function mailTextEvent(mail: MailFacts, source: string, limits: MailLimits): Event {
  const text =
    mail.text.length > limits.maxTextChars ? `${mail.text.slice(0, limits.maxTextChars)}…` : mail.text;
  const { ips, urls } = extractIndicators(mail.text);
  const event: Event = {
    'classification.taxonomy': 'other',
    'classification.type': 'undetermined',
    'event_description.text': text,
    'feed.name': 'email',
    'feed.provider': source,
    'extra.mail': {
      ...(mail.subject === undefined ? {} : { subject: mail.subject }),
      ...(mail.headerFrom === undefined ? {} : { from: mail.headerFrom }),
      ...(mail.messageId === undefined ? {} : { message_id: mail.messageId }),
      ...(ips.length + urls.length > 1 ? { indicators: [...ips, ...urls] } : {}),
    },
  };
  if (ips[0] !== undefined) event['source.ip'] = ips[0];
  else if (urls[0] !== undefined) event['source.url'] = urls[0];
  return event;
}
