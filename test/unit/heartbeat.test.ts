import { afterEach, describe, expect, it, vi } from 'vitest';
import { HEARTBEAT, HUNG_UP, heartbeatReader, withHeartbeat } from '../../layers/core/sse/heartbeat.ts';

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

describe('heartbeatReader', () => {
  afterEach(() => vi.useRealTimers());

  /** A source that answers only when told to. */
  const manual = () => {
    let release: ((value: string) => void) | undefined;
    let closed = false;
    const source = (async function* () {
      try {
        while (true) yield await new Promise<string>((resolve) => (release = resolve));
      } finally {
        closed = true;
      }
    })();
    return { source, say: (value: string) => release?.(value), closed: () => closed };
  };

  it('ends a wait on a silent source at once when the client hangs up, and says so from then on', async () => {
    const { source } = manual();
    const hangUp = new AbortController();
    const reader = heartbeatReader(source, 60_000, hangUp.signal);
    const waiting = reader.next();
    hangUp.abort();
    expect(await waiting).toBe(HUNG_UP);
    expect(await reader.next()).toBe(HUNG_UP);
  });

  it('keeps the read a heartbeat interrupted: its value is the next answer', async () => {
    vi.useFakeTimers();
    const { source, say } = manual();
    const reader = heartbeatReader(source, 25);
    const first = reader.next();
    await vi.advanceTimersByTimeAsync(25);
    expect(await first).toBe(HEARTBEAT);
    say('late');
    await vi.advanceTimersByTimeAsync(0);
    expect(await reader.next()).toEqual({ value: 'late', done: false });
  });

  it('rejects the wait with the error of a source that fails', async () => {
    const reader = heartbeatReader(
      (async function* () {
        yield 'a';
        throw new Error('provider lost');
      })(),
      60_000,
    );
    expect(await reader.next()).toEqual({ value: 'a', done: false });
    await expect(reader.next()).rejects.toThrow('provider lost');
    await reader.return();
  });

  it('once returned, fires no heartbeat and closes its source', async () => {
    vi.useFakeTimers();
    const { source, say, closed } = manual();
    const reader = heartbeatReader(source, 25);
    const waiting = reader.next();
    await vi.advanceTimersByTimeAsync(0);
    say('a');
    expect(await waiting).toEqual({ value: 'a', done: false });
    const pending = reader.next();
    const closing = reader.return();
    expect(await pending).toBe(HUNG_UP);
    say('b');
    await closing;
    expect(closed()).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
  });
});
