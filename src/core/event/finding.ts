import type { Event } from './types.ts';

/**
 * The finding an event reports: the same problem on the same system, whatever event reported it. A daily
 * scan makes a new event of the same finding each day (its `time.source` moves); the notification scheduler
 * tells a recipient of a finding once and then only of a relapse, a rise in severity or as a reminder.
 * The problem is the classification (identifier, else type); the system is the address, else the name, else
 * the URL, with the port. Migration 0013 computed the same text in SQL for directives made before it.
 */
export function findingOf(event: Readonly<Event>): string {
  return [
    textOf(event['classification.identifier'] ?? event['classification.type']),
    textOf(event['source.ip'] ?? event['source.fqdn'] ?? event['source.url']),
    textOf(event['source.port']),
  ].join('|');
}

function textOf(value: unknown): string {
  if (value === undefined || value === null) return '';
  return typeof value === 'string' ? value : JSON.stringify(value);
}
