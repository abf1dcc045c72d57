/** Stage one of every provider stream: bytes → SSE events, whatever the network does to the bytes. */
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { decodeJsonSse, decodeSse, parseJsonEvents, runEventStage, type EventStage, type ParsedEvent } from '../../layers/core/sse/decode.ts';

const bodyOf = (...parts: Array<string | Uint8Array>): ReadableStream<Uint8Array> =>
  ReadableStream.from(parts.map((p) => (typeof p === 'string' ? new TextEncoder().encode(p) : p)));

const events = async (body: ReadableStream<Uint8Array>) => {
  const out: Array<{ event: string | undefined; data: string }> = [];
  for await (const e of decodeSse(body)) out.push({ event: e.event, data: e.data });
  return out;
};

describe('decodeSse', () => {
  it('reads events whose delimiters and fields are split across network chunks', async () => {
    expect(await events(bodyOf('data: {"a"', ':1}\n', '\nevent: done\nda', 'ta: [DONE]\n\n'))).toEqual([
      { event: undefined, data: '{"a":1}' },
      { event: 'done', data: '[DONE]' },
    ]);
  });

  it('keeps a UTF-8 character whose bytes arrive in two chunks', async () => {
    const bytes = new TextEncoder().encode('data: héllo 🙂\n\n');
    const cut = bytes.indexOf(0xf0) + 2; // inside the emoji's four bytes
    expect(await events(bodyOf(bytes.slice(0, 8), bytes.slice(8, cut), bytes.slice(cut)))).toEqual([{ event: undefined, data: 'héllo 🙂' }]);
  });

  it('handles CRLF line ends, comments and multi-line data', async () => {
    expect(await events(bodyOf(': keep-alive\r\n\r\ndata: one\r\ndata: two\r\n\r\n'))).toEqual([{ event: undefined, data: 'one\ntwo' }]);
  });

  it('drops an event the stream ended before its blank line, as an EventSource does', async () => {
    expect(await events(bodyOf('data: whole\n\n', 'data: cut off'))).toEqual([{ event: undefined, data: 'whole' }]);
  });
});

/** A stage that records what it saw and ends the stream at `stop` (as a provider stage does at a broken chunk). */
const recording = (stop?: string): EventStage<unknown, string> & { flushed: boolean } => {
  const stage = {
    flushed: false,
    transform(event: ParsedEvent<unknown>, controller: TransformStreamDefaultController<string>) {
      const seen = event.ok ? `${event.event ?? '-'}:${JSON.stringify(event.value)}` : `bad:${event.raw}`;
      controller.enqueue(seen);
      if (seen.includes(stop ?? '\u0000')) controller.terminate();
    },
    flush(controller: TransformStreamDefaultController<string>) {
      stage.flushed = true;
      controller.enqueue('end');
    },
  };
  return stage;
};

const collect = async <T>(stream: AsyncIterable<T>): Promise<T[]> => {
  const out: T[] = [];
  for await (const item of stream) out.push(item);
  return out;
};

describe('decodeJsonSse (decoding, JSON and a stage read straight off the body)', () => {
  const wire = ['data: {"a"', ':1}\n\nevent: note\ndata: "x"\n\ndata: {bro', 'ken\n\ndata:\n\ndata: [DONE]\n\n'];

  it('gives the stage exactly what decodeSse and parseJsonEvents gave it behind their hops', async () => {
    const viaHops = await collect(decodeSse(bodyOf(...wire)).pipeThrough(parseJsonEvents<unknown>()).pipeThrough(new TransformStream(recording())));
    const oneHop = await collect(decodeJsonSse(bodyOf(...wire), recording()));
    expect(oneHop).toEqual(viaHops);
    expect(oneHop).toEqual(['-:{"a":1}', 'note:"x"', 'bad:{broken', 'end']);
  });

  it('ignores the rest of the body once the stage terminates, even events of the same network chunk, and cancels it', async () => {
    let cancelled = false;
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('data: 1\n\ndata: 2\n\ndata: 3\n\n'));
      },
      cancel() {
        cancelled = true;
      },
    });
    const stage = recording('2');
    expect(await collect(decodeJsonSse(body, stage))).toEqual(['-:1', '-:2']);
    expect(stage.flushed).toBe(false);
    await expect.poll(() => cancelled).toBe(true);
  });

  it('fails the stream when a stage throws', async () => {
    const stage: EventStage<unknown, string> = {
      transform() {
        throw new Error('stage broke');
      },
    };
    await expect(collect(decodeJsonSse(bodyOf('data: 1\n\n'), stage))).rejects.toThrow('stage broke');
  });
});

describe('decodeJsonSse when the consumer stops or the body fails', () => {
  it('cancels the body when the consumer stops reading early', async () => {
    let cancelled = false;
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('data: 1\n\n'));
      },
      cancel() {
        cancelled = true;
      },
    });
    for await (const part of decodeJsonSse(body, recording())) {
      expect(part).toBe('-:1');
      break;
    }
    expect(cancelled).toBe(true);
  });

  it('fails when the body fails (a connection lost mid-stream)', async () => {
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('data: 1\n\n'));
        controller.error(new Error('connection reset'));
      },
    });
    await expect(
      (async () => {
        for await (const _ of decodeJsonSse(body, recording()));
      })(),
    ).rejects.toThrow('connection reset');
  });
});

describe('decodeJsonSse over a Node stream (the default transport hands its chunks without a web stream)', () => {
  const wire = ['data: {"a"', ':1}\n\nevent: note\ndata: "x"\n\ndata: {bro', 'ken\n\ndata:\n\ndata: [DONE]\n\n'];

  it('reads any async iterable of bytes as it reads a web stream', async () => {
    const node = Readable.from(wire.map((part) => Buffer.from(part)));
    expect(await collect(decodeJsonSse(node, recording()))).toEqual(await collect(decodeJsonSse(bodyOf(...wire), recording())));
  });

  it('destroys the Node stream (closing the provider connection) once the stage terminates or the consumer stops', async () => {
    const terminated = new Readable({ read() {} });
    terminated.push('data: 1\n\ndata: 2\n\ndata: 3\n\n');
    expect(await collect(decodeJsonSse(terminated, recording('2')))).toEqual(['-:1', '-:2']);
    expect(terminated.destroyed).toBe(true);

    const stopped = new Readable({ read() {} });
    stopped.push('data: 1\n\n');
    for await (const part of decodeJsonSse(stopped, recording())) {
      expect(part).toBe('-:1');
      break;
    }
    expect(stopped.destroyed).toBe(true);
  });

  it('fails when the Node stream fails', async () => {
    const body = new Readable({ read() {} });
    body.push('data: 1\n\n');
    setImmediate(() => body.destroy(new Error('socket hang up')));
    await expect(collect(decodeJsonSse(body, recording()))).rejects.toThrow('socket hang up');
  });
});

describe('runEventStage (a whole answer through a stream stage, without a TransformStream)', () => {
  const parsed = (...values: unknown[]): ParsedEvent<unknown>[] => values.map((value) => ({ ok: true, event: undefined, value }));

  it('gives what the stage as a TransformStream gave, flush included', async () => {
    const events = parsed(1, 'x');
    const viaStream = await collect(ReadableStream.from(events).pipeThrough(new TransformStream(recording())));
    expect(runEventStage(events, recording())).toEqual(viaStream);
    expect(runEventStage(events, recording())).toEqual(['-:1', '-:"x"', 'end']);
  });

  it('stops at a terminate (no flush) and fails when the stage errors or throws', () => {
    const stage = recording('1');
    expect(runEventStage(parsed(1, 2), stage)).toEqual(['-:1']);
    expect(stage.flushed).toBe(false);
    const erroring: EventStage<unknown, string> = { transform: (_, controller) => controller.error(new Error('bad answer')) };
    expect(() => runEventStage(parsed(1), erroring)).toThrow('bad answer');
    const throwing: EventStage<unknown, string> = {
      transform() {
        throw new Error('stage broke');
      },
    };
    expect(() => runEventStage(parsed(1), throwing)).toThrow('stage broke');
  });
});

describe('decodeJsonSse with its options (what an adapter adds around the parts, in the same hop)', () => {
  const failed = (error: unknown): string => `failed:${error instanceof Error ? error.message : String(error)}`;

  it('hands out the leading parts first, then the body’s', async () => {
    expect(await collect(decodeJsonSse(bodyOf('data: 1\n\n'), recording(), { leading: ['warning'] }))).toEqual(['warning', '-:1', 'end']);
  });

  it('ends with the failed part, instead of a throw, when the body fails', async () => {
    const body = new Readable({ read() {} });
    body.push('data: 1\n\n');
    setImmediate(() => body.destroy(new Error('socket hang up')));
    expect(await collect(decodeJsonSse(body, recording(), { failed }))).toEqual(['-:1', 'failed:socket hang up']);
  });

  it('ends with the failed part when the stage errors or throws', async () => {
    const erroring: EventStage<unknown, string> = {
      transform(_event, controller) {
        controller.enqueue('before');
        controller.error(new Error('stage said no'));
      },
    };
    expect(await collect(decodeJsonSse(bodyOf('data: 1\n\n'), erroring, { failed }))).toEqual(['before', 'failed:stage said no']);
    const throwing: EventStage<unknown, string> = {
      transform() {
        throw new Error('stage broke');
      },
    };
    expect(await collect(decodeJsonSse(bodyOf('data: 1\n\n'), throwing, { failed }))).toEqual(['failed:stage broke']);
  });

  it('hands out no part once the signal is aborted, not even those parsed from the read that came with the abort, and cancels the body', async () => {
    const abort = new AbortController();
    const body = new Readable({ read() {} });
    body.push('data: 1\n\n');
    const out: string[] = [];
    for await (const part of decodeJsonSse(body, recording(), { signal: abort.signal, failed: () => `aborted:${abort.signal.aborted}` })) {
      out.push(part);
      if (part === '-:1') {
        abort.abort();
        body.push('data: 2\n\n');
      }
    }
    expect(out).toEqual(['-:1', 'aborted:true']);
    expect(body.destroyed).toBe(true);
  });

  it('throws the abort reason when no failed part is given', async () => {
    const abort = new AbortController();
    abort.abort(new Error('caller left'));
    await expect(collect(decodeJsonSse(bodyOf('data: 1\n\n'), recording(), { signal: abort.signal }))).rejects.toThrow('caller left');
  });
});
