import type { AddressInfo } from 'node:net';
import type { SMTPServerDataStream, SMTPServerSession } from 'smtp-server';
import type { Logger } from '../platform/log.ts';
import type { MailOutcome, ReceivedMail } from './process-mail.ts';

export interface MailListenerOptions {
  port: number;
  host: string;
  maxMessageBytes: number;
  /** PEM key and certificate: STARTTLS is offered with them; without, it is not (put the listener behind an MTA). */
  tls?: { key: Buffer | string; cert: Buffer | string } | undefined;
  /** Longest wait for open sessions at close before they are cut. */
  closeTimeoutMs?: number;
}

export interface MailListener {
  /** The port listened on (the one picked when `port` was 0). */
  port: number;
  close(): Promise<void>;
}

/** An SMTP reply code on an error, as smtp-server sends it. */
function smtpError(code: number, message: string): Error & { responseCode: number } {
  return Object.assign(new Error(message), { responseCode: code });
}

/**
 * An SMTP listener for reports by mail (RFC 5321 DATA, SIZE advertised): each message is handed to
 * `receive` and answered 250 once it is recorded (accepted, quarantined or a duplicate: never dropped),
 * 552 over the size limit, 451 when it could not be recorded (the sending MTA tries again later). No AUTH:
 * anyone may submit, because who sent it is judged afterwards and unknown senders are quarantined; bind it
 * to loopback behind the organisation's MTA, or give `tls` to offer STARTTLS.
 */
export async function startMailListener(
  receive: (mail: ReceivedMail) => Promise<MailOutcome>,
  log: Logger,
  options: MailListenerOptions,
): Promise<MailListener> {
  const { SMTPServer } = await import('smtp-server');
  const server = new SMTPServer({
    name: 'tocsin-intake',
    banner: 'Tocsin report intake',
    size: options.maxMessageBytes,
    authOptional: true,
    disabledCommands: options.tls === undefined ? ['AUTH', 'STARTTLS'] : ['AUTH'],
    hideSTARTTLS: options.tls === undefined,
    ...(options.tls === undefined ? {} : { key: options.tls.key, cert: options.tls.cert }),
    logger: false,
    maxClients: 20,
    socketTimeout: 60_000,
    closeTimeout: options.closeTimeoutMs ?? 10_000,
    onData(stream: SMTPServerDataStream, session: SMTPServerSession, callback) {
      const chunks: Buffer[] = [];
      let size = 0;
      stream.on('data', (chunk: Buffer) => {
        size += chunk.length;
        // smtp-server keeps counting past SIZE (stream.sizeExceeded); the bytes are not kept.
        if (size <= options.maxMessageBytes) chunks.push(chunk);
      });
      stream.on('error', (error: Error) => {
        callback(error);
      });
      stream.on('end', () => {
        if (stream.sizeExceeded || size > options.maxMessageBytes) {
          callback(
            smtpError(552, `message exceeds the fixed maximum size of ${options.maxMessageBytes} bytes`),
          );
          return;
        }
        const mailFrom = session.envelope.mailFrom;
        receive({
          raw: Buffer.concat(chunks),
          channel: 'smtp',
          envelopeFrom: mailFrom === false ? '' : mailFrom.address,
          envelopeTo: session.envelope.rcptTo.map((to) => to.address),
          remoteAddress: session.remoteAddress,
        }).then(
          (outcome) => {
            callback(null, `OK: ${outcome.status} as ${outcome.id}`);
          },
          (error: unknown) => {
            log.error({ err: error, remote: session.remoteAddress }, 'mail could not be recorded');
            callback(smtpError(451, 'the message could not be recorded; try again later'));
          },
        );
      });
    },
  });
  server.on('error', (error) => {
    log.warn({ err: error }, 'mail intake connection error');
  });
  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.server.address() as AddressInfo;
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
      }),
  };
}
