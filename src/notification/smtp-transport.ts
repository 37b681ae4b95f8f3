/**
 * Delivery of one message over SMTP (nodemailer, pooled), with the outcome classified the way a
 * notification sender must act on it: `sent` (the server took it), `retry` (a connection problem or a 4xx
 * answer: try again later, the message unchanged, its Message-ID kept) or `bounced` (a 5xx answer: the
 * address or the message is refused; retrying would not help).
 */
import { connect } from 'node:net';
import { Worker } from 'node:worker_threads';
import nodemailer, { type Transporter } from 'nodemailer';
import type SMTPPool from 'nodemailer/lib/smtp-pool/index.js';

export interface OutgoingMessage {
  /** `<…@…>`: kept across retries and re-sends, so a recipient's mail system can tell a duplicate. */
  messageId: string;
  from: string;
  to: string;
  subject: string;
  text: string;
  html?: string;
  attachments?: { filename: string; content: string | Buffer; contentType: string }[];
  headers?: Record<string, string>;
}

export type DeliveryOutcome =
  | { kind: 'sent'; response: string }
  | { kind: 'retry'; reason: string; code?: number }
  | { kind: 'bounced'; reason: string; code: number };

/** Error codes nodemailer gives for a server that could not be reached or talked to. */
const connectionErrors = new Set([
  'ECONNECTION',
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'ESOCKET',
  'EDNS',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
]);

/** What to do after an error from the transport: retry (connection, 4xx, anything unknown) or bounce (5xx). */
export function classifyDeliveryError(error: unknown): Exclude<DeliveryOutcome, { kind: 'sent' }> {
  const e = error as { responseCode?: unknown; code?: unknown; response?: unknown; message?: unknown };
  const reason =
    typeof e.response === 'string' ? e.response : typeof e.message === 'string' ? e.message : String(error);
  const code = typeof e.responseCode === 'number' ? e.responseCode : undefined;
  if (code !== undefined && code >= 500 && code < 600) return { kind: 'bounced', reason, code };
  if (code !== undefined) return { kind: 'retry', reason, code };
  if (typeof e.code === 'string' && connectionErrors.has(e.code)) return { kind: 'retry', reason };
  // Unknown failures are retried (and end as failed after the last attempt): never dropped silently.
  return { kind: 'retry', reason };
}

/**
 * How long to wait before attempt `attempt` (1 = the first retry): exponential from `baseMs`, capped at
 * `maxMs`. Deterministic, so a schedule can be shown and tested.
 */
export function retryDelayMs(attempt: number, baseMs = 60_000, maxMs = 6 * 3600_000): number {
  if (attempt < 1) return 0;
  return Math.min(maxMs, baseMs * 2 ** (attempt - 1));
}

export interface SmtpTransportOptions {
  /** `smtp://user:pass@host:port` or `smtps://…` (credentials in the URL). */
  url: string;
  maxConnections?: number;
  /** Milliseconds to wait for a connection and for each answer. */
  timeoutMs?: number;
  /** Signs every message with DKIM (RFC 6376) for this domain and selector. */
  dkim?: { domainName: string; keySelector: string; privateKey: string };
}

export class SmtpTransport {
  readonly #transporter: Transporter<SMTPPool.SentMessageInfo>;

  constructor({ url, maxConnections = 5, timeoutMs = 30_000, dkim }: SmtpTransportOptions) {
    const parsed = new URL(url);
    if (parsed.protocol !== 'smtp:' && parsed.protocol !== 'smtps:') {
      throw new TypeError(`SMTP_URL must start with smtp:// or smtps://, not ${parsed.protocol}//`);
    }
    const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
    const port = parsed.port === '' ? (parsed.protocol === 'smtps:' ? 465 : 587) : Number(parsed.port);
    this.#transporter = nodemailer.createTransport({
      pool: true,
      host,
      port,
      // Our own TCP connection, with Nagle's algorithm off: SMTP is a dialogue of small writes, and with
      // it on each message waited for the server's delayed ACK (about 40 ms), five times slower on loopback.
      // nodemailer still runs TLS over it (smtps://, STARTTLS).
      getSocket: (_options, callback) => {
        const socket = connect({ host, port });
        socket.setNoDelay(true);
        const fail = (error: Error) => {
          socket.destroy();
          callback(error, undefined);
        };
        socket.setTimeout(timeoutMs, () => {
          fail(Object.assign(new Error(`connection to ${host}:${port} timed out`), { code: 'ETIMEDOUT' }));
        });
        socket.once('error', fail);
        socket.once('connect', () => {
          socket.setTimeout(0);
          socket.removeListener('error', fail);
          callback(null, { connection: socket });
        });
      },
      secure: parsed.protocol === 'smtps:',
      maxConnections,
      connectionTimeout: timeoutMs,
      greetingTimeout: timeoutMs,
      socketTimeout: timeoutMs,
      ...(dkim === undefined ? {} : { dkim }),
      ...(parsed.username === ''
        ? {}
        : { auth: { user: decodeURIComponent(parsed.username), pass: decodeURIComponent(parsed.password) } }),
    });
  }

  /** Sends one message; never throws for a delivery problem, it says what to do instead. */
  async send(message: OutgoingMessage): Promise<DeliveryOutcome> {
    try {
      const info = await this.#transporter.sendMail({
        messageId: message.messageId,
        from: message.from,
        to: message.to,
        subject: message.subject,
        // Base64 rather than quoted-printable: encoded natively (quoted-printable is JavaScript, and was a
        // third of the sender's CPU per warning); every mail client reads both.
        textEncoding: 'base64',
        text: message.text,
        ...(message.html === undefined ? {} : { html: message.html }),
        ...(message.attachments === undefined ? {} : { attachments: message.attachments }),
        ...(message.headers === undefined ? {} : { headers: message.headers }),
      });
      return { kind: 'sent', response: info.response };
    } catch (error) {
      return classifyDeliveryError(error);
    }
  }

  close(): void {
    this.#transporter.close();
  }
}

/**
 * SMTP delivery in worker threads: `threads` workers, each with its own pooled transport (`maxConnections`
 * each), taking messages in turn. The same outcomes as `SmtpTransport`; `send` never throws for a delivery
 * problem (a worker that dies answers its messages with `retry`).
 */
export class SmtpWorkerPool {
  readonly #workers: Worker[];
  readonly #pending = new Map<number, (outcome: DeliveryOutcome) => void>();
  #next = 0;
  #turn = 0;

  constructor(options: SmtpTransportOptions & { threads?: number }) {
    const { threads = 2, ...transport } = options;
    this.#workers = Array.from({ length: Math.max(1, threads) }, () => {
      const worker = new Worker(new URL('./smtp-worker.ts', import.meta.url), { workerData: transport });
      worker.on('message', ({ id, outcome }: { id: number; outcome: DeliveryOutcome }) => {
        this.#pending.get(id)?.(outcome);
        this.#pending.delete(id);
      });
      worker.on('error', (error: Error) => {
        // Every message this pool has in flight is answered: try again later.
        for (const [id, resolve] of this.#pending) {
          resolve({ kind: 'retry', reason: `SMTP worker failed: ${error.message}` });
          this.#pending.delete(id);
        }
      });
      worker.unref();
      return worker;
    });
  }

  /** Keeps the process alive while a message is in flight, and only then (an idle pool lets it exit). */
  send(message: OutgoingMessage): Promise<DeliveryOutcome> {
    const id = this.#next++;
    const worker = this.#workers[this.#turn++ % this.#workers.length];
    if (this.#pending.size === 0) for (const w of this.#workers) w.ref();
    return new Promise<DeliveryOutcome>((resolve) => {
      this.#pending.set(id, (outcome) => {
        resolve(outcome);
        if (this.#pending.size <= 1) for (const w of this.#workers) w.unref();
      });
      worker?.postMessage({ id, message });
    });
  }

  close(): void {
    for (const worker of this.#workers) worker.postMessage({ close: true });
  }
}
