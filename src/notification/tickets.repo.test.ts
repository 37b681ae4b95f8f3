import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { backend, createTestStore } from '../../test/db.ts';
import { eventId, type Event } from '../core/index.ts';
import { eventToStore, storeEventBatch } from '../intake/events.repo.ts';
import { receiveReport } from '../intake/index.ts';
import type { Store } from '../platform/db/index.ts';
import {
  canMove,
  findTicket,
  formatTicketNumber,
  moveTicket,
  openTicket,
  takeTicketNumbers,
  ticketStates,
} from './tickets.repo.ts';

let store: Store;
beforeEach(async () => {
  store = await createTestStore();
});
afterEach(async () => {
  await store.close();
});

async function storedEvent(ip: string): Promise<string> {
  const { id: reportId } = await receiveReport(
    { store },
    { path: '/dev/null', fileName: 'x.jsonl', source: 'test' },
  );
  const event: Event = { 'feed.name': 'Test', 'source.ip': ip, 'classification.type': 'vulnerable-system' };
  const id = eventId(event);
  await storeEventBatch(store, reportId, '2026-11-23T10:00:00+00:00', [
    eventToStore(id, event, '', undefined, 1),
  ]);
  return id;
}

describe('ticket numbers', () => {
  it('are the UTC day and an eight-digit number', () => {
    expect(formatTicketNumber(new Date('2026-12-01T23:59:59+00:00'), 1)).toBe('20261201-00000001');
    expect(formatTicketNumber(new Date('2026-12-02T00:30:00+01:00'), 12345678)).toBe('20261201-12345678');
    expect(() => formatTicketNumber(new Date(), 100_000_000)).toThrow(/out of range/);
  });

  it('allow delivery, then follow-up, and nothing after a bounce or failure', () => {
    expect(canMove('queued', 'sending')).toBe(true);
    expect(canMove('sending', 'sent')).toBe(true);
    expect(canMove('retrying', 'sending')).toBe(true);
    expect(canMove('sent', 'acknowledged')).toBe(true);
    expect(canMove('queued', 'sent')).toBe(false);
    expect(canMove('sent', 'queued')).toBe(false);
    for (const to of ticketStates) {
      expect(canMove('bounced', to)).toBe(false);
      expect(canMove('failed', to)).toBe(false);
    }
  });
});

describe(`tickets on ${backend}`, () => {
  it('numbers tickets taken at the same time uniquely and without gaps, starting anew each day', async () => {
    const day = new Date('2026-12-01T10:00:00Z');
    const taken = (await Promise.all(Array.from({ length: 40 }, () => takeTicketNumbers(store, day)))).flat();
    expect(new Set(taken).size).toBe(40);
    expect([...taken].sort()).toEqual(
      Array.from({ length: 40 }, (_, i) => `20261201-${String(i + 1).padStart(8, '0')}`),
    );
    expect(await takeTicketNumbers(store, day, 3)).toEqual([
      '20261201-00000041',
      '20261201-00000042',
      '20261201-00000043',
    ]);
    expect(await takeTicketNumbers(store, new Date('2026-12-02T00:00:01Z'))).toEqual(['20261202-00000001']);
  });

  it('opens a ticket with its events and records every move, refusing one a ticket may not make', async () => {
    const event = await storedEvent('192.0.2.1');
    const ticket = await openTicket(
      store,
      {
        desk: 'ncsc',
        recipient: 'energienet',
        template: 'vulnerable-system',
        aggregationKey: 'Accessible-RDP',
        tlp: 'AMBER',
        language: 'nl',
        events: [{ eventId: event }],
      },
      new Date('2026-12-01T10:00:00Z'),
    );
    expect(ticket.id).toBe('20261201-00000001');
    expect(await moveTicket(store, ticket.id, 'sending', { actor: 'system' })).toEqual({
      from: 'queued',
      to: 'sending',
    });
    await moveTicket(store, ticket.id, 'sent', { actor: 'system', detail: '250 2.0.0 queued as ABC' });
    await expect(moveTicket(store, ticket.id, 'queued', { actor: 'system' })).rejects.toThrow(
      /cannot move from sent to queued/,
    );
    await moveTicket(store, ticket.id, 'acknowledged', { actor: 'recipient' });
    const found = await findTicket(store, ticket.id);
    expect(found).toMatchObject({ state: 'acknowledged', recipient: 'energienet', events: [event] });
    expect(found?.transitions.map((t) => [t.from, t.to, t.actor])).toEqual([
      [null, 'queued', 'system'],
      ['queued', 'sending', 'system'],
      ['sending', 'sent', 'system'],
      ['sent', 'acknowledged', 'recipient'],
    ]);
    expect(await findTicket(store, '20261201-99999999')).toBeUndefined();
    expect(await findTicket(store, "x' or 1=1 --")).toBeUndefined();
    await expect(moveTicket(store, '20261201-99999999', 'sending', { actor: 'system' })).rejects.toThrow(
      /No ticket/,
    );
  });
});
