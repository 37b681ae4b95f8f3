import { pino, type Logger } from 'pino';

export type { Logger };

export interface CreateLoggerOptions {
  level: string;
  /** Where log lines go; standard output by default. Tests pass a stream to read them. */
  destination?: NodeJS.WritableStream;
}

/** JSON lines, one per record, as log shippers expect; `pino-pretty` makes them readable in a terminal. */
export function createLogger({ level, destination }: CreateLoggerOptions): Logger {
  return pino(
    {
      level,
      base: { service: 'tocsin' },
      redact: {
        paths: ['*.password', '*.secret', '*.token', 'req.headers.authorization', 'req.headers.cookie'],
      },
    },
    destination ?? pino.destination({ dest: 1, sync: true }),
  );
}
