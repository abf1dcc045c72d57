import { afterEach, describe, expect, it, vi } from 'vitest';
import { HEARTBEAT, withHeartbeat } from '../../layers/core/sse/heartbeat.ts';

async function* slow(values: string[], gapMs: number) {
  for (const v of values) {
    await new Promise((r) => setTimeout(r, gapMs));
    yield v;
  }
}

describe('withHeartbeat', () => {
  afterEach(() => vi.useRealTimers());

  it('interleaves heartbeats while the source is silent, keeping every value in order', async () => {
    // On a fake clock: values 60 ms apart, a heartbeat after each 25 ms of silence, counted from the last frame.
    vi.useFakeTimers();
    const out: (string | typeof HEARTBEAT)[] = [];
    const read = (async () => {
      for await (const v of withHeartbeat(slow(['a', 'b'], 60), 25)) out.push(v);
    })();
    await vi.advanceTimersByTimeAsync(200);
    await read;
    expect(out).toEqual([HEARTBEAT, HEARTBEAT, 'a', HEARTBEAT, HEARTBEAT, 'b']);
  });

  it('adds nothing to a source that is never silent', async () => {
    const out: (string | typeof HEARTBEAT)[] = [];
    for await (const v of withHeartbeat((async function* () { yield* ['a', 'b', 'c']; })(), 10_000)) out.push(v);
    expect(out).toEqual(['a', 'b', 'c']);
  });

  it('closes the source when the consumer stops early', async () => {
    let closed = false;
    const source = (async function* () {
      try {
        yield 'a';
        yield 'b';
      } finally {
        closed = true;
      }
    })();
    for await (const v of withHeartbeat(source, 1000)) if (v === 'a') break;
    expect(closed).toBe(true);
  });
});
