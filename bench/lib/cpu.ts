/**
 * CPU time alongside wall time. On a shared machine wall-clock percentiles include time spent waiting for a
 * core; the CPU time an operation burns moves much less with load: a rough estimate of what it takes on an idle core.
 * The kernel accounts thread CPU time in uneven steps (often milliseconds), so it is only meaningful summed
 * over many operations: these helpers give a mean per operation, never a percentile.
 */

/** This thread's CPU time (user + system), in ms. */
export const threadCpuMs = (): number => {
  const usage = process.threadCpuUsage();
  return (usage.user + usage.system) / 1000;
};

/** Runs `op` `count` times back to back; mean CPU ms per call. */
export const meanCpuMs = async (count: number, op: (i: number) => unknown): Promise<number> => {
  const start = threadCpuMs();
  for (let i = 0; i < count; i += 1) await op(i);
  return (threadCpuMs() - start) / Math.max(1, count);
};
