import { sanitiseField } from './sanitise.ts';
import { taxonomyOfType } from './taxonomy.ts';
import type { Event } from './types.ts';

export type BuildEventResult = { ok: true; event: Event } | { ok: false; field: string; reason: string };

/**
 * An event from raw field values: each field sanitised, absent values left out, and the RSIT taxonomy
 * filled in from the type. The first field that fails (or is no IDF field, IntelMQ's "invalid key") is named
 * with the reason. An `extra` object given whole, or JSON text holding one (IntelMQ's JSONDict), becomes
 * `extra.<key>` fields, as IntelMQ's Message.add flattens it; a key given both ways is refused, as IntelMQ
 * refuses to add a key twice.
 */
export function buildEvent(fields: Record<string, unknown>): BuildEventResult {
  const event: Event = {};
  for (const name of Object.keys(fields)) {
    const value = fields[name];
    if (name === 'extra') {
      const extra = extraObject(value);
      if (extra === undefined) {
        return {
          ok: false,
          field: 'extra',
          reason: 'not a JSON object of extra fields (or JSON text of one)',
        };
      }
      for (const key of Object.keys(extra)) {
        const field = `extra.${key}`;
        if (Object.hasOwn(fields, field)) {
          return { ok: false, field, reason: 'given twice: as a field and inside extra' };
        }
        const problem = addField(event, field, extra[key]);
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

/** `extra` as an object: given as one, or as JSON text of one; `{}` for nothing; `undefined` if neither. */
function extraObject(value: unknown): Record<string, unknown> | undefined {
  if (value === undefined || value === null) return {};
  if (isRecord(value)) return value;
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  if (text === '') return {};
  try {
    const parsed: unknown = JSON.parse(text);
    return isRecord(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
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
