/** Image generation and edits: validated and priced before the hold, served, stored, metered. */
import type { ImageRequest } from '../../../layers/providers/media-types.ts';
import { UpstreamError } from '../../errors.ts';
import type { HttpRequest } from '../../http/request.ts';
import { jsonAnswer } from '../answer.ts';
import { resolveMediaModel, type MediaModel, type MediaOperation } from '../model.ts';
import type { Serve } from '../paid.ts';
import { priceMedia } from '../price.ts';
import type { MediaServices } from '../services.ts';
import { imageQuote, measuredImages } from './billing.ts';
import { respondedImages } from './limits.ts';
import { imagesBody } from './respond.ts';
import { checkImageOptions, type ImageCall } from './request.ts';

export const prepareImages = (http: HttpRequest, call: ImageCall, operation: Extract<MediaOperation, 'image-generation' | 'image-edit'>) => {
  const model = resolveMediaModel(call.model, call.provider, operation);
  checkImageOptions(call, model);
  const quote = imageQuote(call);
  const price = priceMedia(http, model, {
    quote,
    // Without a quality and size the charge depends on what the provider picks.
    metered: quote.quality === undefined || quote.size === undefined,
    description: `${call.n} image${call.n === 1 ? '' : 's'} with ${model.publicId}`,
  });
  return { call, model, price };
};

const toRequest = (call: ImageCall, model: MediaModel): ImageRequest => ({
  model: model.wireModel,
  prompt: call.prompt,
  n: call.n,
  size: call.size ?? 'auto',
  quality: call.quality ?? 'auto',
  extra: call.extra,
  ...(call.images ? { images: call.images } : {}),
  ...(call.mask ? { mask: call.mask } : {}),
});

export const serveImages =
  (services: MediaServices, call: ImageCall, model: MediaModel): Serve =>
  async (options) => {
    const adapter = services.adapterFor(model.provider);
    const run = model.operation === 'image-edit' ? adapter.editImage : adapter.generateImage;
    if (!run) throw new UpstreamError(503, 'provider_not_configured', `The ${model.provider} provider does not serve ${model.operation} on this gateway.`);
    const result = respondedImages(await run.call(adapter, toRequest(call, model), options), call);
    return {
      answer: jsonAnswer(await imagesBody(call, result, services.store)),
      measured: [measuredImages(model, call, result)],
    };
  };
