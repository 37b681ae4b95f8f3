/**
 * The notification policy: how long a feed's batch must settle before it is mailed, how many events a
 * message lists inline before they move to a CSV attachment, how long the links in a warning stay valid,
 * per-domain rate limits, and where the templates are. One YAML file, validated at start-up.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { AppError } from '../core/index.ts';

const durationPattern = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/;

/** Milliseconds of an ISO-8601 duration in days, hours, minutes and seconds (P1D, PT6H, PT30M, PT10S). */
export function parseDurationMs(text: string): number | undefined {
  const match = durationPattern.exec(text);
  if (match === null || text === 'P' || text.endsWith('T')) return undefined;
  const [, d, h, m, s] = match.map((part: string | undefined) => Number(part ?? 0));
  return (((d ?? 0) * 24 + (h ?? 0)) * 60 + (m ?? 0)) * 60_000 + (s ?? 0) * 1000;
}

const duration = z
  .string()
  .refine((text) => parseDurationMs(text) !== undefined, 'an ISO-8601 duration such as P30D, PT30M or PT10S')
  .transform((text) => parseDurationMs(text) ?? 0);

const policySchema = z.strictObject({
  version: z.literal(1),
  /** The templates directory, relative to the policy file. */
  templates: z.string().min(1).default('./templates'),
  /** Events listed in the body; above this count they are attached as CSV (and the body says so). */
  inline_events: z.number().int().min(0).default(25),
  /** Whether messages carry an HTML part besides the plain text. */
  html: z.boolean().default(true),
  link_expiry: duration.default(30 * 24 * 3_600_000),
  quiet_period: z
    .strictObject({
      default: duration,
      /** By `feed.provider` or `feed.name` (lower case); the name wins. */
      feeds: z.record(z.string().min(1), duration).default({}),
    })
    .default({ default: 5 * 60_000, feeds: {} }),
  rate_limits: z
    .strictObject({
      /** Messages per minute to one recipient domain. */
      per_minute: z.number().int().positive().default(120),
      domains: z.record(z.string().min(1), z.number().int().positive()).default({}),
    })
    .default({ per_minute: 120, domains: {} }),
});

export interface NotificationPolicy {
  /** Absolute path of the templates directory. */
  templatesDir: string;
  inlineEvents: number;
  html: boolean;
  linkExpiryMs: number;
  quietPeriodMs: { default: number; feeds: Readonly<Record<string, number>> };
  rateLimits: { perMinute: number; domains: Readonly<Record<string, number>> };
}

/** Reads and validates the policy file; every problem is named with its path in the file. */
export function loadNotificationPolicy(path: string): NotificationPolicy {
  let document: unknown;
  try {
    document = parseYaml(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new AppError(
      'platform.config_invalid',
      `${path}: cannot read the notification policy: ${(error as Error).message.split('\n')[0] ?? ''}`,
    );
  }
  const parsed = policySchema.safeParse(document ?? {});
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(file)'}: ${i.message}`);
    throw new AppError(
      'platform.config_invalid',
      `${path}: invalid notification policy:\n  - ${problems.join('\n  - ')}`,
      {
        details: { problems },
      },
    );
  }
  const p = parsed.data;
  return {
    templatesDir: resolve(dirname(path), p.templates),
    inlineEvents: p.inline_events,
    html: p.html,
    linkExpiryMs: p.link_expiry,
    quietPeriodMs: {
      default: p.quiet_period.default,
      feeds: Object.fromEntries(Object.entries(p.quiet_period.feeds).map(([k, v]) => [k.toLowerCase(), v])),
    },
    rateLimits: {
      perMinute: p.rate_limits.per_minute,
      domains: Object.fromEntries(
        Object.entries(p.rate_limits.domains).map(([k, v]) => [k.toLowerCase(), v]),
      ),
    },
  };
}

/** The quiet period of a feed: by name, else provider, else the default. */
export function quietPeriodFor(
  policy: NotificationPolicy,
  feed: { name?: string | undefined; provider?: string | undefined },
): number {
  const byName = feed.name === undefined ? undefined : policy.quietPeriodMs.feeds[feed.name.toLowerCase()];
  if (byName !== undefined) return byName;
  const byProvider =
    feed.provider === undefined ? undefined : policy.quietPeriodMs.feeds[feed.provider.toLowerCase()];
  return byProvider ?? policy.quietPeriodMs.default;
}
