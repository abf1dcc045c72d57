/**
 * `streamedBody`: a streamed answer's body. Each frame leaves as a chunk of its own, as soon as the producer gives it
 * (a client reads each provider chunk as the provider sent it), nothing is lost when the producer
 * fails, a slow reader holds the producer back, and a reader that leaves stops the producer through its signal.
 */
import { setImmediate as turn } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { streamedBody } from '../../layers/core/sse/body.ts';

/** Every chunk the body gives, as it gives them. */
const chunksOf = async (body: AsyncIterable<Buffer | string>): Promise<string[]> => {
  const chunks: string[] = [];
  for await (const chunk of body) chunks.push(String(chunk));
  return chunks;
};

describe('a streamed body', () => {
  it('sends each frame as a chunk of its own, in order, even when the producer had several ready together', async () => {
    const body = streamedBody(async function* () {
      yield 'data: a\n\n';
      yield 'data: b\n\n';
      await turn();
      yield 'data: c\n\n';
      await turn();
      yield 'data: d\n\n';
      yield 'data: [DONE]\n\n';
    });
    // 'data' events, as a pipe to the response reads them (an async iterator's read() joins what is buffered).
    const chunks: string[] = [];
    body.on('data', (chunk) => chunks.push(String(chunk)));
    await new Promise((resolve) => body.once('end', resolve));
    expect(chunks).toEqual(['data: a\n\n', 'data: b\n\n', 'data: c\n\n', 'data: d\n\n', 'data: [DONE]\n\n']);
  });

  it('still sends what the producer gave before it failed, then fails', async () => {
    const body = streamedBody(async function* () {
      yield 'data: a\n\n';
      yield 'data: b\n\n';
      throw new Error('provider lost');
    });
    const received: string[] = [];
    body.on('data', (chunk) => received.push(String(chunk)));
    const failure = await new Promise<Error>((resolve) => body.once('error', resolve));
    expect(failure.message).toBe('provider lost');
    expect(received.join('')).toBe('data: a\n\ndata: b\n\n');
  });

  it('reads no further ahead than its buffer while nobody reads it', async () => {
    let produced = 0;
    const frame = 'x'.repeat(1024);
    const body = streamedBody(async function* () {
      while (true) {
        produced += 1;
        yield frame;
      }
    });
    for (let i = 0; i < 20; i += 1) await turn();
    // The body's buffer (16 KiB) and one batch of the same size, not the endless producer.
    expect(produced * frame.length).toBeLessThanOrEqual(2 * body.readableHighWaterMark + 2 * frame.length);
    body.destroy();
  });

  it('stops a producer waiting on its provider when the reader leaves, and its finally runs', async () => {
    let finished = false;
    let aborted: unknown;
    const body = streamedBody(async function* (hangUp) {
      try {
        yield 'data: a\n\n';
        await new Promise<void>((resolve) => hangUp.addEventListener('abort', () => resolve(), { once: true }));
        aborted = hangUp.reason;
      } finally {
        finished = true;
      }
    });
    const first = await new Promise<string>((resolve) => body.once('data', (chunk) => resolve(String(chunk))));
    expect(first).toBe('data: a\n\n');
    body.destroy();
    await new Promise((resolve) => body.once('close', resolve));
    expect(finished).toBe(true);
    expect(aborted).toMatchObject({ name: 'AbortError' });
  });

  it('leaves a producer that has returned alone: its signal never aborts', async () => {
    let signal: AbortSignal | undefined;
    const body = streamedBody(async function* (hangUp) {
      signal = hangUp;
      yield 'data: [DONE]\n\n';
    });
    expect(await chunksOf(body)).toEqual(['data: [DONE]\n\n']);
    await new Promise((resolve) => (body.closed ? resolve(undefined) : body.once('close', resolve)));
    expect(signal?.aborted).toBe(false);
  });
});
