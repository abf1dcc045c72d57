/**
 * Images are billed per image by `<quality>:<size>`. What the client left to the provider (`auto`, or nothing)
 * is quoted at the dearest priced option; the charge uses what the provider reports it made, when that is a
 * priced option, else the quote's own options, so the charge never exceeds the hold.
 */
import type { ImageResult } from '../../../layers/providers/media-types.ts';
import type { Measured, QuoteRequest } from '../../pricing/index.ts';
import { imagePrice, selectUnit } from '../../pricing/units.ts';
import { readPngSize, sizeLabel } from '../../../layers/core/media/formats/png.ts';
import type { MediaModel } from '../model.ts';
import type { ImageCall } from './request.ts';

const chosen = (value: string | undefined): string | undefined => (value === undefined || value === 'auto' ? undefined : value);

export const imageQuote = (call: ImageCall): Extract<QuoteRequest, { kind: 'images' }> => ({
  kind: 'images',
  count: call.n,
  ...(chosen(call.quality) ? { quality: call.quality! } : {}),
  ...(chosen(call.size) ? { size: call.size! } : {}),
});

/** Whether the pair names a priced entry no dearer than the quote (imagePrice picks the dearest compatible). */
const priced = (model: MediaModel, quality: string | undefined, size: string | undefined): boolean => {
  try {
    imagePrice(selectUnit(model.units, 'images'), quality, size);
    return true;
  } catch {
    return false;
  }
};

export const measuredImages = (model: MediaModel, call: ImageCall, result: ImageResult): Extract<Measured, { kind: 'images' }> => {
  const quote = imageQuote(call);
  const first = result.images[0];
  const pngSize = first ? readPngSize(first.data) : undefined;
  const quality = quote.quality ?? chosen(result.quality);
  const size = quote.size ?? chosen(result.size) ?? (pngSize ? sizeLabel(pngSize) : undefined);
  const options = priced(model, quality, size) ? { quality, size } : { quality: quote.quality, size: quote.size };
  return {
    kind: 'images',
    count: Math.min(result.images.length, call.n),
    ...(options.quality ? { quality: options.quality } : {}),
    ...(options.size ? { size: options.size } : {}),
  };
};
