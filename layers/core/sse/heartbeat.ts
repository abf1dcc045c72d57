export const HEARTBEAT = Symbol('heartbeat');

/**
 * Interleaves a HEARTBEAT whenever the source has been silent for `intervalMs`, without ever dropping or
 * reordering its values: the pending read is kept across heartbeats. Edge-optimized API Gateway endpoints
 * drop streams that are idle for 30 s, and a reasoning model can think longer than that.
 */
export async function* withHeartbeat<T>(source: AsyncIterable<T>, intervalMs: number): AsyncGenerator<T | typeof HEARTBEAT> {
  const iterator = source[Symbol.asyncIterator]();
  let pending = iterator.next();
  let timer: NodeJS.Timeout | undefined;
  let fire: (() => void) | undefined;
  const tick = () => fire?.();
  try {
    while (true) {
      const beat = new Promise<typeof HEARTBEAT>((resolve) => (fire = () => resolve(HEARTBEAT)));
      timer = timer ? timer.refresh() : setTimeout(tick, intervalMs);
      const next = await Promise.race([pending, beat]);
      if (next === HEARTBEAT) {
        yield HEARTBEAT;
        continue;
      }
      if (next.done) return;
      yield next.value;
      pending = iterator.next();
    }
  } finally {
    clearTimeout(timer);
    await iterator.return?.();
  }
}
