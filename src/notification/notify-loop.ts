/**
 * The scheduler of `tocsin serve`: a notification run every `everyMs`, never two at once; a failed run is
 * logged and the next one tries again (nothing is lost: due directives stay due, queued messages stay
 * queued). `stop()` waits for a run in progress.
 */
import type { Logger } from '../platform/log.ts';
import { runNotifications, type NotifierDeps } from './notifier.ts';
import type { DeliveryOutcome, OutgoingMessage } from './smtp-transport.ts';

export interface NotifyLoop {
  /** Runs once now (outside the timer), after any run in progress. */
  runNow(): Promise<void>;
  stop(): Promise<void>;
}

export function startNotifyLoop(
  deps: NotifierDeps,
  send: ((message: OutgoingMessage) => Promise<DeliveryOutcome>) | undefined,
  everyMs: number,
  log: Logger,
): NotifyLoop {
  let running: Promise<void> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const runOnce = (): Promise<void> => {
    running = running.then(async () => {
      if (stopped) return;
      try {
        const result = await runNotifications(deps, send);
        if (
          result.tickets > 0 ||
          (result.delivery !== undefined &&
            result.delivery.sent +
              result.delivery.retrying +
              result.delivery.failed +
              result.delivery.bounced >
              0)
        ) {
          log.info(result, 'notification run');
        } else {
          log.debug(result, 'notification run');
        }
        for (const problem of result.problems) log.warn({ problem }, 'a mailbox got no warning');
        if (result.unreachable > 0)
          log.warn({ unreachable: result.unreachable }, 'due warnings for recipients without a mailbox');
      } catch (error) {
        log.error({ err: error }, 'notification run failed; the next run tries again');
      }
    });
    return running;
  };
  const schedule = () => {
    if (stopped || everyMs <= 0) return;
    timer = setTimeout(() => {
      void runOnce().then(schedule);
    }, everyMs);
    timer.unref();
  };
  schedule();
  return {
    runNow: runOnce,
    stop: async () => {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
      await running;
    },
  };
}
