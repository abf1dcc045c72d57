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
  /**
   * A second gateway process whose DynamoDB, S3 and provider calls are logged (its ready info has `traceUrl`).
   * Separate from `gateway()` so instrumentation never touches the overhead numbers; stop it when done.
   */
  tracedGateway(): Promise<ChildService>;
  /**
   * Another gateway process with its own settings (bench/services/gateway.ts, BENCH_GATEWAY_OPTIONS): `env`
   * replaces its provider variables, `simulateProviders` starts the runtime's simulators. Not shared; stop it when
   * done (closeAll stops it otherwise).
   */
  customGateway(name: string, options: CustomGatewayOptions): Promise<ChildService>;
  /** dynalite and s3rver alone, as the local runtime starts them, to size their share of the gateway's RSS. */
  standIns(): Promise<ChildService>;
  /**
   * Every stand-in (dynalite, s3rver, fauxqs) and every provider simulator in one process of their own, for a
   * gateway that holds only what a Lambda instance holds (`customGateway` with `standins`). Not shared; stop it when done.
   */
  allStandIns(): Promise<ChildService>;
  /**
   * dynalite and s3rver with a loopback proxy in front of dynalite that delays each request by `latencyMs` and
   * counts them (ready info `dynamodbDelayed`; GET <that>/__bench/counts). Not shared; stop it when done.
   */
  delayedStandIns(latencyMs: number): Promise<ChildService>;
  /**
   * One function's Lambda bundle behind the API Gateway emulation, alone in its process (bench/services/lambda-host.ts,
   * bundled to `host`), with the function's environment. Not shared; stop it when done.
   */
  lambdaHost(name: string, host: string, family: string, bundle: string, env: Readonly<Record<string, string>>, nodeArgs?: readonly string[]): Promise<ChildService>;
  closeAll(): Promise<void>;
}

export interface CustomGatewayOptions {
  readonly env?: Readonly<Record<string, string>>;
  readonly simulateProviders?: boolean;
  /** Endpoints of stand-ins running elsewhere (`allStandIns`), used instead of embedded ones. */
  readonly standins?: { readonly dynamodb: string; readonly s3: string; readonly sqs: string };
  /** `false`: no video pipeline (queue poller, state machine, worker, video simulator) in the process. */
  readonly videos?: false;
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
  const startGateway = async (name: string, extra: readonly string[], nodeArgs: readonly string[], custom?: CustomGatewayOptions): Promise<ChildService> => {
    const dataDir = mkdtempSync(join(tmpdir(), 'compose-bench-'));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const args = [(await upstream()).url, dataDir, ...extra];
    const env = { BENCH_GATEWAY_OPTIONS: custom ? JSON.stringify(custom) : '' };
    return track(await startChild(name, script('gateway'), { args, nodeArgs, env, readyTimeoutMs: 120_000 }));
  };
  const gateway = memo(() => startGateway('gateway', [], options.gatewayNodeArgs ?? []));
  const tracedGateway = memo(() => startGateway('traced gateway', ['--trace'], []));
  const startStandIns = async (name: string, extra: readonly string[]): Promise<ChildService> => {
    const dataDir = mkdtempSync(join(tmpdir(), 'compose-bench-'));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    return track(await startChild(name, script('standins'), { args: [dataDir, ...extra] }));
  };
  const standIns = memo(() => startStandIns('stand-ins', []));

  return {
    upstream,
    bareProxy,
    gateway,
    tracedGateway,
    customGateway: (name, custom) => startGateway(name, [], options.gatewayNodeArgs ?? [], custom),
    standIns,
    allStandIns: () => startStandIns('stand-ins and simulators', ['--all']),
    delayedStandIns: (latencyMs) => startStandIns(`stand-ins (DynamoDB +${latencyMs} ms)`, [`--dynamodb-latency-ms=${latencyMs}`]),
    lambdaHost: async (name, host, family, bundle, env, nodeArgs = []) =>
      track(await startChild(name, host, { args: [family, bundle], nodeArgs, env: { BENCH_LAMBDA_ENV: JSON.stringify(env) }, readyTimeoutMs: 60_000 })),
    closeAll: async () => {
      await Promise.all(started.reverse().map((s) => s.stop().catch(() => undefined)));
      for (const cleanup of cleanups) cleanup();
    },
  };
};
