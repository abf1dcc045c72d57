/**
 * Loopback services run as child processes of the pinned Node, so each has its own event loop and its own RSS.
 * A child announces itself with one JSON line on stdout: `{"ready":true,"url":"http://127.0.0.1:…"}`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';

export interface ChildService {
  readonly name: string;
  readonly pid: number;
  readonly url: string;
  readonly info: Readonly<Record<string, unknown>>;
  /** The last lines the child wrote to stderr, for error messages. */
  output(): string;
  stop(): Promise<void>;
}

const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

const TAIL = 40;

export const startChild = async (
  name: string,
  script: string,
  options: { env?: Record<string, string>; args?: readonly string[]; nodeArgs?: readonly string[]; readyTimeoutMs?: number } = {},
): Promise<ChildService> => {
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), script, ...(options.args ?? [])], {
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  live.add(child);
  child.once('exit', () => live.delete(child));
  const tail: string[] = [];
  const keep = (line: string): void => {
    tail.push(line);
    if (tail.length > TAIL) tail.shift();
  };
  child.stderr!.setEncoding('utf8').on('data', (text: string) => text.split('\n').filter(Boolean).forEach(keep));

  const ready = new Promise<Record<string, unknown>>((resolve, reject) => {
    let buffered = '';
    const onData = (text: string): void => {
      buffered += text;
      let newline: number;
      while ((newline = buffered.indexOf('\n')) !== -1) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        if (line.startsWith('{"ready":true')) {
          // Keep draining stdout so a chatty child never blocks on a full pipe.
          child.stdout!.off('data', onData).on('data', (more: string) => more.split('\n').filter(Boolean).forEach(keep));
          return resolve(JSON.parse(line) as Record<string, unknown>);
        }
        keep(line);
      }
    };
    child.stdout!.setEncoding('utf8').on('data', onData);
    child.once('exit', (code, signal) => reject(new Error(`${name} exited (${code ?? signal}) before it was ready:\n${tail.join('\n')}`)));
    child.once('error', reject);
  });
  const timeoutMs = options.readyTimeoutMs ?? 60_000;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${name} was not ready within ${timeoutMs} ms:\n${tail.join('\n')}`)), timeoutMs);
  });
  let info: Record<string, unknown>;
  try {
    info = await Promise.race([ready, timeout]);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  } finally {
    clearTimeout(timer);
  }

  return {
    name,
    pid: child.pid!,
    url: String(info['url']),
    info,
    output: () => tail.join('\n'),
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
};

/** For the children: announce readiness, and exit cleanly on SIGTERM/SIGINT after `close`. */
export const announceReady = (info: Record<string, unknown> & { url: string }, close: () => Promise<void> | void): void => {
  process.stdout.write(`${JSON.stringify({ ready: true, pid: process.pid, ...info })}\n`);
  let closing = false;
  const stop = (): void => {
    if (closing) return;
    closing = true;
    Promise.resolve(close()).finally(() => process.exit(0));
    setTimeout(() => process.exit(0), 3_000).unref();
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
};
