/**
 * The media routes' operations, shared by the native family (`/v1/...`) and the external mirror
 * (`/external/v1/...`). Each parses and validates the request, resolves the model, prices the call, then runs
 * it through `servePaid` (hold, idempotency, provider call, charge, receipt).
 */
import type { Billing, Surface } from '../billing/types.ts';
import type { HttpRequest } from '../http/request.ts';
import type { HttpResult } from '../http/response.ts';
import { prepareEmbeddings, serveEmbeddings } from './embeddings/serve.ts';
import { multipartFingerprint } from './fingerprint.ts';
import { parseEditRequest } from './images/edit-request.ts';
import { parseImageFields } from './images/request.ts';
import { prepareImages, serveImages } from './images/serve.ts';
import { streamImages } from './images/stream.ts';
import { readMediaJson } from './json-body.ts';
import type { MediaModel } from './model.ts';
import { servePaid, servePaidStream, type PaidCall, type Serve } from './paid.ts';
import type { PriceContext } from '../billing/types.ts';
import { uploadLimit, type MediaServices } from './services.ts';
import { prepareSpeech, serveSpeech } from './speech/serve.ts';
import { streamSpeech } from './speech/stream.ts';
import { parseTranscriptionRequest } from './transcription/request.ts';
import { prepareTranscription, serveTranscription } from './transcription/serve.ts';
import { MEDIA_LIMITS } from './upload/limits.ts';
import { readMultipart } from './upload/multipart.ts';

export type MediaOperationName = 'embeddings.create' | 'images.generate' | 'images.edit' | 'audio.speech' | 'audio.transcriptions';

export const createMediaOperations = (services: MediaServices, billing: Billing, surface: Surface = 'native') => {
  const paidCall = (http: HttpRequest, model: MediaModel, price: PriceContext, fingerprint: string): PaidCall => ({
    http,
    billing,
    surface,
    idempotency: services.idempotency,
    model,
    price,
    fingerprint,
    deadlineMs: services.settings.deadlineMs,
    ...(services.settings.heartbeatMs !== undefined ? { heartbeatMs: services.settings.heartbeatMs } : {}),
  });
  const paid = (http: HttpRequest, model: MediaModel, price: PriceContext, fingerprint: string, serve: Serve): Promise<HttpResult> =>
    servePaid(paidCall(http, model, price, fingerprint), serve);
  /** Image calls with `stream: true` answer SSE; the others answer once. */
  const images = (http: HttpRequest, prepared: ReturnType<typeof prepareImages>, fingerprint: string): Promise<HttpResult> => {
    const { call, model, price } = prepared;
    return call.stream
      ? servePaidStream(paidCall(http, model, price, fingerprint), streamImages(services, call, model))
      : paid(http, model, price, fingerprint, serveImages(services, call, model));
  };

  return {
    'embeddings.create': async (http: HttpRequest) => {
      const body = readMediaJson(http);
      const { call, model, price } = prepareEmbeddings(http, body);
      return paid(http, model, price, JSON.stringify(body), serveEmbeddings(services, call, model, price.quote.bounds?.inputTokens ?? Number.MAX_SAFE_INTEGER));
    },
    'images.generate': async (http: HttpRequest) => {
      const body = readMediaJson(http);
      return images(http, prepareImages(http, parseImageFields(body), 'image-generation'), JSON.stringify(body));
    },
    'images.edit': async (http: HttpRequest) => {
      const form = await readMultipart(http);
      return images(http, prepareImages(http, parseEditRequest(form, uploadLimit(services.settings, MEDIA_LIMITS.imageFileBytes)), 'image-edit'), multipartFingerprint(form));
    },
    'audio.speech': async (http: HttpRequest) => {
      const body = readMediaJson(http);
      const { call, model, price, characters } = prepareSpeech(http, body);
      return call.streamFormat === 'sse'
        ? servePaidStream(paidCall(http, model, price, JSON.stringify(body)), streamSpeech(services, call, model, characters))
        : paid(http, model, price, JSON.stringify(body), serveSpeech(services, call, model, characters));
    },
    'audio.transcriptions': async (http: HttpRequest) => {
      const form = await readMultipart(http);
      const { call, model, price, boundSeconds } = prepareTranscription(http, parseTranscriptionRequest(form, uploadLimit(services.settings, MEDIA_LIMITS.transcriptionFileBytes)));
      return paid(http, model, price, multipartFingerprint(form), serveTranscription(services, call, model, boundSeconds));
    },
  } satisfies Record<MediaOperationName, (http: HttpRequest) => Promise<HttpResult>>;
};
