import type { Store } from '../platform/db/index.ts';
import { countSubmission, submissionsInWindow, windowStart } from './researcher-reports.repo.ts';
import { addressKey } from './tokens.ts';

export type RateDecision = { allowed: true } | { allowed: false; retryAfterSeconds: number };

/**
 * Per-address limit of the form: `limit` accepted submissions per UTC hour, counted in the database so that
 * every process sharing it enforces the same count. Checked before the body is read; counted once accepted
 * (two submissions racing past the check can exceed the limit by one each: a limit, not a lock).
 */
export async function checkSubmissionRate(
  store: Store,
  secret: string,
  address: string,
  limit: number,
  now: Date,
): Promise<RateDecision> {
  const used = await submissionsInWindow(store, addressKey(secret, address), now);
  if (used < limit) return { allowed: true };
  const end = windowStart(now).getTime() + 3_600_000;
  return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((end - now.getTime()) / 1000)) };
}

export async function recordSubmission(
  store: Store,
  secret: string,
  address: string,
  now: Date,
): Promise<void> {
  await countSubmission(store, addressKey(secret, address), now);
}
