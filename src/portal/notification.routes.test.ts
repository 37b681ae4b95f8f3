import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp } from '../../test/app.ts';
import { backend, createTestStore } from '../../test/db.ts';
import { eventId, type Event } from '../core/index.ts';
import { eventToStore, storeEventBatch } from '../intake/events.repo.ts';
import { createApiKey, receiveReport } from '../intake/index.ts';
import {
  findTicket,
  moveTicket,
  openTicket,
  queueMessage,
  signLink,
  ticketLinks,
} from '../notification/index.ts';
import type { Store } from '../platform/db/index.ts';

const secret = 'portal-link-secret-of-at-least-32-chars';
const base = 'http://localhost';
let store: Store;
let ticket: string;

beforeEach(async () => {
  store = await createTestStore();
  const { id: reportId } = await receiveReport(
    { store },
    { path: '/dev/null', fileName: 'x.jsonl', source: 'test' },
  );
  const event: Event = {
    'feed.name': 'Test',
    'source.ip': '192.0.2.1',
    'classification.type': 'vulnerable-system',
  };
  const id = eventId(event);
  await storeEventBatch(store, reportId, '2026-11-23T10:00:00+00:00', [
    eventToStore(id, event, '', undefined, 1),
  ]);
  const opened = await openTicket(store, {
    desk: 'dtc',
    recipient: 'org-a',
    template: 'default',
    aggregationKey: 'k',
    tlp: 'AMBER',
    language: 'nl',
    events: [{ eventId: id }],
  });
  ticket = opened.id;
  await moveTicket(store, ticket, 'sending', { actor: 'system' });
  await moveTicket(store, ticket, 'sent', { actor: 'system' });
});
afterEach(async () => {
  await store.close();
});

const links = (expires = new Date(Date.now() + 3_600_000)) =>
  ticketLinks(secret, base, ticket, 'abuse@org-a.example', expires);
const path = (url: string) => url.slice(base.length);

describe(`warning links on ${backend}`, () => {
  it('GET shows what the click means and changes nothing; POST records who and when, and moves the ticket', async () => {
    const { app } = createTestApp(store, { linkSecret: secret });
    const url = path(links().acknowledge);
    const page = await app.request(url);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain(ticket);
    expect(html).toContain('in behandeling neemt');
    expect((await findTicket(store, ticket))?.state).toBe('sent');

    const form = new FormData();
    form.set('comment', 'We kijken ernaar <script>alert(1)</script>');
    const done = await app.request(url, {
      method: 'POST',
      body: form,
      headers: { 'user-agent': 'test-browser' },
    });
    expect(done.status).toBe(200);
    expect(await done.text()).toContain('Uw reactie is vastgelegd');
    const found = await findTicket(store, ticket);
    expect(found?.state).toBe('acknowledged');
    expect(found?.transitions.at(-1)).toMatchObject({
      from: 'sent',
      to: 'acknowledged',
      actor: 'recipient:abuse@org-a.example',
      detail: 'We kijken ernaar <script>alert(1)</script>',
    });
    const responses = await store.db
      .selectFrom('ticket_responses' as never)
      .selectAll()
      .execute();
    expect(responses).toMatchObject([{ action: 'acknowledge', user_agent: 'test-browser', moved: true }]);
  });

  it('resolved, then acknowledged: the second is recorded but does not move the ticket back', async () => {
    const { app } = createTestApp(store, { linkSecret: secret });
    expect((await app.request(path(links().resolved), { method: 'POST' })).status).toBe(200);
    const again = await app.request(path(links().acknowledge), { method: 'POST' });
    expect(await again.text()).toContain('bleef resolved');
    expect((await findTicket(store, ticket))?.state).toBe('resolved');
    const responses = await store.db
      .selectFrom('ticket_responses' as never)
      .select(['action', 'moved'] as never)
      .execute();
    expect(responses).toEqual([
      { action: 'resolved', moved: true },
      { action: 'acknowledge', moved: false },
    ]);
  });

  it('refuses a tampered token (400) and an expired one (410), changing nothing', async () => {
    const { app } = createTestApp(store, { linkSecret: secret });
    const good = path(links().resolved);
    const tampered = `${good.slice(0, -3)}${good.endsWith('AAA') ? 'BBB' : 'AAA'}`;
    expect((await app.request(tampered, { method: 'POST' })).status).toBe(400);
    const forged = signLink('someone-elses-secret-of-32-characters!', {
      ticket,
      action: 'resolved',
      contact: 'x@example',
      expires: 4_000_000_000,
    });
    expect((await app.request(`/t/${forged}`, { method: 'POST' })).status).toBe(400);
    const expired = path(links(new Date(Date.now() - 1000)).resolved);
    const gone = await app.request(expired, { method: 'POST' });
    expect(gone.status).toBe(410);
    expect(await gone.text()).toContain(ticket);
    expect((await findTicket(store, ticket))?.state).toBe('sent');
  });
});

describe(`the outbox page on ${backend}`, () => {
  it('is for administrators only, and shows each message as it would be sent, escaped', async () => {
    const { app } = createTestApp(store, { linkSecret: secret });
    await queueMessage(store, {
      ticketId: ticket,
      messageId: '<m1@tocsin.example>',
      from: 'meldingen@ncsc.example.nl',
      to: 'abuse@org-a.example',
      subject: `[TLP:AMBER] [${ticket}] Open <RDP>`,
      text: 'Geachte <b>org</b>',
    });
    const anonymous = await app.request('/outbox');
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toMatch(/^Basic realm=/);
    const reader = await createApiKey(store, { source: 'partner', scopes: ['reports:read'] });
    const basic = (key: string) => ({
      authorization: `Basic ${Buffer.from(`admin:${key}`).toString('base64')}`,
    });
    expect((await app.request('/outbox', { headers: basic(reader.key) })).status).toBe(403);
    const admin = await createApiKey(store, { source: 'operators', scopes: ['admin'] });
    const list = await app.request('/outbox', { headers: basic(admin.key) });
    expect(list.status).toBe(200);
    const html = await list.text();
    expect(html).toContain('Open &lt;RDP&gt;');
    expect(html).toContain('queued: 1');
    const id = /href="\/outbox\/(\d+)"/.exec(html)?.[1] ?? '';
    const one = await app.request(`/outbox/${id}`, { headers: { authorization: `Bearer ${admin.key}` } });
    expect(one.status).toBe(200);
    const message = await one.text();
    expect(message).toContain('Geachte &lt;b&gt;org&lt;/b&gt;');
    expect(message).toContain('&lt;m1@tocsin.example&gt;');
    expect((await app.request('/outbox/999999', { headers: basic(admin.key) })).status).toBe(404);
  });
});
