/**
 * The media routes' operations, shared by the native family (`/v1/...`) and the external mirror
 * (`/external/v1/...`). Each parses and validates the request, resolves the model, prices the call, then runs
 * it through `servePaid` (hold, idempotency, provider call, charge, receipt).
 */
import type { Billing, Surface } from '../billing/types.ts';
import type { HttpRequest } from '../http/request.ts';
import type { HttpResult } from '../http/response.ts';
import { prepareEmbeddings, serveEmbeddings } from './embeddings/serve.ts';
import { createUpload } from '../uploads/create.ts';
import { readEditRequest } from './images/edit-request.ts';
import { parseImageFields } from './images/request.ts';
import { prepareImages, serveImages } from './images/serve.ts';
import { streamImages } from './images/stream.ts';
import { readMediaJson } from '../http/json-body.ts';
import type { MediaModel } from './model.ts';
import { servePaid, servePaidStream, type PaidCall, type Serve } from './paid.ts';
import type { PriceContext } from '../billing/types.ts';
import { uploadLimit, type MediaServices } from './services.ts';
import { prepareSpeech, serveSpeech } from './speech/serve.ts';
import { streamSpeech } from './speech/stream.ts';
import { readTranscription } from './transcription/read.ts';
import { prepareTranscription, serveTranscription } from './transcription/serve.ts';
import { streamTranscription } from './transcription/stream.ts';
import { serveTranslation } from './transcription/translate.ts';
import { prepareModeration, serveModeration } from './moderation/serve.ts';
import { MEDIA_LIMITS } from '../../layers/core/media/limits.ts';

export type MediaOperationName =
  | 'embeddings.create'
  | 'images.generate'
  | 'images.edit'
  | 'audio.speech'
  | 'audio.transcriptions'
  | 'audio.translations'
  | 'moderations.create'
  | 'uploads.create';

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
      const { call, fingerprint } = await readEditRequest(http, services, billing, surface, uploadLimit(services.settings, MEDIA_LIMITS.imageFileBytes));
      return images(http, prepareImages(http, call, 'image-edit'), fingerprint);
    },
    'audio.speech': async (http: HttpRequest) => {
      const body = readMediaJson(http);
      const { call, model, price, characters } = prepareSpeech(http, body);
      return call.streamFormat === 'sse'
        ? servePaidStream(paidCall(http, model, price, JSON.stringify(body)), streamSpeech(services, call, model, characters))
        : paid(http, model, price, JSON.stringify(body), serveSpeech(services, call, model, characters));
    },
    'audio.transcriptions': async (http: HttpRequest) => {
      const read = await readTranscription(http, services, billing, surface);
      const { call, model, price, boundSeconds } = prepareTranscription(http, read.call, read.model);
      return call.stream
        ? servePaidStream(paidCall(http, model, price, read.fingerprint), streamTranscription(services, call, model, boundSeconds))
        : paid(http, model, price, read.fingerprint, serveTranscription(services, call, model, boundSeconds));
    },
    // A transcription to English: the same read, bound, hold and charge (translate.ts).
    'audio.translations': async (http: HttpRequest) => {
      const read = await readTranscription(http, services, billing, surface, 'translate');
      const { call, model, price, boundSeconds } = prepareTranscription(http, read.call, read.model);
      return paid(http, model, price, read.fingerprint, serveTranslation(services, call, model, boundSeconds));
    },
    'moderations.create': async (http: HttpRequest) => {
      const body = readMediaJson(http);
      const { call, model, price } = prepareModeration(http, body);
      return paid(http, model, price, JSON.stringify(body), serveModeration(services, call, model));
    },
    // Free, but only for a proven caller: a presigned PUT for a file larger than a request body can carry.
    'uploads.create': (http: HttpRequest) => createUpload(http, services.uploads, billing, services.settings.maxUploadBytes),
  } satisfies Record<MediaOperationName, (http: HttpRequest) => Promise<HttpResult>>;
};
