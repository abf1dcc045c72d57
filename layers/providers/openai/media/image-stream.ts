/**
 * Stage two of a streamed image call (stage one is `decodeSse` + `parseJsonEvents`): OpenAI's image events →
 * canonical `ImageStreamEvent`s with the images as bytes. Both endpoints stream the same way, only the event
 * names differ (`image_generation.*`, `image_edit.*`). A malformed event, an in-band `error`, or a stream that
 * ends without a finished image errors the stream with a typed upstream error, which cancels the provider body.
 */
import type * as z from 'zod';
import { UpstreamError } from '../../../core/errors.ts';
import { sniffMedia } from '../../../core/media/formats/sniff.ts';
import type { ParsedEvent } from '../../../core/sse/decode.ts';
import { UPSTREAM_CODES } from '../../http/upstream-error.ts';
import type { ErrorContext } from '../../openai-compatible/error-parsing.ts';
import type { ImageDetails, ImageStreamEvent, MediaFile } from '../../media-types.ts';
import { wellFormedEvent } from './well-formed-event.ts';
import { completedImageEventSchema, partialImageEventSchema } from './wire.ts';

const FORMAT_TYPES: Readonly<Record<string, string>> = { png: 'image/png', jpeg: 'image/jpeg', webp: 'image/webp' };

const imageOf = (b64: string, outputFormat: string | null | undefined): MediaFile => {
  const data = Buffer.from(b64, 'base64');
  // The bytes say what they are; the declared format is the fallback.
  return { data, mediaType: sniffMedia(data)?.mediaType ?? FORMAT_TYPES[outputFormat ?? ''] ?? 'image/png' };
};

const detailsOf = (wire: { size?: string | null; quality?: string | null; background?: string | null; output_format?: string | null }): ImageDetails => ({
  ...(wire.size ? { size: wire.size } : {}),
  ...(wire.quality ? { quality: wire.quality } : {}),
  ...(wire.background ? { background: wire.background } : {}),
  ...(wire.output_format ? { outputFormat: wire.output_format } : {}),
});

const usageOf = (usage: z.infer<typeof completedImageEventSchema>['usage']) =>
  usage
    ? {
        usage: {
          inputTokens: usage.input_tokens,
          outputTokens: usage.output_tokens,
          totalTokens: usage.total_tokens,
          ...(usage.input_tokens_details?.text_tokens !== undefined ? { textTokens: usage.input_tokens_details.text_tokens } : {}),
          ...(usage.input_tokens_details?.image_tokens !== undefined ? { imageTokens: usage.input_tokens_details.image_tokens } : {}),
        },
      }
    : {};

const malformed = (): UpstreamError => new UpstreamError(502, UPSTREAM_CODES.malformedChunk, 'The provider sent a malformed image stream event.');

const typeOf = (event: ParsedEvent<unknown> & { ok: true }): string => {
  const value = event.value as { type?: unknown };
  return typeof value.type === 'string' ? value.type : (event.event ?? '');
};

export const createImageStreamStage = (context: ErrorContext): TransformStream<ParsedEvent<unknown>, ImageStreamEvent> => {
  let completed = 0;
  return new TransformStream({
    transform(received, controller) {
      const event = wellFormedEvent(received, context, malformed);
      const type = typeOf(event);
      if (type.endsWith('.partial_image')) {
        const wire = partialImageEventSchema.safeParse(event.value);
        if (!wire.success) return controller.error(malformed());
        controller.enqueue({ type: 'partial', index: wire.data.partial_image_index, image: imageOf(wire.data.b64_json, wire.data.output_format), details: detailsOf(wire.data) });
      } else if (type.endsWith('.completed')) {
        const wire = completedImageEventSchema.safeParse(event.value);
        if (!wire.success) return controller.error(malformed());
        completed += 1;
        controller.enqueue({
          type: 'completed',
          image: imageOf(wire.data.b64_json, wire.data.output_format),
          details: detailsOf(wire.data),
          ...(wire.data.revised_prompt ? { revisedPrompt: wire.data.revised_prompt } : {}),
          ...usageOf(wire.data.usage),
        });
      }
      // Any other event (a future progress event) carries nothing the gateway serves.
    },
    flush(controller) {
      if (completed === 0) controller.error(new UpstreamError(502, UPSTREAM_CODES.truncated, 'The provider ended the image stream before finishing an image.'));
    },
  });
};
