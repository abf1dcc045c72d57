import { describe, expect, it } from 'vitest';
import { HEARTBEAT, withHeartbeat } from '../layers/core/sse/heartbeat.ts';

async function* slow(values: string[], gapMs: number) {
  for (const v of values) {
    await new Promise((r) => setTimeout(r, gapMs));
    yield v;
  }
}

describe('withHeartbeat', () => {
  it('interleaves heartbeats while the source is silent, keeping every value in order', async () => {
    const out: (string | typeof HEARTBEAT)[] = [];
    for await (const v of withHeartbeat(slow(['a', 'b'], 60), 10)) out.push(v);
    expect(out.filter((v) => v !== HEARTBEAT)).toEqual(['a', 'b']);
    expect(out.filter((v) => v === HEARTBEAT).length).toBeGreaterThan(0);
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
