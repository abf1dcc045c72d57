import { Readable } from 'node:stream';

/**
 * A streamed response body whose producer learns at once that nobody is reading any more.
 *
 * `Readable.from(generator)` only asks the generator to return at its next `yield`: a producer waiting on a
 * silent provider would keep its hold and its upstream connection until the provider or the next heartbeat
 * spoke (15 s). Here the body's destruction (a failed write in Lambda, the socket closing locally) aborts
 * `hangUp`, which the producer races against every wait, and `clientGone` (the runtime's own notice, when it
 * has one) does the same before any byte was asked for. The producer starts at once, so its `finally` always
 * runs — a generator returned before its first step would skip it, and with it the settlement of the hold.
 */
export const streamedBody = (produce: (hangUp: AbortSignal) => AsyncGenerator<string>, clientGone?: AbortSignal): Readable => {
  const hangUp = new AbortController();
  const abort = () => hangUp.abort(new DOMException('The client hung up.', 'AbortError'));
  const iterator = produce(hangUp.signal);
  let pending: Promise<IteratorResult<string>> | undefined = iterator.next();
  const body = new Readable({
    read() {
      const next = pending ?? iterator.next();
      pending = undefined;
      next.then(
        ({ value, done }) => {
          if (!this.destroyed) this.push(done ? null : value);
        },
        (error: unknown) => this.destroy(error as Error),
      );
    },
    destroy(error, callback) {
      clientGone?.removeEventListener('abort', gone);
      abort();
      // A step still unread finishes first (the abort makes it quick); the generator then returns through its
      // `finally`. A step already handed to `read` is awaited by `return` itself.
      const unread = pending ?? Promise.resolve();
      pending = undefined;
      unread.then(() => iterator.return(undefined)).then(
        () => callback(error),
        (failure: unknown) => callback((failure as Error) ?? error),
      );
    },
  });
  // Nobody may ever read a body whose client left before it was piped: destroying it is what ends the call.
  const gone = () => body.destroy();
  if (clientGone?.aborted) gone();
  else clientGone?.addEventListener('abort', gone, { once: true });
  return body;
};

/** Resolves when `signal` aborts: raced against a wait, it ends the wait at a hang-up. */
export const abortedBy = (signal: AbortSignal): Promise<typeof ABORTED> =>
  new Promise((resolve) => {
    if (signal.aborted) resolve(ABORTED);
    else signal.addEventListener('abort', () => resolve(ABORTED), { once: true });
  });

export const ABORTED = Symbol('aborted');
