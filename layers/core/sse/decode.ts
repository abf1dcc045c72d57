import { EventSourceParserStream, type EventSourceMessage } from 'eventsource-parser/stream';

export type { EventSourceMessage };

/** Stage one of every provider stream: bytes → SSE events. Survives delimiters split across network chunks. */
export const decodeSse = (body: ReadableStream<Uint8Array>): ReadableStream<EventSourceMessage> =>
  body.pipeThrough(new TextDecoderStream()).pipeThrough(new EventSourceParserStream());

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
