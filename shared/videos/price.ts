import type { PriceContext } from '../billing/types.ts';
import { requestOrigin } from '../http/origin.ts';
import type { HttpRequest } from '../http/request.ts';
import { quoteWorstCase, type Measured, type PricingUnit } from '../pricing/index.ts';
import type { VideoSpec } from './job.ts';

/** What a video is billed on: its requested seconds at its resolution, known exactly before it is made. */
export const measuredVideo = (spec: VideoSpec): Measured => ({ kind: 'video_seconds', seconds: spec.seconds, resolution: spec.resolution });

/**
 * A video's price is fixed by the request, so it is not metered: x402 offers `exact` only, and the quote is
 * what the caller pays at submission.
 */
export const priceVideo = (http: HttpRequest, spec: VideoSpec, units: readonly PricingUnit[]): PriceContext => ({
  modelId: spec.model,
  units,
  quote: quoteWorstCase(units, { kind: 'video_seconds', seconds: spec.seconds, resolution: spec.resolution }),
  metered: false,
  resourceUrl: `${requestOrigin(http.headers)}${http.path}`,
  description: `${spec.seconds} s video at ${spec.resolution} with ${spec.model}`,
});
