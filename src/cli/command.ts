import type { ParseArgsOptionsConfig } from 'node:util';
import { AppError } from '../core/index.ts';
import type { Config } from '../platform/config.ts';
import type { Store } from '../platform/db/index.ts';
import type { Logger } from '../platform/log.ts';

export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  /** Rewrites one status line on a terminal (progress); absent when the output is not a terminal. */
  status?: (text: string) => void;
}

/** What a command may use. Built by `main.ts`, the composition root; each piece is made on first use. */
export interface CommandContext {
  readonly io: CliIo;
  readonly version: string;
  /** The validated configuration; throws `platform.config_invalid` listing every problem. */
  config(): Config;
  logger(): Logger;
  /** Opens the store and applies pending migrations. The caller closes it. */
  openStore(): Promise<Store>;
  /** Opens the store without migrating (for `tocsin migrate` itself). */
  openStoreUnmigrated(): Promise<Store>;
  /** Runs the service until SIGTERM/SIGINT; resolves with the exit code. */
  serve(): Promise<number>;
}

export interface CommandInput {
  values: Record<string, string | boolean | (string | boolean)[] | undefined>;
  positionals: string[];
}

export interface Command {
  name: string;
  /** One line for `tocsin --help`. */
  summary: string;
  /** Arguments after the command name, e.g. `[--json]`. */
  usage: string;
  /** Longer help for `tocsin help NAME`. */
  description?: string;
  options: ParseArgsOptionsConfig;
  /** How many positional arguments the command takes; 0 when omitted. */
  positionals?: { min: number; max: number };
  run(input: CommandInput, context: CommandContext): Promise<number>;
}

/** A `--limit N` flag: a positive whole number, or `fallback` when the flag is absent. */
export function limitFlag(value: CommandInput['values'][string], fallback: number): number {
  if (value === undefined) return fallback;
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  const limit = Number(text);
  if (!Number.isInteger(limit) || limit < 1) {
    throw new AppError('cli.usage', `--limit ${text}: expected a positive whole number`);
  }
  return limit;
}

/** Runs `fn` with the migrated store open, and closes it whatever happens. */
export async function withStore<T>(context: CommandContext, fn: (store: Store) => Promise<T>): Promise<T> {
  const store = await context.openStore();
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}
