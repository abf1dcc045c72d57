import { createParser, type EventSourceMessage, type EventSourceParser } from 'eventsource-parser';

export type { EventSourceMessage };

/**
 * Stage one of every provider stream: bytes → SSE events. Survives delimiters (and UTF-8 sequences) split across
 * network chunks. One web-stream hop, not two: decoding and parsing happen in the same transform (what
 * TextDecoderStream piped into EventSourceParserStream did, without a queue and its promises between them for
 * every chunk of every stream).
 */
export const decodeSse = (body: ReadableStream<Uint8Array>): ReadableStream<EventSourceMessage> => {
  const decoder = new TextDecoder();
  let parser: EventSourceParser;
  return body.pipeThrough(
    new TransformStream<Uint8Array, EventSourceMessage>({
      start(controller) {
        parser = createParser({
          onEvent: (event) => controller.enqueue(event),
          // As EventSourceParserStream: a line past the parser's buffer limit ends the stream, other oddities are skipped.
          onError: (error) => {
            if (error.type === 'max-buffer-size-exceeded') controller.error(error);
          },
        });
      },
      transform(chunk) {
        parser.feed(decoder.decode(chunk, { stream: true }));
      },
      flush() {
        const rest = decoder.decode();
        if (rest) parser.feed(rest);
      },
    }),
  );
};

export type ParsedEvent<T> =
  | { readonly ok: true; readonly event: string | undefined; readonly value: T }
  | { readonly ok: false; readonly event: string | undefined; readonly raw: string; readonly error: Error };

/**
 * SSE events → parsed JSON. `[DONE]` ends the stream; a malformed chunk becomes a failed parse the provider
 * stage turns into an `error` part, instead of an exception that kills the pipe.
 */
export const parseJsonEvents = <T>(): TransformStream<EventSourceMessage, ParsedEvent<T>> =>
  new TransformStream({
    transform(message, controller) {
      const data = message.data;
      if (data === '[DONE]') return;
      if (data === '') return;
      try {
        controller.enqueue({ ok: true, event: message.event, value: JSON.parse(data) as T });
      } catch (error) {
        controller.enqueue({ ok: false, event: message.event, raw: data, error: error as Error });
      }
    },
  });

/** A provider's stage: parsed events → its parts, as a TransformStream's transformer would do it. */
export interface EventStage<T, O> {
  transform(event: ParsedEvent<T>, controller: TransformStreamDefaultController<O>): void;
  flush?(controller: TransformStreamDefaultController<O>): void;
}

const parseEvent = <T>(message: EventSourceMessage): ParsedEvent<T> | undefined => {
  const data = message.data;
  if (data === '[DONE]' || data === '') return undefined;
  try {
    return { ok: true, event: message.event, value: JSON.parse(data) as T };
  } catch (error) {
    return { ok: false, event: message.event, raw: data, error: error as Error };
  }
};

const STREAMING = { stream: true } as const;

/** How a consumer of `decodeJsonSse` wants the parts' ends handled, in the same hop rather than another generator around it. */
export interface DecodeOptions<O> {
  /** Parts handed out first, before the body is read (an adapter's warnings). */
  readonly leading?: readonly O[];
  /** Once it is aborted no further part goes out: parts parsed from the read that landed with the abort end the stream as a failure. */
  readonly signal?: AbortSignal;
  /** A failure (of the body, the stage, or the abort) ends the parts with this one instead of a throw. */
  readonly failed?: (error: unknown) => O;
}

/**
 * `decodeSse`, `parseJsonEvents` and a provider's stage (`stage`: what its TransformStream would run) without a
 * web-stream hop: bytes → the stage's parts, read straight off the body. Each TransformStream piped through costs
 * a queue and several promises per chunk, paid for every token of every stream, and so does each async generator
 * wrapped around this one: what an adapter would add around the parts (leading parts, the abort check, a failure
 * as a last part) is `options`. The stage sees exactly what it saw behind the hops; once it terminates (or errors)
 * the stream, the rest of the body is ignored and the body is cancelled (the upstream connection closes), as the
 * cancelled pipe did. Leaving the iteration early cancels it too. `body` is any async iterable of bytes: the chunks
 * of a Node stream (the default transport's answer, read without a web stream at all) or a web ReadableStream,
 * which is one in Node.
 */
export async function* decodeJsonSse<T, O>(body: AsyncIterable<Uint8Array>, stage: EventStage<T, O>, options: DecodeOptions<O> = {}): AsyncGenerator<O> {
  const { leading, signal, failed } = options;
  if (leading) yield* leading;
  const decoder = new TextDecoder();
  // What the stage enqueues is handed out after each network chunk, in order; terminating or erroring ends the
  // stream at that point, so events still in the chunk being fed go nowhere.
  const run = stageRun<O>();
  const { controller } = run;
  const parser = createParser({
    onEvent: (message) => {
      if (run.over) return;
      const event = parseEvent<T>(message);
      if (event) stage.transform(event, controller);
    },
    onError: (error) => {
      if (error.type === 'max-buffer-size-exceeded') controller.error(error);
    },
  });
  /** The parts ready so far, handed out by a loop rather than a generator per network chunk. */
  const take = (): O[] => {
    const parts = run.parts;
    run.parts = [];
    return parts;
  };
  try {
    // for await … of calls the body's `return` when left early (a return, a throw, the consumer's own return): a
    // web stream is cancelled, a Node stream destroyed.
    for await (const chunk of body) {
      parser.feed(decoder.decode(chunk, STREAMING));
      for (const part of take()) {
        if (signal?.aborted) throw signal.reason;
        yield part;
      }
      if (run.failure) throw run.failure.reason;
      if (run.over) return;
    }
    const rest = decoder.decode();
    if (rest) parser.feed(rest);
    if (!run.over) stage.flush?.(controller);
    for (const part of take()) {
      if (signal?.aborted) throw signal.reason;
      yield part;
    }
    if (run.failure) throw run.failure.reason;
  } catch (error) {
    if (!failed) throw error;
    yield failed(error);
  }
}

/**
 * A provider's stage run over events already parsed (a complete answer read as one event), as its TransformStream
 * would run them and without one: the parts it enqueues, in order, up to a `terminate`; an `error` (or a throw) fails
 * the whole run. For non-streamed answers read through the same stage as streamed ones.
 */
export const runEventStage = <T, O>(events: Iterable<ParsedEvent<T>>, stage: EventStage<T, O>): O[] => {
  const run = stageRun<O>();
  for (const event of events) {
    if (run.over) break;
    stage.transform(event, run.controller);
  }
  if (!run.over) stage.flush?.(run.controller);
  if (run.failure) throw run.failure.reason;
  return run.parts;
};

/**
 * A stage's run without a TransformStream: the controller it is handed collects what it enqueues into `parts`
 * until it terminates (`over`) or errors (`over`, and `failure` keeps the reason).
 */
interface StageRun<O> {
  parts: O[];
  over: boolean;
  failure: { reason: unknown } | undefined;
  readonly controller: TransformStreamDefaultController<O>;
}

const stageRun = <O>(): StageRun<O> => {
  const run: StageRun<O> = {
    parts: [],
    over: false,
    failure: undefined,
    controller: {
      desiredSize: 1,
      enqueue: (part) => {
        if (!run.over) run.parts.push(part);
      },
      error: (reason) => {
        if (run.over) return;
        run.over = true;
        run.failure = { reason };
      },
      terminate: () => {
        run.over = true;
      },
    },
  };
  return run;
};
