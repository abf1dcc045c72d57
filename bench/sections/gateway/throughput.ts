/** Requests/s at c=1 and at high concurrency, with the peak RSS of the proxy processes during the latter. */
import { runLoad, timedRequest, type HttpTarget, type LoadResult } from '../../lib/load.ts';
import { readCpuMs, readMemory, resetPeak, sampleRss } from '../../lib/proc.ts';
import { chatBody, type PathName } from './targets.ts';

export interface PeakMemory {
  /** VmHWM after the phase (reset just before it), when the kernel allowed the reset. */
  readonly hwm: number | undefined;
  /** Highest VmRSS seen by a 10 ms sampler during the phase. */
  readonly sampled: number;
  readonly before: number | undefined;
}

export interface ThroughputResult {
  readonly load: LoadResult;
  readonly memory?: PeakMemory;
  /** CPU the proxy process spent per request during the phase. */
  readonly cpuMsPerRequest?: number;
  /** CPU a companion process (the gateway's stand-ins) spent per request during the phase. */
  readonly companionCpuMsPerRequest?: number;
}

export const measureThroughput = async (
  target: HttpTarget,
  model: string,
  concurrency: number,
  durationMs: number,
  pid: number | undefined,
  companionPid?: number,
): Promise<ThroughputResult> => {
  const body = chatBody(model, false, 1, 0);
  const send = () => timedRequest(target, body);
  // Opens the connections and settles the JIT before the measured window.
  await runLoad(send, concurrency, Math.min(500, durationMs / 4));
  if (pid === undefined) return { load: await runLoad(send, concurrency, durationMs) };
  const before = readMemory(pid)?.rss;
  const reset = resetPeak(pid);
  const sampler = sampleRss(pid);
  const cpuBefore = readCpuMs(pid);
  const companionBefore = companionPid === undefined ? undefined : readCpuMs(companionPid);
  const load = await runLoad(send, concurrency, durationMs);
  const cpuAfter = readCpuMs(pid);
  const companionAfter = companionPid === undefined ? undefined : readCpuMs(companionPid);
  const sampled = sampler.stop();
  const hwm = reset ? readMemory(pid)?.hwm : undefined;
  const cpuMsPerRequest = cpuBefore !== undefined && cpuAfter !== undefined && load.requests ? (cpuAfter - cpuBefore) / load.requests : undefined;
  const companionCpuMsPerRequest = companionBefore !== undefined && companionAfter !== undefined && load.requests ? (companionAfter - companionBefore) / load.requests : undefined;
  return {
    load,
    memory: { hwm, sampled, before },
    ...(cpuMsPerRequest !== undefined ? { cpuMsPerRequest } : {}),
    ...(companionCpuMsPerRequest !== undefined ? { companionCpuMsPerRequest } : {}),
  };
};

export type ThroughputByPath = Record<PathName, ThroughputResult>;
