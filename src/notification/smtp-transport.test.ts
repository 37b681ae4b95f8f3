import { createVerify, generateKeyPairSync } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { startSmtpServer, type TestSmtpServer } from '../../test/smtp.ts';
import {
  classifyDeliveryError,
  retryDelayMs,
  SmtpTransport,
  SmtpWorkerPool,
  type OutgoingMessage,
} from './smtp-transport.ts';

const servers: TestSmtpServer[] = [];
const transports: SmtpTransport[] = [];

async function startServer(plan: number[] = [], port = 0): Promise<TestSmtpServer> {
  const server = await startSmtpServer(plan, port);
  servers.push(server);
  return server;
}

function transport(port: number): SmtpTransport {
  const t = new SmtpTransport({ url: `smtp://127.0.0.1:${port}`, timeoutMs: 2000 });
  transports.push(t);
  return t;
}

afterEach(async () => {
  for (const t of transports.splice(0)) t.close();
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

const message: OutgoingMessage = {
  messageId: '<20261201-00000001.1@tocsin.example>',
  from: 'Tocsin <warnings@tocsin.example>',
  to: 'abuse@energienet.example',
  subject: '[20261201-00000001] TLP:AMBER Kwetsbaar systeem / Vulnerable system',
  text: 'Een systeem in uw netwerk is kwetsbaar.',
  attachments: [{ filename: 'events.csv', content: 'ip,port\n192.0.2.1,3389\n', contentType: 'text/csv' }],
};

/** Delivers with up to `attempts` tries, as the sender's loop will (without its waiting). */
async function deliver(t: SmtpTransport, attempts: number) {
  const outcomes = [];
  for (let i = 0; i < attempts; i++) {
    const outcome = await t.send(message);
    outcomes.push(outcome.kind);
    if (outcome.kind !== 'retry') break;
  }
  return outcomes;
}

describe('SMTP delivery to a real server on loopback', () => {
  it('retries after 421 twice and delivers once, with its Message-ID and attachment', async () => {
    const server = await startServer([421, 421]);
    expect(await deliver(transport(server.port), 5)).toEqual(['retry', 'retry', 'sent']);
    expect(server.received).toHaveLength(1);
    expect(server.received[0]?.raw).toContain('Message-ID: <20261201-00000001.1@tocsin.example>');
    expect(server.received[0]?.raw).toContain('filename=events.csv');
  });

  it('marks a 550 as bounced and does not retry', async () => {
    const server = await startServer([550]);
    const t = transport(server.port);
    const outcome = await t.send(message);
    expect(outcome).toMatchObject({ kind: 'bounced', code: 550 });
    expect(await deliver(t, 1)).toEqual(['sent']);
    expect(server.received).toHaveLength(1);
  });

  it('says retry while the server is down and delivers once it is back', async () => {
    const probe = await startServer();
    const port = probe.port;
    await probe.close();
    servers.splice(servers.indexOf(probe), 1);
    const t = transport(port);
    expect((await t.send(message)).kind).toBe('retry');
    const server = await startServer([], port);
    expect((await t.send(message)).kind).toBe('sent');
    expect(server.received).toHaveLength(1);
  });
});

describe('SMTP delivery from a worker thread', () => {
  it('gives the same outcomes: 421 twice then delivered once, 550 bounced', async () => {
    const server = await startServer([421, 421, 250, 550]);
    const pool = new SmtpWorkerPool({ url: `smtp://127.0.0.1:${server.port}`, timeoutMs: 2000, threads: 2 });
    try {
      const kinds = [];
      for (let i = 0; i < 4; i++) kinds.push((await pool.send(message)).kind);
      expect(kinds).toEqual(['retry', 'retry', 'sent', 'bounced']);
      expect(server.received).toHaveLength(1);
      expect(server.received[0]?.raw).toContain('Message-ID: <20261201-00000001.1@tocsin.example>');
    } finally {
      pool.close();
    }
  });

  it('says retry while the server is down', async () => {
    const probe = await startServer();
    const port = probe.port;
    await probe.close();
    const pool = new SmtpWorkerPool({ url: `smtp://127.0.0.1:${port}`, timeoutMs: 2000, threads: 1 });
    try {
      expect((await pool.send(message)).kind).toBe('retry');
    } finally {
      pool.close();
    }
  });
});

describe('DKIM', () => {
  it('signs every message for the configured domain and selector, over the headers that matter', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const server = await startServer();
    const t = new SmtpTransport({
      url: `smtp://127.0.0.1:${server.port}`,
      timeoutMs: 2000,
      dkim: {
        domainName: 'tocsin.example',
        keySelector: 'tocsin2026',
        privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      },
    });
    transports.push(t);
    expect(await t.send(message)).toMatchObject({ kind: 'sent' });
    const raw = server.received[0]?.raw ?? '';
    const header =
      /^DKIM-Signature: ([\s\S]*?)\r\n(?![ \t])/m.exec(raw)?.[1]?.replace(/\r\n[ \t]+/g, ' ') ?? '';
    expect(header).toMatch(/\bd=tocsin\.example;/);
    expect(header).toMatch(/\bs=tocsin2026;/);
    expect(header).toMatch(/\bh=[^;]*From[^;]*Subject/i);
    // The signature verifies with the public key over the canonicalised headers it names (RFC 6376 relaxed).
    const b = /\bb=([A-Za-z0-9+/= ]+)/.exec(header)?.[1]?.replace(/ /g, '') ?? '';
    const signedNames = (/\bh=([^;]+)/.exec(header)?.[1] ?? '').split(':').map((n) => n.trim().toLowerCase());
    const headerBlock = raw.slice(0, raw.indexOf('\r\n\r\n'));
    const unfolded = headerBlock.replace(/\r\n[ \t]+/g, ' ').split('\r\n');
    const relaxed = (line: string) => {
      const i = line.indexOf(':');
      return `${line.slice(0, i).trim().toLowerCase()}:${line
        .slice(i + 1)
        .replace(/\s+/g, ' ')
        .trim()}`;
    };
    const picked = signedNames.map((name) => unfolded.find((l) => l.toLowerCase().startsWith(`${name}:`)));
    const dkimLine = unfolded.find((l) => l.toLowerCase().startsWith('dkim-signature:')) ?? '';
    const canonical = [
      ...picked.filter((l): l is string => l !== undefined).map(relaxed),
      relaxed(dkimLine).replace(/\bb=[^;]*$/, 'b='),
    ].join('\r\n');
    expect(createVerify('RSA-SHA256').update(canonical).verify(publicKey, b, 'base64')).toBe(true);
  });
});

describe('delivery policy', () => {
  it('bounces on 5xx, retries on 4xx, connection errors and anything unknown', () => {
    expect(classifyDeliveryError({ responseCode: 550, response: '550 no such user' })).toEqual({
      kind: 'bounced',
      reason: '550 no such user',
      code: 550,
    });
    expect(classifyDeliveryError({ responseCode: 451, response: '451 later' }).kind).toBe('retry');
    expect(classifyDeliveryError({ code: 'ECONNREFUSED', message: 'refused' }).kind).toBe('retry');
    expect(classifyDeliveryError(new Error('odd')).kind).toBe('retry');
  });

  it('backs off exponentially up to a cap', () => {
    expect([0, 1, 2, 3, 4].map((a) => retryDelayMs(a, 1000, 5000))).toEqual([0, 1000, 2000, 4000, 5000]);
  });
});
