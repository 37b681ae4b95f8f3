import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { AppError } from '../core/index.ts';

const sourceName = z
  .string()
  .regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, { message: 'expected a source name (lower-case, digits, . _ -)' });
const domainName = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[a-z0-9-]+(\.[a-z0-9-]+)+$/, { message: 'expected a mail domain such as shadowserver.org' });

const senderEntry = z
  .strictObject({
    address: z.email({ message: 'expected a mail address' }).trim().toLowerCase().optional(),
    domain: domainName
      .optional()
      .describe('Every address at this domain or a subdomain of it (mail.shadowserver.org counts).'),
    source: sourceName,
    envelope_domains: z
      .array(domainName)
      .optional()
      .describe('Envelope senders (MAIL FROM, Return-Path) in other domains that this sender uses.'),
    description: z.string().optional(),
  })
  .refine((entry) => (entry.address === undefined) !== (entry.domain === undefined), {
    message: 'give either address or domain',
  });

export const sendersFileSchema = z.strictObject({ senders: z.array(senderEntry) });

export type SenderEntry = z.infer<typeof senderEntry>;

/** The allow-list of partner senders: who may send reports by mail, and which source each one is. */
export interface SenderList {
  entries: readonly SenderEntry[];
}

/** A sender list from YAML text; every problem is listed by entry and field. */
export function parseSenders(text: string, file = 'senders'): SenderList {
  let document: unknown;
  try {
    document = parseYaml(text);
  } catch (error) {
    throw new AppError(
      'platform.config_invalid',
      `${file}: not valid YAML: ${(error as Error).message.split('\n')[0] ?? ''}`,
    );
  }
  const parsed = sendersFileSchema.safeParse(document ?? { senders: [] });
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (issue) => `${file}: ${issue.path.map(String).join('.') || '(file)'}: ${issue.message}`,
    );
    throw new AppError('platform.config_invalid', problems.join('\n'), { details: { problems } });
  }
  return { entries: parsed.data.senders };
}

/** Reads the allow-list file; without one every message is quarantined. */
export function loadSenders(path: string | undefined): SenderList {
  if (path === undefined) return { entries: [] };
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new AppError('platform.config_invalid', `${path}: cannot read the mail sender list`, {
      cause: error,
    });
  }
  return parseSenders(text, path);
}

export function domainOf(address: string): string {
  return address.slice(address.lastIndexOf('@') + 1).toLowerCase();
}

function within(domain: string, parent: string): boolean {
  return domain === parent || domain.endsWith(`.${parent}`);
}

/** The entry for a From address: an exact address wins over a domain, a longer domain over a shorter one. */
export function findSender(list: SenderList, address: string): SenderEntry | undefined {
  const lower = address.toLowerCase();
  const exact = list.entries.find((entry) => entry.address === lower);
  if (exact !== undefined) return exact;
  const domain = domainOf(lower);
  return list.entries
    .filter((entry) => entry.domain !== undefined && within(domain, entry.domain))
    .sort((a, b) => (b.domain?.length ?? 0) - (a.domain?.length ?? 0))[0];
}

/**
 * The organisational domain, approximately: the last two labels, or three under a two-letter country code
 * with a short second level (`example.co.uk`). An approximation without the Public Suffix List; it serves
 * only to tell whether an envelope sender and a From address belong together.
 */
export function organisationalDomain(domain: string): string {
  const labels = domain.toLowerCase().split('.');
  const tld = labels.at(-1) ?? '';
  const second = labels.at(-2) ?? '';
  const keep = labels.length > 2 && tld.length === 2 && second.length <= 3 ? 3 : 2;
  return labels.slice(-keep).join('.');
}

/** Whether the envelope sender may send for this From address (same organisation, or listed for the entry). */
export function envelopeMatches(entry: SenderEntry | undefined, from: string, envelope: string): boolean {
  const envelopeDomain = domainOf(envelope);
  if (organisationalDomain(envelopeDomain) === organisationalDomain(domainOf(from))) return true;
  return (entry?.envelope_domains ?? []).some((domain) => within(envelopeDomain, domain));
}
