import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('..', import.meta.url));
export const tocsinBin = fileURLToPath(new URL('../bin/tocsin.js', import.meta.url));

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunningProcess {
  child: ChildProcess;
  /** Resolves with the first JSON log line that matches; rejects if the process exits first. */
  waitForLog(match: (line: Record<string, unknown>) => boolean): Promise<Record<string, unknown>>;
  logs(): Record<string, unknown>[];
  exited: Promise<Exit>;
}

/** Starts a Node script with a clean environment (only what the test passes, plus PATH and HOME). */
export function startNode(
  script: string,
  args: string[],
  env: Record<string, string>,
  cwd = repoRoot,
): RunningProcess {
  const child = spawn(process.execPath, [script, ...args], {
    cwd,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const lines: Record<string, unknown>[] = [];
  const waiters: {
    match: (line: Record<string, unknown>) => boolean;
    resolve: (line: Record<string, unknown>) => void;
  }[] = [];
  let buffered = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    buffered += chunk;
    let newline: number;
    while ((newline = buffered.indexOf('\n')) >= 0) {
      const text = buffered.slice(0, newline);
      buffered = buffered.slice(newline + 1);
      let line: Record<string, unknown>;
      try {
        line = JSON.parse(text) as Record<string, unknown>;
      } catch {
        continue;
      }
      lines.push(line);
      for (const waiter of [...waiters]) {
        if (waiter.match(line)) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve(line);
        }
      }
    }
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const exited = new Promise<Exit>((resolve) => {
    child.on('close', (code, signal) => {
      resolve({ code, signal, stdout, stderr });
    });
  });
  return {
    child,
    logs: () => lines,
    exited,
    waitForLog: (match) => {
      const seen = lines.find(match);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        waiters.push({ match, resolve });
        void exited.then((exit) => {
          reject(
            new Error(
              `process exited (${exit.code ?? exit.signal}) before the log line; stderr: ${exit.stderr}`,
            ),
          );
        });
      });
    },
  };
}

export function startTocsin(args: string[], env: Record<string, string>, cwd = repoRoot): RunningProcess {
  return startNode(tocsinBin, args, env, cwd);
}

export async function runTocsin(args: string[], env: Record<string, string>, cwd = repoRoot): Promise<Exit> {
  return startTocsin(args, env, cwd).exited;
}
