/** The price context of one media call: its units, the worst-case quote, and what x402 shows the payer. */
import { HOLD_SECONDS } from '../billing/hold.ts';
import type { PriceContext } from '../billing/types.ts';
import { requestOrigin } from '../http/origin.ts';
import type { HttpRequest } from '../http/request.ts';
import { quoteWorstCase, type QuoteRequest } from '../pricing/index.ts';
import type { MediaModel } from './model.ts';

export interface MediaPriceInput {
  readonly quote: QuoteRequest;
  /** Whether the final amount depends on what the provider reports (then x402 also offers `upto`). */
  readonly metered: boolean;
  readonly description: string;
}

export const resourceUrlOf = (http: HttpRequest): string => `${requestOrigin(http.headers)}${http.path}`;

export const priceMedia = (http: HttpRequest, model: MediaModel, input: MediaPriceInput): PriceContext => ({
  modelId: model.publicId,
  units: model.units,
  quote: quoteWorstCase(model.units, input.quote),
  metered: input.metered,
  resourceUrl: resourceUrlOf(http),
  description: input.description,
  holdSeconds: HOLD_SECONDS.media,
});
