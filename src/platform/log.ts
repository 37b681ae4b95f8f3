import { pino, type Logger } from 'pino';

export type { Logger };

export interface CreateLoggerOptions {
  level: string;
  /** Where log lines go; standard output by default. Tests pass a stream to read them. */
  destination?: NodeJS.WritableStream;
  /** Standard error instead of standard output (commands whose standard output is their result). */
  toStderr?: boolean;
}

/** JSON lines, one per record, as log shippers expect; `pino-pretty` makes them readable in a terminal. */
export function createLogger({ level, destination, toStderr = false }: CreateLoggerOptions): Logger {
  return pino(
    {
      level,
      base: { service: 'tocsin' },
      redact: {
        paths: ['*.password', '*.secret', '*.token', 'req.headers.authorization', 'req.headers.cookie'],
      },
    },
    destination ?? pino.destination({ dest: toStderr ? 2 : 1, sync: true }),
  );
}
