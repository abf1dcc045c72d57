/**
 * What the media stream stages (images, transcripts) check first on every provider event: an event that is not a
 * JSON object is malformed, and one that carries an in-band `error` ends the stream with the provider's error.
 */
import { UpstreamError } from '../../../core/errors.ts';
import type { ParsedEvent } from '../../../core/sse/decode.ts';
import { streamErrorFromBody, type ErrorContext } from '../../openai-compatible/error-parsing.ts';

export type WellFormedEvent = ParsedEvent<unknown> & { readonly ok: true; readonly value: object };

/** The event, when it is one to map; else throws the typed error it ends the stream with (a throwing transform errors its stream). */
export const wellFormedEvent = (event: ParsedEvent<unknown>, context: ErrorContext, malformed: () => UpstreamError): WellFormedEvent => {
  if (!event.ok || typeof event.value !== 'object' || event.value === null) throw malformed();
  if (event.event === 'error' || 'error' in event.value) {
    const error = streamErrorFromBody(event.value, context);
    throw new UpstreamError(error.status ?? 502, error.code, error.message);
  }
  return event as WellFormedEvent;
};
