/**
 * Stage two of a streamed transcription (stage one is `decodeSse` + `parseJsonEvents`): OpenAI's
 * `transcript.text.delta` {delta} and `transcript.text.done` {text, usage} → canonical transcript events. The
 * done event's duration is read as the unstreamed answer's is (`toTranscriptionResult`). A malformed event, an
 * in-band `error`, or a stream that ends without `done` errors the stream with a typed upstream error.
 */
import * as z from 'zod';
import { UpstreamError } from '../../../core/errors.ts';
import type { ParsedEvent } from '../../../core/sse/decode.ts';
import { UPSTREAM_CODES } from '../../http/upstream-error.ts';
import type { ErrorContext } from '../../openai-compatible/error-parsing.ts';
import type { TranscriptionRequest, TranscriptStreamEvent } from '../../media-types.ts';
import { wellFormedEvent } from './well-formed-event.ts';
import { toTranscriptionResult } from './transcribe.ts';
import { transcriptionResponseSchema } from './wire.ts';

const deltaSchema = z.looseObject({ type: z.literal('transcript.text.delta'), delta: z.string() });

const malformed = (): UpstreamError => new UpstreamError(502, UPSTREAM_CODES.malformedChunk, 'The provider sent a malformed transcript stream event.');

export const createTranscriptStreamStage = (request: TranscriptionRequest, context: ErrorContext): TransformStream<ParsedEvent<unknown>, TranscriptStreamEvent> => {
  let done = false;
  return new TransformStream({
    transform(received, controller) {
      const event = wellFormedEvent(received, context, malformed);
      const type = (event.value as { type?: unknown }).type;
      if (type === 'transcript.text.delta') {
        const wire = deltaSchema.safeParse(event.value);
        if (!wire.success) return controller.error(malformed());
        if (!done) controller.enqueue({ type: 'delta', text: wire.data.delta });
      } else if (type === 'transcript.text.done') {
        const wire = transcriptionResponseSchema.safeParse(event.value);
        if (!wire.success) return controller.error(malformed());
        if (!done) controller.enqueue({ type: 'done', result: toTranscriptionResult(wire.data, request) });
        done = true;
      }
      // Any other event (a future one) carries nothing the gateway serves.
    },
    flush(controller) {
      if (!done) controller.error(new UpstreamError(502, UPSTREAM_CODES.truncated, 'The provider ended the transcript stream before it was done.'));
    },
  });
};
