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
 *
 * The producer is read on until it waits (or what it gave fills the body's buffer), and what it gave is pushed
 * before the event loop moves on (a `nextTick`, after the promise jobs that produced it): no frame waits for a
 * later one. Each frame stays a chunk of its own, so a client reads each provider chunk as the provider sent it
 * even when several came in one network read: joined into one write, they reached the client as one read (the
 * gateway bench's coalesced-reads target, 4 of 800 reads, when the gateway had fallen behind its provider).
 */
export const streamedBody = (produce: (hangUp: AbortSignal) => AsyncGenerator<string>, clientGone?: AbortSignal): Readable => {
  const hangUp = new AbortController();
  const iterator = produce(hangUp.signal);
  /** The producer's step in flight: one at a time. */
  let step: Promise<IteratorResult<string>> | undefined;
  /** Frames read since the last push, and their length. */
  let batch: string[] = [];
  let batchLength = 0;
  let delivering = false;
  /** The producer returned: nothing of it is left to stop. */
  let finished = false;
  /** The reader asked for more and was not told to wait since. */
  let wanted = true;
  // The step's handlers are made once per body, not once per frame.
  const stepped = ({ value, done }: IteratorResult<string>): void => {
    step = undefined;
    if (body.destroyed) return;
    if (done) finished = true;
    else {
      batch.push(value);
      batchLength += value.length;
    }
    if (!delivering) {
      delivering = true;
      process.nextTick(deliver);
    }
    // Read on while the reader wants more and the batch is under the body's buffer size.
    if (!done && wanted && batchLength < body.readableHighWaterMark) advance();
  };
  const failed = (error: unknown): void => {
    step = undefined;
    // What the producer gave before it failed still goes out first, as it would have unbatched.
    deliver();
    body.destroy(error as Error);
  };
  const advance = (): void => {
    step = iterator.next();
    step.then(stepped, failed);
  };
  const deliver = (): void => {
    delivering = false;
    if (body.destroyed) return;
    const frames = batch;
    batch = [];
    batchLength = 0;
    for (const frame of frames) if (!body.push(frame)) wanted = false;
    if (finished) body.push(null);
  };
  const body = new Readable({
    read() {
      wanted = true;
      if (!step && !finished) advance();
    },
    destroy(error, callback) {
      clientGone?.removeEventListener('abort', gone);
      // A producer that returned has nothing left to stop (and an abort reason costs a DOMException).
      if (!finished) hangUp.abort(new DOMException('The client hung up.', 'AbortError'));
      batch = [];
      batchLength = 0;
      // A step still unread finishes first (the abort makes it quick); the generator then returns through its
      // `finally`.
      const unread = step ?? Promise.resolve();
      unread.then(() => iterator.return(undefined)).then(
        () => callback(error),
        (failure: unknown) => callback((failure as Error) ?? error),
      );
    },
  });
  advance();
  // Nobody may ever read a body whose client left before it was piped: destroying it is what ends the call.
  const gone = () => body.destroy();
  if (clientGone?.aborted) gone();
  else clientGone?.addEventListener('abort', gone, { once: true });
  return body;
};
