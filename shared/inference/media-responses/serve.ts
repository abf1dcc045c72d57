/**
 * Each media kind a Responses call can ask for, prepared (model, checks, price) before any money moves and
 * served through the media routes' own serve functions, whose answers become typed Responses output items.
 * (Video is not served here: it is an async job, see video.ts.)
 */
import type { MediaFile, VisionRequest } from '../../../layers/providers/media-types.ts';
import type { PriceContext } from '../../billing/types.ts';
import { resolveModel, type ModelRow } from '../../catalog/index.ts';
import type { ProviderId } from '../../../layers/providers/types.ts';
import { InvalidRequestError, UpstreamError } from '../../../layers/core/errors.ts';
import type { HttpRequest } from '../../http/request.ts';
import { prepareEmbeddings, serveEmbeddings } from '../../media/embeddings/serve.ts';
import { parseImageFields, type ImageCall } from '../../media/images/request.ts';
import type { MediaModel } from '../../media/model.ts';
import { prepareImages, serveImages } from '../../media/images/serve.ts';
import type { PaidModel, Serve, Served } from '../../media/paid.ts';
import { resourceUrlOf } from '../../media/price.ts';
import type { MediaServices } from '../../media/services.ts';
import { prepareSpeech, serveSpeech } from '../../media/speech/serve.ts';
import { quoteWorstCase, type PricingUnit } from '../../pricing/index.ts';
import { VISION_OPERATIONS, labelsOf, type MediaResponseRequest } from './request.ts';
import { newItemId as itemId } from './response.ts';

export interface MediaOutput {
  readonly output: readonly Record<string, unknown>[];
  readonly usage: Record<string, unknown> | null;
}

/** An image call as it can be streamed: its parsed fields and its model, for the images route's event source. */
export interface StreamableImages {
  readonly call: ImageCall;
  readonly model: MediaModel;
}

/** One prepared media call: what servePaid needs, and how its answer becomes output items. */
export interface PreparedMedia {
  readonly model: PaidModel;
  readonly price: PriceContext;
  readonly serve: Serve;
  readonly toOutput: (served: Served) => Promise<MediaOutput>;
  /** Set for image generation: streamed, its partial images come as they are rendered (stream.ts). */
  readonly images?: StreamableImages;
}

const jsonOf = (served: Served): Record<string, unknown> => JSON.parse(served.answer.body as string) as Record<string, unknown>;

/** A finished `image_generation_call` item: the image as base64 in `result`, as OpenAI's image tool gives it. */
export const imageItem = (id: string, b64: string, options: { readonly size: string | undefined; readonly quality: string | undefined; readonly revisedPrompt?: string | undefined }) => ({
  type: 'image_generation_call',
  id,
  status: 'completed',
  result: b64,
  output_format: 'png',
  size: options.size,
  quality: options.quality ?? 'auto',
  ...(options.revisedPrompt ? { revised_prompt: options.revisedPrompt } : {}),
});

const prepareImageResponse = (http: HttpRequest, services: MediaServices, request: MediaResponseRequest): PreparedMedia => {
  const fields = parseImageFields({
    model: request.model,
    ...(request.provider ? { provider: request.provider } : {}),
    prompt: request.texts.join('\n'),
    ...(request.n !== undefined ? { n: request.n } : {}),
    ...(request.size !== undefined ? { size: request.size } : {}),
    ...(request.quality !== undefined ? { quality: request.quality } : {}),
    ...(request.stream ? { stream: true } : {}),
    ...(request.partialImages !== undefined ? { partial_images: request.partialImages } : {}),
    response_format: 'b64_json',
  });
  const { call, model, price } = prepareImages(http, fields, 'image-generation');
  return {
    model,
    price,
    images: { call, model },
    serve: serveImages(services, call, model),
    toOutput: async (served) => {
      const body = jsonOf(served) as { data: { b64_json: string; revised_prompt?: string }[]; size?: string; quality?: string };
      const output = body.data.map((image) =>
        imageItem(itemId('ig'), image.b64_json, { size: body.size ?? call.size, quality: body.quality ?? call.quality, revisedPrompt: image.revised_prompt }),
      );
      return { output, usage: null };
    },
  };
};

const prepareEmbeddingResponse = (http: HttpRequest, services: MediaServices, request: MediaResponseRequest): PreparedMedia => {
  const { call, model, price } = prepareEmbeddings(http, { model: request.model, ...(request.provider ? { provider: request.provider } : {}), input: [...request.texts] });
  return {
    model,
    price,
    serve: serveEmbeddings(services, call, model, price.quote.bounds?.inputTokens ?? Number.MAX_SAFE_INTEGER),
    toOutput: async (served) => {
      const body = jsonOf(served) as { data: { index: number; embedding: number[] }[]; usage: { prompt_tokens: number } };
      const output = body.data.map((d) => ({ type: 'embedding', id: itemId('emb'), status: 'completed', index: d.index, embedding: d.embedding }));
      const tokens = body.usage.prompt_tokens;
      return { output, usage: { input_tokens: tokens, output_tokens: 0, total_tokens: tokens } };
    },
  };
};

const prepareSpeechResponse = (http: HttpRequest, services: MediaServices, request: MediaResponseRequest): PreparedMedia => {
  const { call, model, price, characters } = prepareSpeech(http, {
    model: request.model,
    ...(request.provider ? { provider: request.provider } : {}),
    input: request.texts.join('\n'),
    ...(request.voice !== undefined ? { voice: request.voice } : {}),
    ...(request.speed !== undefined ? { speed: request.speed } : {}),
    ...(request.language !== undefined ? { language: request.language } : {}),
    ...(request.instructions !== undefined ? { instructions: request.instructions } : {}),
  });
  // Only steerable voices (the catalog lists `instructions` for them) have a use for instructions.
  if (request.instructions !== undefined && model.params.instructions === undefined) {
    throw new InvalidRequestError('unsupported_parameter', `${model.publicId} takes no 'instructions'; steerable speech models (e.g. gpt-4o-mini-tts) do.`, { param: 'instructions' });
  }
  return {
    model,
    price,
    serve: serveSpeech(services, call, model, characters),
    toOutput: async (served) => {
      const bytes = served.answer.body as Uint8Array;
      const mediaType = served.answer.headers['content-type'] ?? 'audio/mpeg';
      // The bytes go to the media bucket; the record carries a presigned URL (valid for MEDIA_URL_TTL_SECONDS).
      const stored = await services.store.put('audio', bytes, mediaType);
      const output = [{ type: 'output_audio', id: itemId('aud'), status: 'completed', mime_type: mediaType, voice: call.voice, bytes: stored.bytes, url: await services.store.url(stored.key) }];
      return { output, usage: null };
    },
  };
};

/** `data:<type>;base64,<data>` as a file, or an http(s) URL for the provider to fetch. */
const imageOf = (imageUrl: string): VisionRequest['image'] => {
  const data = /^data:([^;,]+);base64,(.*)$/s.exec(imageUrl);
  if (data) return { data: Buffer.from(data[2]!, 'base64'), mediaType: data[1]! } satisfies MediaFile;
  if (/^https?:\/\//.test(imageUrl)) return { url: imageUrl };
  throw new InvalidRequestError('invalid_image_url', "'image_url' must be an http(s) URL or a base64 data URL.", { param: 'image_url' });
};

/**
 * Zero-shot classifiers (CLIP; the catalog gives them a `labels` param) score the image against labels the
 * caller names: from `labels`, or the text of `input` split at commas and line breaks. None is a 400 before any
 * money moves; labels sent to a model that takes none are refused rather than dropped.
 */
const visionLabels = (row: ModelRow, request: MediaResponseRequest): readonly string[] | undefined => {
  if (row.params.labels === undefined) {
    if (request.labels !== undefined) throw new InvalidRequestError('unsupported_parameter', `${row.modelId} takes no 'labels'; zero-shot classifiers such as CLIP do.`, { param: 'labels' });
    return undefined;
  }
  const labels = labelsOf(request);
  if (labels.length === 0) {
    throw new InvalidRequestError('missing_labels', `${row.modelId} scores an image against labels: send 'labels' (an array), or name them in 'input' separated by commas.`, { param: 'labels' });
  }
  return labels;
};

const prepareVisionResponse = (http: HttpRequest, services: MediaServices, request: MediaResponseRequest): PreparedMedia => {
  const row = resolveModel(request.model, request.provider);
  const operation = VISION_OPERATIONS.find((o) => row.operations.some((c) => c.operation === o));
  // A model that neither detects nor classifies: the same 400 `unsupported_operation` the catalog gives.
  const resolved = resolveModel(request.model, request.provider, operation ?? 'object-detection');
  const units = resolved.operations.find((c) => c.operation === (operation ?? 'object-detection'))!.pricingUnits as readonly PricingUnit[];
  const model = { publicId: resolved.modelId, provider: resolved.provider as ProviderId, wireModel: resolved.upstreamModelId };
  const image = imageOf(request.imageUrl!);
  const labels = visionLabels(resolved, request);
  const price: PriceContext = {
    modelId: model.publicId,
    units,
    quote: quoteWorstCase(units, { kind: 'requests', count: 1 }),
    metered: false,
    resourceUrl: resourceUrlOf(http),
    description: `${operation} with ${model.publicId}`,
  };
  return {
    model,
    price,
    serve: async (options) => {
      const adapter = services.adapterFor(model.provider);
      if (!adapter.detect) throw new UpstreamError(503, 'provider_not_configured', `The ${model.provider} provider does not serve ${operation} on this gateway.`);
      const { result } = await adapter.detect({ model: model.wireModel, image, ...(labels ? { labels } : {}) }, options);
      return { answer: { statusCode: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify(result) }, measured: [{ kind: 'requests', count: 1 }] };
    },
    toOutput: async (served) => ({ output: [{ type: 'vision_result', id: itemId('vis'), status: 'completed', operation, result: jsonOf(served) }], usage: null }),
  };
};

/** The media calls that answer once (video, an async job, is submitted through video.ts). */
export const prepareMediaResponse = (http: HttpRequest, services: MediaServices, request: MediaResponseRequest): PreparedMedia => {
  switch (request.kind) {
    case 'image-generation':
      return prepareImageResponse(http, services, request);
    case 'embeddings':
      return prepareEmbeddingResponse(http, services, request);
    case 'speech':
      return prepareSpeechResponse(http, services, request);
    case 'vision':
      return prepareVisionResponse(http, services, request);
    case 'video-generation':
      throw new Error('video responses are async jobs, submitted through video.ts');
  }
};
