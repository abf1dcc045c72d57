/**
 * `POST /v1/responses` (and `/external/v1/responses`) for media: a body whose `modalities` names image, audio,
 * embedding or video (or that sends an `image_url` to a detection or classification model) is a media call,
 * answered as a Responses object whose output holds typed items (`image_generation_call`, `output_audio`,
 * `embedding`, `vision_result`, `video_generation_call`). See README.md in this folder.
 *
 * - Image, audio, embedding and vision calls answer once: paid and receipted by `servePaid` (hold,
 *   idempotency, provider call, charge what was served), then recorded. With `stream: true` the same answer
 *   comes as a Responses event stream, paid by `servePaidStream` (stream.ts).
 * - Video is an async job (video.ts): charged in full at submission through the video route's own path, the
 *   response stays `in_progress` until the job ends; `stream: true` streams the job's status (video-stream.ts).
 *
 * A record is written only once the charge is final, and a record that cannot be written never costs the
 * caller the answer it paid for (it is logged), as on the text path.
 */
import type { Context } from 'aws-lambda';
import type { Billing, Surface } from '../../billing/types.ts';
import type { Operation } from '../../http/handler.ts';
import { readJsonObject, type HttpRequest } from '../../http/request.ts';
import type { HttpResult } from '../../http/response.ts';
import { receiptedJsonAnswer } from '../../media/answer.ts';
import { servePaid, type PaidCall } from '../../media/paid.ts';
import type { MediaServices } from '../../media/services.ts';
import type { ResponsesStore, StoredResponse } from '../../stores/responses.ts';
import type { VideoServices } from '../../videos/services.ts';
import { newResponseId } from '../ids.ts';
import { isMediaResponseRequest, parseMediaResponseRequest, type MediaResponseRequest } from './request.ts';
import { mediaResponseBase, mediaResponseObject, recordMediaResponse } from './response.ts';
import { prepareMediaResponse, type PreparedMedia } from './serve.ts';
import { streamImageResponse } from './image-stream.ts';
import { streamMediaResponse } from './stream.ts';
import { cancelVideoResponse, currentVideoResponse, isVideoResponse, submitVideoResponse } from './video.ts';
import { streamVideoResponse } from './video-stream.ts';
import { composeEventsOn } from '../../calls/surface.ts';

export interface MediaResponsesServices {
  readonly media: MediaServices;
  readonly responses: ResponsesStore;
  readonly videos: VideoServices;
}

export interface MediaResponses {
  /** Whether this Responses request is a media call (never throws: a malformed body is the text path's). */
  handles(http: HttpRequest): boolean;
  readonly create: Operation;
  /** A stored response as it is now: a video response follows its job; any other is as stored. */
  current(stored: StoredResponse, owner: string): Promise<Record<string, unknown>>;
  /** Cancels a stored media response that can still be cancelled (a video job); undefined for any other. */
  cancel(stored: StoredResponse, owner: string): Promise<Record<string, unknown> | undefined>;
}

export const createMediaResponses = (services: MediaResponsesServices, billing: Billing, surface: Surface = 'native'): MediaResponses => {
  const paidCall = (http: HttpRequest, prepared: PreparedMedia, body: Record<string, unknown>): PaidCall => ({
    http,
    billing,
    surface,
    idempotency: services.media.idempotency,
    model: prepared.model,
    price: prepared.price,
    fingerprint: JSON.stringify(body),
    deadlineMs: services.media.settings.deadlineMs,
    ...(services.media.settings.heartbeatMs !== undefined ? { heartbeatMs: services.media.settings.heartbeatMs } : {}),
  });

  /**
   * One answer: served and charged by servePaid (natively with the receipt in the body, as text responses),
   * then recorded as it was answered. A replay ran nothing, so records nothing.
   */
  const answerOnce = async (http: HttpRequest, request: MediaResponseRequest, body: Record<string, unknown>, prepared: PreparedMedia): Promise<HttpResult> => {
    let owner: string | undefined;
    const result = await servePaid(paidCall(http, prepared, body), async (options, caller) => {
      const served = await prepared.serve(options, caller);
      const { output, usage } = await prepared.toOutput(served);
      const response = mediaResponseObject(mediaResponseBase(newResponseId(), prepared.model.publicId, request, body), { status: 'completed', output, usage });
      owner = caller.id;
      return { answer: receiptedJsonAnswer(response, { 'x-compose-response-id': response.id as string }), measured: served.measured };
    });
    // servePaid has returned: the charge is final.
    if (owner !== undefined) await recordMediaResponse(services.responses, owner, request, JSON.parse(result.body as string) as Record<string, unknown>, 'completed');
    return result;
  };

  const create = async (http: HttpRequest, context: Context): Promise<HttpResult> => {
    // As on the text path, the caller is proven before the body is read.
    const payer = await billing.identify(http, surface);
    const body = readJsonObject(http);
    const request = parseMediaResponseRequest(body);
    if (request.kind === 'video-generation') {
      const submitted = await submitVideoResponse(services, { http, payer, surface, request, body });
      if (!request.stream) return submitted;
      const response = JSON.parse(submitted.body as string) as Record<string, unknown>;
      return streamVideoResponse(services.videos, {
        response,
        surface,
        remainingMs: () => context.getRemainingTimeInMillis(),
        headers: submitted.headers ?? {},
        composeEvents: composeEventsOn(surface, 'responses', http.headers),
        ...(http.clientGone ? { clientGone: http.clientGone } : {}),
      });
    }
    const prepared = prepareMediaResponse(http, services.media, request);
    if (!request.stream) return answerOnce(http, request, body, prepared);
    if (prepared.images) {
      return streamImageResponse(paidCall(http, prepared, body), { prepared: { ...prepared, images: prepared.images }, request, body, responses: services.responses, media: services.media });
    }
    return streamMediaResponse(paidCall(http, prepared, body), { prepared, request, body, responses: services.responses });
  };

  return {
    handles: isMediaResponseRequest,
    create,
    current: async (stored, owner) => (isVideoResponse(stored) ? currentVideoResponse(services.videos, stored, owner) : stored.response),
    cancel: async (stored, owner) => (isVideoResponse(stored) ? cancelVideoResponse(services.videos, stored, owner) : undefined),
  };
};
