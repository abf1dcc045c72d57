/**
 * Veo video jobs on Vertex (@google/genai 3.6 refuses `generateVideos` on the Gemini API): `:predictLongRunning`
 * starts a long-running operation with one instance (the prompt, optionally a first frame) and the parameters; the
 * finished operation holds the video inline (or as a Cloud Storage URI).
 * https://cloud.google.com/vertex-ai/generative-ai/docs/model-reference/veo-video-generation
 */
// A namespace import lets esbuild drop what is unused (zod's locales above all).
import * as z from 'zod';
import { encodeBase64 } from '../../http/media-call.ts';
import { sanitizeUpstreamMessage } from '../../http/sanitize.ts';
import type { VideoJobState, VideoRequest } from '../../media-types.ts';

export interface VeoRequest {
  readonly instances: readonly [{ readonly prompt: string; readonly image?: { readonly bytesBase64Encoded: string; readonly mimeType: string } }];
  readonly parameters: { readonly aspectRatio?: string; readonly durationSeconds: number; readonly resolution?: string; readonly sampleCount?: number };
}

export const buildVeoRequest = (request: VideoRequest, options: { readonly sampleCount?: boolean } = {}): VeoRequest => ({
  instances: [
    {
      prompt: request.prompt,
      ...(request.image ? { image: { bytesBase64Encoded: encodeBase64(request.image.data), mimeType: request.image.mediaType } } : {}),
    },
  ],
  parameters: {
    durationSeconds: request.durationSeconds,
    ...(request.aspectRatio ? { aspectRatio: request.aspectRatio } : {}),
    // Veo 2 renders 720p only and takes no resolution.
    ...(/^veo-2/.test(request.model) ? {} : { resolution: request.resolution }),
    ...(options.sampleCount ? { sampleCount: 1 } : {}),
  },
});

const operationError = z.looseObject({ code: z.number().optional(), message: z.string().optional() });

export const startedOperationSchema = z.looseObject({ name: z.string().min(1) });

/** Vertex's `fetchPredictOperation` answer: `response.videos[]` with inline bytes or a `gcsUri`. */
export const vertexVideoOperationSchema = z.looseObject({
  name: z.string().optional(),
  done: z.boolean().optional(),
  error: operationError.optional(),
  response: z
    .looseObject({
      videos: z.array(z.looseObject({ bytesBase64Encoded: z.string().optional(), gcsUri: z.string().optional(), mimeType: z.string().optional() })).optional(),
      raiMediaFilteredCount: z.number().optional(),
      raiMediaFilteredReasons: z.array(z.string()).optional(),
    })
    .optional(),
});

const GRPC_CODES: Readonly<Record<number, string>> = { 3: 'invalid_argument', 8: 'resource_exhausted', 13: 'internal', 14: 'unavailable', 4: 'deadline_exceeded' };

/** A finished operation that failed, or finished without a video because Responsible AI filtered it. */
export const failedVeoState = (
  error: z.infer<typeof operationError> | undefined,
  filtered: number | undefined,
  reasons: readonly string[] | undefined,
): VideoJobState | undefined => {
  if (error) {
    return { status: 'failed', error: { code: GRPC_CODES[error.code ?? -1] ?? 'video_generation_failed', message: sanitizeUpstreamMessage(error.message ?? 'The provider could not generate the video.') } };
  }
  if (filtered !== undefined && filtered > 0) {
    return { status: 'failed', error: { code: 'content_filter', message: sanitizeUpstreamMessage(reasons?.join(' ') || 'The video was blocked by the provider\'s content filter.', { contentFilter: true }) } };
  }
  return undefined;
};
