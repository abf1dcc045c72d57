/**
 * The one route table. CDK builds API Gateway resources and methods from it; the local runtime and the
 * router function match requests against it. Paths are API Gateway resource paths: `{name}` is one segment,
 * `{name+}` is greedy and must be last (which is why `/v1/models/{model}/params` is served by the greedy
 * model route: API Gateway cannot place a literal after a greedy segment).
 */

/**
 * Memory: the text functions (inference, external) get the cheapest size whose modeled added latency is ≤ 10 ms
 * in the bench's cost table (bench/lib/lambda-cost.ts; docs/benchmarks.md, lambda-cpu section): 512 MB since CPU
 * per Compose Key chat call came down to ~2.4 ms (8.4 ms modeled at 512 MB, half the price of 1,024 MB).
 */
export const FAMILIES = {
  health: { streaming: false, timeoutSeconds: 10, memoryMB: 256 },
  catalog: { streaming: false, timeoutSeconds: 10, memoryMB: 512 },
  inference: { streaming: true, timeoutSeconds: 900, memoryMB: 512 },
  media: { streaming: true, timeoutSeconds: 300, memoryMB: 1024 },
  videos: { streaming: true, timeoutSeconds: 900, memoryMB: 512 },
  external: { streaming: true, timeoutSeconds: 900, memoryMB: 512 },
  /** Answers every path or method the table does not know with 404 or 405. */
  router: { streaming: false, timeoutSeconds: 5, memoryMB: 256 },
} as const;

export type Family = keyof typeof FAMILIES;

/**
 * Node flags a family's function runs with (NODE_OPTIONS). The media and videos functions pass files of tens of
 * megabytes through in chunks; with V8's default young generation the dead chunks pile up to about twice the
 * file before a scavenge collects them, so a 1 MB semi-space keeps their peak memory near the chunk size at a
 * little more GC work per call (npm run bench, media section: both with and without it).
 */
export const FAMILY_NODE_OPTIONS: Readonly<Partial<Record<string, string>>> = {
  media: '--max-semi-space-size=1',
  videos: '--max-semi-space-size=1',
};
export type HttpMethod = 'GET' | 'POST' | 'DELETE';

/** none: public; payment: Compose Key or x402; key: Compose Key only (external clients cannot do x402). */
export type RouteAuth = 'none' | 'payment' | 'key';

export interface Route {
  readonly method: HttpMethod;
  readonly path: string;
  readonly family: Family;
  /** Stable name the family handler dispatches on. */
  readonly operation: string;
  readonly auth: RouteAuth;
}

const route = (method: HttpMethod, path: string, family: Family, operation: string, auth: RouteAuth = 'none'): Route => ({
  method,
  path,
  family,
  operation,
  auth,
});

export const ROUTES: readonly Route[] = [
  route('GET', '/health', 'health', 'health.check'),
  route('GET', '/openapi.json', 'health', 'openapi.get'),

  route('GET', '/v1/models', 'catalog', 'models.list'),
  route('GET', '/v1/models/all', 'catalog', 'models.listAll'),
  route('POST', '/v1/models/search', 'catalog', 'models.search'),
  route('GET', '/v1/models/{model+}', 'catalog', 'models.get'),
  route('GET', '/v1/modalities', 'catalog', 'modalities.list'),
  route('GET', '/v1/modalities/{modality}', 'catalog', 'modalities.get'),
  route('GET', '/v1/modalities/{modality}/operations', 'catalog', 'operations.list'),
  route('GET', '/v1/modalities/{modality}/operations/{operation}/models', 'catalog', 'operations.models'),

  route('POST', '/v1/chat/completions', 'inference', 'chat.create', 'payment'),
  route('POST', '/api/inference', 'inference', 'chat.create', 'payment'),
  route('POST', '/v1/responses', 'inference', 'responses.create', 'payment'),
  route('GET', '/v1/responses/{responseId}', 'inference', 'responses.get'),
  route('DELETE', '/v1/responses/{responseId}', 'inference', 'responses.delete'),
  route('GET', '/v1/responses/{responseId}/input_items', 'inference', 'responses.inputItems'),
  route('POST', '/v1/responses/{responseId}/cancel', 'inference', 'responses.cancel'),

  route('POST', '/v1/embeddings', 'media', 'embeddings.create', 'payment'),
  route('POST', '/v1/images/generations', 'media', 'images.generate', 'payment'),
  route('POST', '/v1/images/edits', 'media', 'images.edit', 'payment'),
  route('POST', '/v1/audio/speech', 'media', 'audio.speech', 'payment'),
  route('POST', '/v1/audio/transcriptions', 'media', 'audio.transcriptions', 'payment'),
  route('POST', '/v1/audio/translations', 'media', 'audio.translations', 'payment'),
  route('POST', '/v1/moderations', 'media', 'moderations.create', 'payment'),
  // Free, but the caller must be proven (Compose Key, or an x402 signature proving its wallet): see shared/uploads.
  route('POST', '/v1/uploads', 'media', 'uploads.create', 'payment'),

  route('POST', '/v1/videos/generations', 'videos', 'videos.create', 'payment'),
  route('GET', '/v1/videos/{id}', 'videos', 'videos.get'),
  route('GET', '/v1/videos/{id}/stream', 'videos', 'videos.stream'),
  route('GET', '/v1/videos/{id}/content', 'videos', 'videos.content'),

  route('GET', '/external/v1/models', 'external', 'models.list', 'key'),
  route('GET', '/external/v1/models/{model+}', 'external', 'models.get', 'key'),
  route('POST', '/external/v1/chat/completions', 'external', 'chat.create', 'key'),
  route('POST', '/external/v1/responses', 'external', 'responses.create', 'key'),
  route('GET', '/external/v1/responses/{responseId}', 'external', 'responses.get', 'key'),
  route('DELETE', '/external/v1/responses/{responseId}', 'external', 'responses.delete', 'key'),
  route('GET', '/external/v1/responses/{responseId}/input_items', 'external', 'responses.inputItems', 'key'),
  route('POST', '/external/v1/embeddings', 'external', 'embeddings.create', 'key'),
  route('POST', '/external/v1/images/generations', 'external', 'images.generate', 'key'),
  route('POST', '/external/v1/images/edits', 'external', 'images.edit', 'key'),
  route('POST', '/external/v1/audio/speech', 'external', 'audio.speech', 'key'),
  route('POST', '/external/v1/audio/transcriptions', 'external', 'audio.transcriptions', 'key'),
  route('POST', '/external/v1/audio/translations', 'external', 'audio.translations', 'key'),
  route('POST', '/external/v1/moderations', 'external', 'moderations.create', 'key'),
  route('POST', '/external/v1/videos/generations', 'external', 'videos.create', 'key'),
  route('GET', '/external/v1/videos/{id}', 'external', 'videos.get', 'key'),
  route('GET', '/external/v1/videos/{id}/content', 'external', 'videos.content', 'key'),
  route('GET', '/external/opencode', 'external', 'opencode.provider'),
  route('GET', '/.well-known/opencode', 'external', 'opencode.wellKnown'),
];

/** The catch-all resource the router family answers on, locally and in API Gateway. */
export const FALLBACK_PATH = '/{proxy+}';

export const routesOf = (family: Family): readonly Route[] => ROUTES.filter((r) => r.family === family);
