import type { Operation } from '../../shared/http/handler.ts';
import { createFamilyHandler } from '../../shared/http/handler.ts';
import { readJsonObject, type HttpRequest } from '../../shared/http/request.ts';
import { json } from '../../shared/http/response.ts';
import { UpstreamError } from '../../layers/core/errors.ts';
import { getOpenAIModel, listOpenAIModels } from '../../shared/external/models.ts';
import { opencodeProviderConfig, opencodeWellKnown } from '../../shared/external/opencode.ts';
import { sanitizeForExternal } from '../../shared/external/sanitize.ts';
import { createTextOperations } from '../../shared/inference/operations.ts';
import { diagnosticHeaders } from '../../shared/calls/surface.ts';
import { lazyMediaResponses } from '../inference/media-responses.ts';
import { billing, textServices } from '../inference/text-services.ts';

/** The OpenAI-compatible mirror: OpenAI shapes only — no `compose.*` events, no receipts — plus diagnostic headers. */
// Responses asking for media (`modalities`, vision `image_url`) are dispatched to the media path, as natively.
const text = createTextOperations(textServices, billing, 'external', undefined, lazyMediaResponses('external'));

type MediaRoutes = typeof import('./media-routes.ts');
let mediaRoutes: Promise<MediaRoutes> | undefined;
/** A media or video route, its module imported on the first request to any of them rather than at init. */
const lazy =
  (pick: (routes: MediaRoutes) => Operation): Operation =>
  async (request, context) =>
    pick(await (mediaRoutes ??= import('./media-routes.ts')))(request, context);

/**
 * The provider and wire model a failed request was routed to. Only a provider's error is sanitized, and a
 * provider was called only after this same body was read and its model resolved, so this resolves too.
 */
const routedTo = (request: HttpRequest): Record<string, string> => {
  try {
    const body = readJsonObject(request);
    const provider = typeof body.provider === 'string' ? body.provider : undefined;
    return diagnosticHeaders('external', textServices.resolveTextModel(String(body.model), provider));
  } catch {
    return {};
  }
};

/** Provider errors reach external clients sanitized, with the diagnostic headers of where the call was routed. */
const sanitized =
  (operation: Operation): Operation =>
  async (request, context) => {
    try {
      return await operation(request, context);
    } catch (error) {
      throw sanitizeForExternal(error, error instanceof UpstreamError ? routedTo(request) : {});
    }
  };

export const handler = createFamilyHandler('external', {
  // Like every external route, and like OpenAI's own /v1/models: a Compose Key, verified without I/O.
  'models.list': async (request) => {
    await billing.identify(request, 'external');
    return json(200, listOpenAIModels());
  },
  'models.get': async (request) => {
    await billing.identify(request, 'external');
    return json(200, getOpenAIModel(request.pathParameters.model!));
  },
  'chat.create': sanitized(text['chat.create']),
  'responses.create': sanitized(text['responses.create']),
  // Stored responses are read and deleted by the Compose Key that created them, as natively.
  'responses.get': text['responses.get'],
  'responses.inputItems': text['responses.inputItems'],
  'responses.delete': text['responses.delete'],
  // Media operations put their own diagnostic headers on provider errors (their bodies may be multipart).
  'embeddings.create': sanitized(lazy((r) => r.media['embeddings.create'])),
  'images.generate': sanitized(lazy((r) => r.media['images.generate'])),
  'images.edit': sanitized(lazy((r) => r.media['images.edit'])),
  'audio.speech': sanitized(lazy((r) => r.media['audio.speech'])),
  'audio.transcriptions': sanitized(lazy((r) => r.media['audio.transcriptions'])),
  'audio.translations': sanitized(lazy((r) => r.media['audio.translations'])),
  'moderations.create': sanitized(lazy((r) => r.media['moderations.create'])),
  'videos.create': sanitized(lazy((r) => r.videos['videos.create'])),
  'videos.get': lazy((r) => r.videos['videos.get']),
  'videos.content': lazy((r) => r.videos['videos.content']),
  'opencode.provider': (request) => json(200, opencodeProviderConfig(request)),
  'opencode.wellKnown': (request) => json(200, opencodeWellKnown(request)),
});
