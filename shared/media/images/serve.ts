/** Image generation and edits: validated and priced before the hold, served, stored, metered. */
import type { ImageRequest } from '../../../layers/providers/media-types.ts';
import { UpstreamError } from '../../../layers/core/errors.ts';
import type { HttpRequest } from '../../http/request.ts';
import { receiptedJsonAnswer } from '../answer.ts';
import { allowedValues, resolveMediaModel, type MediaModel, type MediaOperation } from '../model.ts';
import type { Serve } from '../paid.ts';
import { priceMedia } from '../price.ts';
import type { MediaServices } from '../services.ts';
import { imageQuote, measuredImages } from './billing.ts';
import { respondedImages } from './limits.ts';
import { imagesBody } from './respond.ts';
import { checkImageOptions, type ImageCall } from './request.ts';

/**
 * The size a request without one gets (the media spec hands adapters a concrete size): 1024x1024 where the
 * model offers it, as OpenAI's models default to, else the model's first priced size.
 */
export const defaultImageSize = (model: MediaModel): string => {
  const sizes = allowedValues(model, 'size');
  return !sizes || sizes.includes('1024x1024') ? '1024x1024' : sizes[0]!;
};

export const prepareImages = (http: HttpRequest, requested: ImageCall, operation: Extract<MediaOperation, 'image-generation' | 'image-edit'>) => {
  const model = resolveMediaModel(requested.model, requested.provider, operation);
  checkImageOptions(requested, model);
  const call: ImageCall = { ...requested, size: requested.size ?? defaultImageSize(model) };
  const quote = imageQuote(call);
  const price = priceMedia(http, model, {
    quote,
    // Without a quality and size the charge depends on what the provider picks.
    metered: quote.quality === undefined || quote.size === undefined,
    description: `${call.n} image${call.n === 1 ? '' : 's'} with ${model.publicId}`,
  });
  return { call, model, price };
};

export const toImageRequest = (call: ImageCall, model: MediaModel): ImageRequest => ({
  model: model.wireModel,
  prompt: call.prompt,
  n: call.n,
  size: call.size ?? '1024x1024',
  quality: call.quality ?? 'auto',
  extra: call.extra,
  ...(call.images ? { images: call.images } : {}),
  ...(call.mask ? { mask: call.mask } : {}),
  ...(call.stream && call.partialImages !== undefined ? { partialImages: call.partialImages } : {}),
});

export const serveImages =
  (services: MediaServices, call: ImageCall, model: MediaModel): Serve =>
  async (options) => {
    const adapter = services.adapterFor(model.provider);
    const run = model.operation === 'image-edit' ? adapter.editImage : adapter.generateImage;
    if (!run) throw new UpstreamError(503, 'provider_not_configured', `The ${model.provider} provider does not serve ${model.operation} on this gateway.`);
    const result = respondedImages(await run.call(adapter, toImageRequest(call, model), options), call);
    return {
      answer: receiptedJsonAnswer(await imagesBody(call, result, services.store)),
      measured: [measuredImages(model, call, result)],
    };
  };
