import { sanitiseField } from './sanitise.ts';
import { taxonomyOfType } from './taxonomy.ts';
import type { Event } from './types.ts';

export type BuildEventResult = { ok: true; event: Event } | { ok: false; field: string; reason: string };

/**
 * An event from raw field values: each field sanitised, absent values left out, and the RSIT taxonomy
 * filled in from the type. The first field that fails (or is no IDF field) is named with the reason.
 * An `extra` object given whole becomes `extra.<key>` fields, as IntelMQ's Message.add flattens it.
 */
export function buildEvent(fields: Record<string, unknown>): BuildEventResult {
  const event: Event = {};
  for (const name of Object.keys(fields)) {
    const value = fields[name];
    if (name === 'extra' && isRecord(value)) {
      for (const key of Object.keys(value)) {
        const problem = addField(event, `extra.${key}`, value[key]);
        if (problem !== undefined) return problem;
      }
      continue;
    }
    const problem = addField(event, name, value);
    if (problem !== undefined) return problem;
  }
  completeClassification(event);
  return { ok: true, event };
}

function addField(event: Event, name: string, value: unknown): BuildEventResult | undefined {
  const result = sanitiseField(name, value);
  if (!result.ok) return { ok: false, field: name, reason: result.reason };
  if (result.value !== undefined) event[name] = result.value;
  return undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Sets `classification.taxonomy` from `classification.type` when only the type is known: in RSIT each type
 * belongs to exactly one taxonomy, so parsers need not repeat it.
 */
export function completeClassification(event: Event): void {
  const type = event['classification.type'];
  if (typeof type !== 'string' || event['classification.taxonomy'] !== undefined) return;
  const taxonomy = taxonomyOfType(type);
  if (taxonomy !== undefined) event['classification.taxonomy'] = taxonomy;
}
