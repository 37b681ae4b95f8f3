import type { Logger } from './log.ts';

export interface ShutdownOptions {
  log: Logger;
  /** Steps run in order on the first SIGTERM or SIGINT (e.g. stop the HTTP server, then close the database). */
  steps: { name: string; run: () => Promise<void> }[];
  /** Called with the exit code once the steps are done; `process.exit` in production. */
  exit: (code: number) => void;
  signals?: NodeJS.Signals[];
}

/**
 * Graceful shutdown: the first signal runs the steps and exits 0 (1 when a step failed); a second signal
 * while they run exits at once with 130, for an operator who does not want to wait.
 */
export function installShutdown({
  log,
  steps,
  exit,
  signals = ['SIGTERM', 'SIGINT'],
}: ShutdownOptions): () => void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stopping) {
      log.warn({ signal }, 'second signal: exiting without waiting');
      exit(130);
      return;
    }
    stopping = true;
    log.info({ signal }, 'shutting down');
    void (async () => {
      let code = 0;
      for (const step of steps) {
        try {
          await step.run();
          log.info({ step: step.name }, 'shutdown step done');
        } catch (error) {
          code = 1;
          log.error({ err: error, step: step.name }, 'shutdown step failed');
        }
      }
      exit(code);
    })();
  };
  for (const signal of signals) process.on(signal, onSignal);
  return () => {
    for (const signal of signals) process.off(signal, onSignal);
  };
}
