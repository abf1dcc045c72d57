/**
 * `POST /v1/responses` for media: a body whose `modalities` names image, audio or embedding (or that sends an
 * `image_url` to a detection or classification model) is served through the media path — paid and receipted
 * by `servePaid` (hold, idempotency, provider call, charge) — and answered as a stored Responses object whose
 * output holds typed items (`image_generation_call`, `output_audio`, `embedding`, `vision_result`).
 */
import type { Billing, Surface } from '../../billing/types.ts';
import type { Operation } from '../../http/handler.ts';
import { readJsonObject, type HttpRequest } from '../../http/request.ts';
import { jsonAnswer } from '../../media/answer.ts';
import { servePaid } from '../../media/paid.ts';
import type { MediaServices } from '../../media/services.ts';
import type { ResponsesStore } from '../../stores/responses.ts';
import { newResponseId } from '../ids.ts';
import { isMediaResponseBody, parseMediaResponseRequest } from './request.ts';
import { prepareMediaResponse } from './serve.ts';

export interface MediaResponsesServices {
  readonly media: MediaServices;
  readonly responses: ResponsesStore;
}

export interface MediaResponses {
  /** Whether this Responses request is a media call (never throws: a malformed body is the text path's). */
  handles(http: HttpRequest): boolean;
  readonly create: Operation;
}

export const createMediaResponses = (services: MediaResponsesServices, billing: Billing, surface: Surface = 'native'): MediaResponses => ({
  handles: (http) => {
    try {
      return isMediaResponseBody(readJsonObject(http));
    } catch {
      return false;
    }
  },
  create: async (http) => {
    // As on the text path, the caller is proven before the body is read.
    await billing.identify(http, surface);
    const body = readJsonObject(http);
    const request = parseMediaResponseRequest(body);
    const prepared = prepareMediaResponse(http, services.media, request);
    return servePaid(
      {
        http,
        billing,
        surface,
        idempotency: services.media.idempotency,
        model: prepared.model,
        price: prepared.price,
        fingerprint: JSON.stringify(body),
        deadlineMs: services.media.settings.deadlineMs,
      },
      async (options, caller) => {
        const served = await prepared.serve(options, caller);
        const { output, usage } = await prepared.toOutput(served);
        const id = newResponseId();
        const response = {
          id,
          object: 'response',
          created_at: Math.floor(Date.now() / 1000),
          status: 'completed',
          model: prepared.model.publicId,
          output,
          usage,
          error: null,
          incomplete_details: null,
          instructions: null,
          metadata: request.metadata,
          modalities: body.modalities ?? null,
          store: request.store,
          previous_response_id: null,
        };
        if (request.store) {
          await services.responses.begin(id, caller.id, prepared.model.publicId);
          await services.responses.complete(id, 'completed', { response, inputItems: request.inputItems, conversation: [] });
        }
        return { answer: jsonAnswer(response), measured: served.measured };
      },
    );
  },
});
