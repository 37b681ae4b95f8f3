/**
 * A real SMTP server on loopback (smtp-server) for tests: it answers each message's DATA with the next
 * planned code (250 when none is left) and keeps every accepted message, raw, with its envelope.
 */
import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerDataStream } from 'smtp-server';

export interface ReceivedMail {
  /** The envelope's RCPT TO addresses. */
  to: string[];
  from: string;
  raw: string;
  messageId: string;
}

export interface TestSmtpServer {
  port: number;
  received: ReceivedMail[];
  /** The Message-ID of every accepted message, in order. */
  readonly accepted: string[];
  close(): Promise<void>;
}

export async function startSmtpServer(plan: number[] = [], port = 0): Promise<TestSmtpServer> {
  const received: ReceivedMail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    size: 50 * 1024 * 1024,
    onData(stream: SMTPServerDataStream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const code = plan.shift() ?? 250;
        if (code !== 250) {
          const text = code >= 500 ? 'mailbox unavailable' : 'try again later';
          callback(Object.assign(new Error(text), { responseCode: code }));
          return;
        }
        const raw = Buffer.concat(chunks).toString('utf8');
        received.push({
          to: session.envelope.rcptTo.map((r) => r.address),
          from: session.envelope.mailFrom === false ? '' : session.envelope.mailFrom.address,
          raw,
          messageId: /^Message-ID: (.*)$/im.exec(raw)?.[1]?.trim() ?? '(none)',
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    port: (server.server.address() as AddressInfo).port,
    received,
    get accepted() {
      return received.map((r) => r.messageId);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
      }),
  };
}
