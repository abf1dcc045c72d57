/**
 * The loopback processes sections share, each started on first use and stopped once at the end:
 * the upstream, the bare proxy in front of it, and the gateway in front of it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startChild, type ChildService } from './child.ts';

const script = (name: string): string => join(import.meta.dirname, '..', 'services', `${name}.ts`);

export interface Services {
  upstream(): Promise<ChildService>;
  bareProxy(): Promise<ChildService>;
  gateway(): Promise<ChildService>;
  closeAll(): Promise<void>;
}

export interface ServiceOptions {
  /** Extra Node flags for the gateway process (BENCH_GATEWAY_NODE_ARGS). */
  readonly gatewayNodeArgs?: readonly string[];
}

export const createServices = (log: (message: string) => void, options: ServiceOptions = {}): Services => {
  const started: ChildService[] = [];
  const cleanups: Array<() => void> = [];
  const memo = <T>(start: () => Promise<T>): (() => Promise<T>) => {
    let promise: Promise<T> | undefined;
    return () => (promise ??= start());
  };
  const track = (service: ChildService): ChildService => {
    started.push(service);
    log(`  started ${service.name} (pid ${service.pid}) at ${service.url}`);
    return service;
  };

  const upstream = memo(async () => track(await startChild('upstream', script('upstream'))));
  const bareProxy = memo(async () => track(await startChild('bare proxy', script('bare-proxy'), { args: [(await upstream()).url] })));
  const gateway = memo(async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'compose-bench-'));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const args = [(await upstream()).url, dataDir];
    return track(await startChild('gateway', script('gateway'), { args, nodeArgs: options.gatewayNodeArgs ?? [], readyTimeoutMs: 120_000 }));
  });

  return {
    upstream,
    bareProxy,
    gateway,
    closeAll: async () => {
      await Promise.all(started.reverse().map((s) => s.stop().catch(() => undefined)));
      for (const cleanup of cleanups) cleanup();
    },
  };
};
