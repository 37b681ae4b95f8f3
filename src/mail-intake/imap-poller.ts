import type { Logger } from '../platform/log.ts';
import type { MailOutcome, ReceivedMail } from './process-mail.ts';

export interface ImapPollerOptions {
  /** `imaps://user:password@host:993/INBOX` (the path names the mailbox; INBOX when absent). */
  url: string;
  everyMs: number;
  maxMessageBytes: number;
}

export interface ImapPoller {
  /** Polls once now (also what the timer does); resolves when the mailbox has been read. */
  pollNow(): Promise<void>;
  /** Stops the timer and waits for a poll in progress. */
  stop(): Promise<void>;
}

/**
 * Polls an IMAP mailbox: every unseen, unflagged message is fetched whole, handed to `receive` (which
 * records it: accepted, quarantined or a duplicate), then marked \Seen. A message over the size limit is
 * marked \Flagged and left for a person, never deleted. A crash between recording and marking makes the
 * next poll fetch it again, and `receive` knows it by its SHA-256. Kept thin: the judging is `processMail`.
 */
export function startImapPoller(
  receive: (mail: ReceivedMail) => Promise<MailOutcome>,
  log: Logger,
  options: ImapPollerOptions,
): ImapPoller {
  const url = new URL(options.url);
  const mailbox = decodeURIComponent(url.pathname.replace(/^\/+/, '')) || 'INBOX';
  let running: Promise<void> | undefined;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;

  const poll = async (): Promise<void> => {
    const { ImapFlow } = await import('imapflow');
    const client = new ImapFlow({
      host: url.hostname,
      port: url.port === '' ? (url.protocol === 'imaps:' ? 993 : 143) : Number(url.port),
      secure: url.protocol === 'imaps:',
      auth: { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) },
      logger: false,
    });
    client.on('error', (error: unknown) => {
      log.warn({ err: error }, 'IMAP connection error');
    });
    await client.connect();
    try {
      const lock = await client.getMailboxLock(mailbox);
      try {
        const uids = (await client.search({ seen: false, flagged: false }, { uid: true })) || [];
        for (const uid of uids) {
          if (stopped) break;
          const message = await client.fetchOne(String(uid), { size: true }, { uid: true });
          if (message === false) continue;
          if ((message.size ?? 0) > options.maxMessageBytes) {
            log.warn(
              { uid, size: message.size },
              'IMAP message over the size limit: flagged, left in the mailbox',
            );
            await client.messageFlagsAdd(String(uid), ['\\Flagged'], { uid: true });
            continue;
          }
          const full = await client.fetchOne(String(uid), { source: true }, { uid: true });
          if (full === false || full.source === undefined) continue;
          const outcome = await receive({
            raw: full.source,
            channel: 'imap',
            remoteAddress: `${url.hostname}/${mailbox}`,
          });
          log.info({ uid, mail: outcome.id, status: outcome.status }, 'IMAP message taken');
          await client.messageFlagsAdd(String(uid), ['\\Seen'], { uid: true });
        }
      } finally {
        lock.release();
      }
    } finally {
      await client.logout().catch(() => undefined);
    }
  };

  const pollNow = (): Promise<void> => {
    running ??= poll()
      .catch((error: unknown) => {
        log.error({ err: error, mailbox }, 'polling the IMAP mailbox failed');
      })
      .finally(() => {
        running = undefined;
      });
    return running;
  };

  const schedule = (): void => {
    if (stopped) return;
    timer = setTimeout(() => {
      void pollNow().then(schedule);
    }, options.everyMs);
    timer.unref();
  };
  void pollNow().then(schedule);

  return {
    pollNow,
    stop: async () => {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
      await running;
    },
  };
}
