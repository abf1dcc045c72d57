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

/** Clock ticks per second for /proc/<pid>/stat times (USER_HZ, 100 on Linux). */
const USER_HZ = 100;

/** CPU time (user + system) another process has used so far, in ms; 10 ms resolution. */
export const readCpuMs = (pid: number): number | undefined => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesised command name, which may itself contain spaces.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / USER_HZ;
  } catch {
    return undefined;
  }
};

/** CPU ms per operation a set of processes spent over `run` (which reports how many operations it did). */
export const cpuPerOperation = async <K extends string>(pids: Readonly<Record<K, number>>, run: () => Promise<Readonly<Record<K, number>>>) => {
  const before = Object.fromEntries(Object.entries<number>(pids).map(([k, pid]) => [k, readCpuMs(pid)]));
  const counts = await run();
  return Object.fromEntries(
    Object.entries<number>(pids).map(([k, pid]) => {
      const start = before[k];
      const end = readCpuMs(pid);
      const n = counts[k as K];
      return [k, start === undefined || end === undefined || !n ? undefined : (end - start) / n];
    }),
  ) as Record<K, number | undefined>;
};
