/**
 * Runs anvil (from the npm `@foundry-rs/anvil` platform package, no global Foundry install) on 127.0.0.1.
 * Port 0 lets anvil pick a free port; we read the real one from its "Listening on" line.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { ANVIL_DEV_MNEMONIC } from './accounts.ts';

export interface AnvilProcess {
  readonly rpcUrl: string;
  readonly port: number;
  close(): Promise<void>;
}

export interface AnvilOptions {
  readonly port?: number;
  readonly chainId?: number;
  /** Load and dump the chain state here, so `npm start` keeps balances across restarts. */
  readonly statePath?: string;
  /** Bounds start-up; anvil is normally listening within a few hundred milliseconds. */
  readonly startTimeoutMs?: number;
}

const PLATFORM_PACKAGE: Partial<Record<string, string>> = {
  'linux-x64': 'anvil-linux-amd64',
  'linux-arm64': 'anvil-linux-arm64',
  'darwin-x64': 'anvil-darwin-amd64',
  'darwin-arm64': 'anvil-darwin-arm64',
  'win32-x64': 'anvil-win32-amd64',
};

/** The native binary, skipping the npm wrapper script so signals reach anvil itself. */
export const anvilBinary = (): string => {
  const require = createRequire(import.meta.url);
  const name = process.platform === 'win32' ? 'anvil.exe' : 'anvil';
  const pkg = PLATFORM_PACKAGE[`${process.platform}-${process.arch}`];
  if (pkg) {
    try {
      const candidate = require.resolve(`@foundry-rs/${pkg}/bin/${name}`);
      if (existsSync(candidate)) return candidate;
    } catch {
      // fall through to the wrapper
    }
  }
  return join(require.resolve('@foundry-rs/anvil/package.json'), '..', 'bin.mjs');
};

const LISTENING = /Listening on ([\d.]+):(\d+)/;

export const startAnvil = async (options: AnvilOptions = {}): Promise<AnvilProcess> => {
  const binary = anvilBinary();
  const args = [
    '--host', '127.0.0.1',
    '--port', String(options.port ?? 0),
    '--chain-id', String(options.chainId ?? 31337),
    '--mnemonic', ANVIL_DEV_MNEMONIC,
    ...(options.statePath ? ['--state', options.statePath] : []),
  ];
  const child: ChildProcess = binary.endsWith('.mjs')
    ? spawn(process.execPath, [binary, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, TARGET_TOOL: 'anvil' } })
    : spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });

  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const port = await new Promise<number>((resolve, reject) => {
    let seen = '';
    let errors = '';
    const timer = setTimeout(() => fail(new Error(`anvil did not start within ${options.startTimeoutMs ?? 15_000} ms`)), options.startTimeoutMs ?? 15_000);
    const fail = (error: Error): void => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(error);
    };
    // anvil's banner lists the dev private keys: it is parsed for the port and never echoed.
    child.stdout?.on('data', (chunk: Buffer) => {
      seen = (seen + chunk.toString('utf8')).slice(-4096);
      const match = LISTENING.exec(seen);
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[2]));
      }
    });
    child.stderr?.on('data', (chunk: Buffer) => (errors = (errors + chunk.toString('utf8')).slice(-2048)));
    child.once('error', fail);
    child.once('exit', (code) => fail(new Error(`anvil exited with code ${code} before listening: ${errors.trim()}`)));
  });
  // Keep draining: anvil logs every RPC call, and a full pipe would stall it.
  child.stdout?.resume();
  child.stderr?.resume();

  return {
    rpcUrl: `http://127.0.0.1:${port}`,
    port,
    close: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      // SIGTERM, not SIGKILL: with a state file anvil dumps the chain on its way out.
      child.kill('SIGTERM');
      await exited;
    },
  };
};
