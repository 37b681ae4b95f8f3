import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { backend, createTestStore } from '../../test/db.ts';
import { startSmtpServer } from '../../test/smtp.ts';
import type { Store } from '../platform/db/index.ts';
import { listOutbox, queueMessage, sendDueMessages } from './outbox.ts';
import { SmtpTransport } from './smtp-transport.ts';

let store: Store;
const cleanups: (() => Promise<void> | void)[] = [];

beforeEach(async () => {
  store = await createTestStore();
});
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
  await store.close();
});

async function startServer(plan: number[] = [], port = 0) {
  const server = await startSmtpServer(plan, port);
  cleanups.push(() => server.close());
  return server;
}

function transport(port: number): SmtpTransport {
  const t = new SmtpTransport({ url: `smtp://127.0.0.1:${port}`, timeoutMs: 2000 });
  cleanups.push(() => {
    t.close();
  });
  return t;
}

async function queue(n: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 1; i <= n; i++) {
    const messageId = `<20261201-0000000${i}.1@tocsin.example>`;
    await queueMessage(store, {
      messageId,
      from: 'warnings@tocsin.example',
      to: `abuse@org-${i}.example`,
      subject: `[20261201-0000000${i}] TLP:AMBER`,
      text: 'body',
    });
    ids.push(messageId);
  }
  return ids;
}

// Times a little ahead: the database stamps a queued message in microseconds, the clock here in milliseconds.
const minutes = (n: number) => new Date(Date.now() + n * 60_000);

describe(`the outbox on ${backend}, against a real SMTP server`, () => {
  it('keeps a message once however often it is queued', async () => {
    const [id] = await queue(1);
    expect(
      await queueMessage(store, {
        messageId: id ?? '',
        from: 'a@b.example',
        to: 'c@d.example',
        subject: 's',
        text: 't',
      }),
    ).toBe(false);
    expect(await listOutbox(store)).toHaveLength(1);
  });

  it('421 twice then 250: delivered once, after three attempts', async () => {
    const server = await startServer([421, 421]);
    const t = transport(server.port);
    await queue(1);
    const send = (m: Parameters<SmtpTransport['send']>[0]) => t.send(m);
    expect(await sendDueMessages(store, send, { now: minutes(0.05) })).toMatchObject({ retrying: 1 });
    // Not due again before its back-off.
    expect(await sendDueMessages(store, send, { now: minutes(0.5) })).toMatchObject({ retrying: 0, sent: 0 });
    expect(await sendDueMessages(store, send, { now: minutes(2) })).toMatchObject({ retrying: 1 });
    expect(await sendDueMessages(store, send, { now: minutes(10) })).toMatchObject({ sent: 1 });
    expect(server.accepted).toEqual(['<20261201-00000001.1@tocsin.example>']);
    expect(await listOutbox(store)).toMatchObject([{ state: 'sent', attempts: 3 }]);
  });

  it('550: bounced, and never tried again', async () => {
    const server = await startServer([550]);
    const t = transport(server.port);
    await queue(1);
    expect(await sendDueMessages(store, (m) => t.send(m), { now: minutes(0.05) })).toMatchObject({
      bounced: 1,
    });
    expect(await sendDueMessages(store, (m) => t.send(m), { now: minutes(600) })).toMatchObject({ sent: 0 });
    expect(server.accepted).toEqual([]);
    expect(await listOutbox(store)).toMatchObject([{ state: 'bounced', attempts: 1 }]);
  });

  it('server down: nothing lost, delivered after it comes back', async () => {
    const probe = await startServer();
    const port = probe.port;
    await probe.close();
    const t = transport(port);
    await queue(2);
    expect(await sendDueMessages(store, (m) => t.send(m), { now: minutes(0.05) })).toMatchObject({
      retrying: 2,
    });
    const server = await startServer([], port);
    expect(await sendDueMessages(store, (m) => t.send(m), { now: minutes(5) })).toMatchObject({ sent: 2 });
    expect([...server.accepted].sort()).toEqual([
      '<20261201-00000001.1@tocsin.example>',
      '<20261201-00000002.1@tocsin.example>',
    ]);
  });

  it('a crash between acceptance and the record: one duplicate with the same Message-ID, nothing lost', async () => {
    const server = await startServer();
    const t = transport(server.port);
    const ids = await queue(3);
    let accepted = 0;
    const crash = () => {
      if (++accepted === 2) throw new Error('killed after the server accepted the message');
    };
    await expect(
      // One at a time, so that the crash stops the run as a killed process would; with several in flight
      // each interrupted message would be the one duplicate of its own.
      sendDueMessages(store, (m) => t.send(m), { now: minutes(0.05), afterAccepted: crash, concurrency: 1 }),
    ).rejects.toThrow(/killed/);
    // Within the lease nothing is taken again; after it, the interrupted and the untried messages go.
    expect(await sendDueMessages(store, (m) => t.send(m), { now: minutes(1) })).toMatchObject({ sent: 0 });
    expect(await sendDueMessages(store, (m) => t.send(m), { now: minutes(11) })).toMatchObject({ sent: 2 });
    expect([...server.accepted].sort()).toEqual([ids[0], ids[1], ids[1], ids[2]].sort());
    expect((await listOutbox(store)).every((m) => m.state === 'sent')).toBe(true);
  });
});
