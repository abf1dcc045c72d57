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
