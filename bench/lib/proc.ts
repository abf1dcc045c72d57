/** Memory of another process, read from /proc (Linux): the bench measures its children, never itself. */
import { readFileSync, writeFileSync } from 'node:fs';

export interface ProcMemory {
  /** Resident set now. */
  readonly rss: number;
  /** Peak resident set since start or since the last `resetPeak`. */
  readonly hwm: number;
}

const KB = 1024;

export const readMemory = (pid: number): ProcMemory | undefined => {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const field = (name: string): number => Number(/^(\w+):\s+(\d+) kB$/m.exec(status.split('\n').find((l) => l.startsWith(`${name}:`)) ?? '')?.[2] ?? NaN) * KB;
    return { rss: field('VmRSS'), hwm: field('VmHWM') };
  } catch {
    return undefined;
  }
};

/** Resets VmHWM to the current RSS (`echo 5 > /proc/<pid>/clear_refs`); false where the kernel refuses. */
export const resetPeak = (pid: number): boolean => {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
};

/** Samples RSS on a timer as a second opinion on VmHWM (and the only one where clear_refs is refused). */
export const sampleRss = (pid: number, intervalMs = 10) => {
  let max = readMemory(pid)?.rss ?? 0;
  const timer = setInterval(() => {
    const rss = readMemory(pid)?.rss;
    if (rss !== undefined && rss > max) max = rss;
  }, intervalMs);
  return {
    stop: (): number => {
      clearInterval(timer);
      return max;
    },
  };
};
