/**
 * The consumer's view of a provider stream: warnings first, then the provider stage's parts. A body that
 * fails mid-read (connection lost) ends in an `error` part and an `error` finish instead of a throw, and a
 * consumer that stops early cancels the body, which aborts the upstream request.
 */
import { UPSTREAM_CODES } from '../http/upstream-error.ts';
import type { StreamPart } from '../types.ts';
import { cleanupFailed } from '../../core/observability/index.ts';

export async function* readParts(warnings: readonly string[], parts: AsyncIterable<StreamPart>, signal: AbortSignal): AsyncGenerator<StreamPart> {
  for (const message of warnings) yield { type: 'warning', message };
  const reader = parts[Symbol.asyncIterator]();
  // The body ended or failed by itself: nothing is left to cancel.
  let settled = false;
  try {
    for (;;) {
      let next: IteratorResult<StreamPart>;
      try {
        next = await reader.next();
      } catch {
        settled = true;
        break;
      }
      if (next.done) {
        settled = true;
        return;
      }
      // Parts parsed from the read that landed with the abort are no longer the caller's: it asked to stop.
      if (signal.aborted) break;
      yield next.value;
    }
    yield {
      type: 'error',
      error: signal.aborted
        ? { code: UPSTREAM_CODES.aborted, message: 'The request was aborted.' }
        : { code: UPSTREAM_CODES.connectionLost, message: 'The connection to the provider was lost mid-stream.' },
    };
    yield { type: 'finish', finishReason: { unified: 'error' } };
  } finally {
    // Ending the iteration early cancels the body (decodeJsonSse's for-await over it), which aborts the upstream request.
    if (!settled) await reader.return?.()?.catch(cleanupFailed('cancelling the provider stream'));
  }
}
