export const HEARTBEAT = Symbol('heartbeat');

/** What a heartbeat reader's wait ended with when its hang-up signal aborted. */
export const HUNG_UP = Symbol('hung up');

/** One wait of a heartbeat reader: the source's next result, a heartbeat, or the hang-up. */
export type HeartbeatRead<T> = IteratorResult<T> | typeof HEARTBEAT | typeof HUNG_UP;

export interface HeartbeatReader<T> {
  /**
   * The source's next result, or HEARTBEAT once it has been silent for the interval (its read stays pending, and
   * the next call waits on it again), or HUNG_UP as soon as the hang-up signal aborts. A source that fails
   * rejects it.
   */
  next(): Promise<HeartbeatRead<T>>;
  /** Stops the heartbeats, ends a wait in progress (HUNG_UP) and closes the source. */
  return(): Promise<void>;
}

type Outcome<T> = { readonly ok: true; readonly value: IteratorResult<T> } | { readonly ok: false; readonly error: unknown };

/**
 * Reads `source` with a HEARTBEAT whenever it has been silent for `intervalMs`, without ever dropping or
 * reordering its values: the pending read is kept across heartbeats. Edge-optimized API Gateway endpoints drop
 * streams that are idle for 30 s, and a reasoning model can think longer than that.
 *
 * A hand-written reader rather than an async generator racing promises: a stream's every part passes through
 * here, and this costs one promise and one timer refresh per part, where a generator with `Promise.race` against
 * a fresh heartbeat promise (and another race against the hang-up) cost several of each.
 */
export const heartbeatReader = <T>(source: AsyncIterable<T>, intervalMs: number, hangUp?: AbortSignal): HeartbeatReader<T> => {
  const iterator = source[Symbol.asyncIterator]();
  /** A read is in flight. */
  let reading = false;
  /** A read that finished while nobody waited (the wait it began for ended with a heartbeat or the hang-up). */
  let ready: Outcome<T> | undefined;
  let waiter: { resolve(value: HeartbeatRead<T>): void; reject(error: unknown): void } | undefined;
  let timer: NodeJS.Timeout | undefined;
  let closed = false;

  const answer = (value: HeartbeatRead<T>): void => {
    const current = waiter;
    waiter = undefined;
    current?.resolve(value);
  };
  const beat = (): void => answer(HEARTBEAT);
  const hungUp = (): void => answer(HUNG_UP);
  hangUp?.addEventListener('abort', hungUp, { once: true });

  // The read's handlers are made once per reader, not once per part.
  const fulfilled = (value: IteratorResult<T>): void => {
    reading = false;
    const current = waiter;
    waiter = undefined;
    if (current) current.resolve(value);
    else ready = { ok: true, value };
  };
  const rejected = (error: unknown): void => {
    reading = false;
    const current = waiter;
    waiter = undefined;
    if (current) current.reject(error);
    else ready = { ok: false, error };
  };
  const read = (): void => {
    reading = true;
    iterator.next().then(fulfilled, rejected);
  };

  return {
    next: () => {
      if (hangUp?.aborted) return Promise.resolve(HUNG_UP);
      const outcome = ready;
      if (outcome) {
        ready = undefined;
        return outcome.ok ? Promise.resolve(outcome.value) : Promise.reject(outcome.error);
      }
      if (!reading) read();
      return new Promise<HeartbeatRead<T>>((resolve, reject) => {
        waiter = { resolve, reject };
        timer = timer ? timer.refresh() : setTimeout(beat, intervalMs);
      });
    },
    return: async () => {
      if (closed) return;
      closed = true;
      clearTimeout(timer);
      hangUp?.removeEventListener('abort', hungUp);
      answer(HUNG_UP);
      // An async generator source runs it after its pending step.
      await iterator.return?.();
    },
  };
};

/** `heartbeatReader` as an async iterable, for a consumer with nothing else to wait on. */
export async function* withHeartbeat<T>(source: AsyncIterable<T>, intervalMs: number): AsyncGenerator<T | typeof HEARTBEAT> {
  const reader = heartbeatReader(source, intervalMs);
  try {
    while (true) {
      const next = await reader.next();
      if (next === HEARTBEAT) {
        yield HEARTBEAT;
        continue;
      }
      if (next === HUNG_UP || next.done) return;
      yield next.value;
    }
  } finally {
    await reader.return();
  }
}
