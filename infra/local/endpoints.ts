/**
 * `<dataDir>/endpoints.json`: where a running local runtime's stand-ins listen, written once it is up and removed
 * when it stops. Tools that work on the same data (`npm run keys -- show|revoke`) read it, so they reach the
 * runtime's DynamoDB without being told its (random) port. The pid lets a reader tell a live runtime from a file
 * left behind by one that was killed.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LocalChainEndpoints } from './chain/connect.ts';

export interface LocalEndpoints {
  readonly url: string;
  readonly stage: string;
  readonly pid: number;
  readonly dynamodb: string;
  readonly s3: string;
  readonly sqs: string;
  /** Physical table names, by logical name. */
  readonly tables: Readonly<Record<string, string>>;
  /** The chain x402 settles on, when the runtime started one: tests on a shared runtime fund wallets there. */
  readonly chain?: LocalChainEndpoints;
  /**
   * The provider simulators' variables (their loopback URLs and the keys they accept; a provider with a real key
   * has no simulator, so never its key): tests on a shared runtime check that none of them reaches a client.
   */
  readonly simulated?: Readonly<Record<string, string>>;
}

export const endpointsFile = (dataDir: string): string => join(dataDir, 'endpoints.json');

export const writeLocalEndpoints = (dataDir: string, endpoints: LocalEndpoints): void => {
  writeFileSync(endpointsFile(dataDir), `${JSON.stringify(endpoints, null, 2)}\n`, { mode: 0o600 });
};

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, under another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};

export type EndpointsLookup = { readonly found: LocalEndpoints } | { readonly missing: 'none' | 'stale' | 'unreadable'; readonly file: string };

/** The endpoints of the runtime running on `dataDir`, or why there are none. */
export const readLocalEndpoints = (dataDir: string): EndpointsLookup => {
  const file = endpointsFile(dataDir);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return { missing: 'none', file };
  }
  try {
    const endpoints = JSON.parse(text) as LocalEndpoints;
    if (typeof endpoints.dynamodb !== 'string' || typeof endpoints.pid !== 'number') return { missing: 'unreadable', file };
    return alive(endpoints.pid) ? { found: endpoints } : { missing: 'stale', file };
  } catch {
    return { missing: 'unreadable', file };
  }
};

/** Removes the file if it is still this runtime's (another runtime may have started on the same data since). */
export const removeLocalEndpoints = (dataDir: string, url: string): void => {
  const lookup = readLocalEndpoints(dataDir);
  if ('found' in lookup && (lookup.found.url !== url || lookup.found.pid !== process.pid)) return;
  rmSync(endpointsFile(dataDir), { force: true });
};
