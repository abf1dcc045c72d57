/**
 * The stand-ins in a child process of their own (`main.ts`): dynalite's expression parsing and LevelDB work,
 * s3rver, fauxqs and the provider simulators then run on their own event loop (and core), not inside every
 * paid call's latency on the gateway's. The child lives exactly as long as its runtime: `close()` stops it
 * (SIGTERM, SIGKILL past a grace period), and it stops itself when its IPC channel to the parent closes, which
 * is also what happens when the parent is killed outright.
 */
import { fork, type ChildProcess } from 'node:child_process';

/** Endpoints of running stand-ins: dynalite, s3rver (with the runtime's access key registered), fauxqs. */
export interface LocalStandIns {
  readonly dynamodb: string;
  readonly s3: string;
  readonly sqs: string;
}

/** What the child starts (passed in its environment as COMPOSE_STANDINS_REQUEST). */
export interface StandInsRequest {
  readonly dataDir: string;
  readonly stage: string;
  readonly buckets: readonly string[];
  /** Start a simulator for every provider without a key in the child's environment. */
  readonly simulateProviders: boolean;
}

export interface SimulatorsInfo {
  readonly env: Readonly<Record<string, string>>;
  readonly banner: readonly string[];
}

/** The child's one message: its endpoints, and the simulators' variables when it started them. */
export interface StandInsReady {
  readonly ready: true;
  readonly standins: LocalStandIns;
  readonly simulators?: SimulatorsInfo;
}

export interface StandInsProcess {
  readonly pid: number;
  readonly standins: LocalStandIns;
  readonly simulators: SimulatorsInfo | undefined;
  close(): Promise<void>;
}

export interface StandInsProcessOptions {
  /** The child's environment (the simulators read provider keys from it). Default: this process's. */
  readonly env?: NodeJS.ProcessEnv;
  /** Bounds start-up: loading the stand-ins and simulators takes a second or two on an idle machine. */
  readonly startTimeoutMs?: number;
  /** How long `close()` waits for the child to stop before it kills it. */
  readonly stopGraceMs?: number;
}

const MAIN = new URL('./main.ts', import.meta.url);

const isReady = (message: unknown): message is StandInsReady => typeof message === 'object' && message !== null && (message as { ready?: unknown }).ready === true;

const exited = (child: ChildProcess): boolean => child.exitCode !== null || child.signalCode !== null;

export const startStandInsProcess = async (request: StandInsRequest, options: StandInsProcessOptions = {}): Promise<StandInsProcess> => {
  const child = fork(MAIN, [], {
    // Not the parent's flags: a gateway profiled with --cpu-prof should not also profile its stand-ins.
    execArgv: [],
    env: { ...(options.env ?? process.env), COMPOSE_STANDINS_REQUEST: JSON.stringify(request) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    serialization: 'json',
  });
  const exit = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const timeoutMs = options.startTimeoutMs ?? 60_000;
  let timer: NodeJS.Timeout | undefined;
  try {
    const ready = await new Promise<StandInsReady>((resolve, reject) => {
      timer = setTimeout(() => reject(new Error(`the stand-ins process did not start within ${timeoutMs} ms`)), timeoutMs);
      child.on('message', (message) => {
        if (isReady(message)) resolve(message);
      });
      child.once('error', reject);
      child.once('exit', (code, signal) => reject(new Error(`the stand-ins process exited (${code ?? signal}) before it was ready`)));
    });
    // Neither the child nor its channel keeps this process alive: whoever started the runtime decides that.
    child.unref();
    child.channel?.unref();
    let closing = false;
    // Every DynamoDB, S3 and SQS call (and every simulated provider) fails from here on: say why, once, loudly.
    child.once('exit', (code, signal) => {
      if (closing) return;
      console.error(
        JSON.stringify({
          level: 'error',
          message: 'the stand-ins process exited: DynamoDB, S3, SQS and the provider simulators are gone; restart the runtime',
          pid: child.pid,
          exit: code ?? signal,
        }),
      );
    });
    return {
      pid: child.pid!,
      standins: ready.standins,
      simulators: ready.simulators,
      close: async () => {
        closing = true;
        if (exited(child)) return;
        child.ref();
        child.kill('SIGTERM');
        const grace = setTimeout(() => child.kill('SIGKILL'), options.stopGraceMs ?? 10_000);
        await exit;
        clearTimeout(grace);
      },
    };
  } catch (error) {
    if (!exited(child)) {
      child.kill('SIGKILL');
      await exit;
    }
    throw error;
  } finally {
    clearTimeout(timer);
  }
};
