/**
 * `npm start` runs the stand-ins (dynalite, s3rver, fauxqs) and the provider simulators in a child process of
 * its own, so their work is not on the gateway's event loop. That process serves the runtime's calls, starts
 * and stops with it, and is never left behind: not after Ctrl-C (SIGINT to the whole process group), not after
 * SIGTERM, not when the runtime is killed outright.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startLocalRuntime } from '../../infra/local/runtime.ts';
import { cleanChildEnv } from '../support/child-env.ts';

const root = join(import.meta.dirname, '..', '..');
const dirs: string[] = [];
const tempDir = (): string => {
  const dir = mkdtempSync(join(tmpdir(), 'compose-standins-process-'));
  dirs.push(dir);
  return dir;
};
/** Processes a test started, killed at the end whatever happened (a failed assertion must not leave them running). */
const spawned = new Set<number>();
/** Process groups of the `npm start`s a test ran: killing a group also reaches what it started (anvil). */
const groups = new Set<number>();

afterAll(() => {
  for (const group of groups) {
    try {
      process.kill(-group, 'SIGKILL');
    } catch {
      // the group is gone already
    }
  }
  for (const pid of spawned) if (alive(pid)) process.kill(pid, 'SIGKILL');
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** Polls (generously: the machine may be busy) until `check` holds. */
const eventually = async (check: () => boolean, what: string, timeoutMs = 30_000): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
};

/** Every process below `pid` (Linux /proc; elsewhere only what the runtime names is checked). */
const descendants = (pid: number): number[] => {
  if (!existsSync('/proc')) return [];
  const parents = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // The command name, in parentheses, may hold spaces: the fields after it are fixed.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      parents.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // gone meanwhile
    }
  }
  const found: number[] = [];
  const walk = (parent: number): void => {
    for (const [child, ppid] of parents) {
      if (ppid === parent) {
        found.push(child);
        walk(child);
      }
    }
  };
  walk(pid);
  return found;
};

const chat = (url: string, token: string) =>
  fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Say hello' }] }),
  });

/** Reads a child's stdout until `done` matches what it printed so far. */
const waitForOutput = (child: ChildProcess, done: (text: string) => boolean, timeoutMs = 120_000): Promise<string> =>
  new Promise((resolve, reject) => {
    let text = '';
    const timer = setTimeout(() => reject(new Error(`no start-up within ${timeoutMs} ms:\n${text}`)), timeoutMs);
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      text += chunk;
      if (done(text)) {
        clearTimeout(timer);
        resolve(text);
      }
    });
    child.once('exit', (code, signal) => reject(new Error(`exited (${code ?? signal}) before it started:\n${text}`)));
  });

describe('a runtime with its stand-ins in a child process', () => {
  it('serves paid calls through stand-ins and simulators in another process, and stops that process when it closes', async () => {
    const runtime = await startLocalRuntime({ dataDir: tempDir(), standins: 'process', chain: false, videos: false });
    const pid = runtime.standInsPid!;
    spawned.add(pid);
    try {
      expect(pid).toBeGreaterThan(0);
      expect(pid).not.toBe(process.pid);
      expect(alive(pid)).toBe(true);
      // The key's hold and settlement go to dynalite there; the answer comes from the simulator there.
      const response = await chat(runtime.url, await runtime.mintDevKey(1));
      expect(response.status).toBe(200);
      expect(((await response.json()) as { choices: { message: { content: string } }[] }).choices[0]!.message.content).toBe('You said: Say hello');
      expect(runtime.simulated.some((line) => line.startsWith('openai: simulated at'))).toBe(true);
    } finally {
      await runtime.close();
    }
    expect(alive(pid)).toBe(false);
  }, 120_000);

  it('stops its stand-ins when the runtime is killed outright (SIGKILL)', async () => {
    const child = spawn(process.execPath, [join(root, 'test', 'support', 'standins-process-runtime.ts'), tempDir()], { env: cleanChildEnv(), stdio: ['ignore', 'pipe', 'inherit'] });
    spawned.add(child.pid!);
    const ready = JSON.parse((await waitForOutput(child, (text) => text.includes('\n'))).trim()) as { url: string; standInsPid: number };
    spawned.add(ready.standInsPid);
    expect(alive(ready.standInsPid)).toBe(true);
    child.kill('SIGKILL');
    await eventually(() => !alive(ready.standInsPid), 'the stand-ins process exits after its parent was killed');
  }, 120_000);

  it('says so on stderr when its stand-ins process dies under it', async () => {
    const child = spawn(process.execPath, [join(root, 'test', 'support', 'standins-process-runtime.ts'), tempDir()], { env: cleanChildEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    spawned.add(child.pid!);
    let stderr = '';
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const ready = JSON.parse((await waitForOutput(child, (text) => text.includes('\n'))).trim()) as { standInsPid: number };
    spawned.add(ready.standInsPid);
    process.kill(ready.standInsPid, 'SIGKILL');
    await eventually(() => stderr.includes('the stand-ins process exited'), 'the runtime reports its stand-ins are gone');
    expect(JSON.parse(stderr.split('\n').find((line) => line.includes('the stand-ins process exited'))!)).toMatchObject({ level: 'error', pid: ready.standInsPid, exit: 'SIGKILL' });
    child.kill('SIGKILL');
  }, 120_000);
});

describe('npm start', () => {
  const start = () => {
    // Its own process group, as a shell runs it: Ctrl-C signals the whole group.
    const child = spawn(process.execPath, [join(root, 'infra', 'local', 'start.ts')], {
      env: cleanChildEnv({ PORT: '0', COMPOSE_DATA_DIR: tempDir() }),
      stdio: ['ignore', 'pipe', 'inherit'],
      detached: true,
    });
    spawned.add(child.pid!);
    groups.add(child.pid!);
    return child;
  };

  it.each([
    ['SIGINT to its process group (Ctrl-C)', (pid: number) => process.kill(-pid, 'SIGINT')],
    ['SIGTERM to it alone', (pid: number) => process.kill(pid, 'SIGTERM')],
  ])('leaves nothing running after %s', async (_, signal) => {
    const child = start();
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const banner = await waitForOutput(child, (text) => text.includes('Ctrl-C stops it.'));
    const standInsPid = Number(/stand-ins:\s+.* in process (\d+)/.exec(banner)?.[1]);
    expect(standInsPid).toBeGreaterThan(0);
    const url = /running on (http:\/\/\S+)/.exec(banner)![1]!;
    const key = /COMPOSE_KEY=(\S+)/.exec(banner)![1]!;
    expect((await chat(url, key)).status).toBe(200);

    const below = [...new Set([standInsPid, ...descendants(child.pid!)])];
    for (const pid of below) spawned.add(pid);
    signal(child.pid!);
    expect(await exited).toBe(0);
    await eventually(() => below.every((pid) => !alive(pid)), `every process npm start started (${below.join(', ')}) has exited`);
  }, 180_000);
});
