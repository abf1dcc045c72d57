import type { CanonicalMessage } from '../../layers/providers/types.ts';
import { HOLD_SECONDS } from '../billing/hold.ts';
import type { PriceContext } from '../billing/types.ts';
import { requestOrigin } from '../http/origin.ts';
import type { HttpRequest } from '../http/request.ts';
import { quoteWorstCase, type PricingUnit } from '../pricing/index.ts';
import type { TextRequest } from './request/text-request.ts';
import type { ResolvedModel } from './services.ts';

const TEXT_OPERATION = 'text-generation';

/** The output cap x402 `exact` is quoted for when the caller sets none (or the model's maximum, if lower). */
export const DEFAULT_EXACT_OUTPUT_TOKENS = 1024;

/** The worst case a text call can cost: its body and history as input, the output cap as output. */
export const priceText = (http: HttpRequest, model: ResolvedModel, request: TextRequest, history: readonly CanonicalMessage[]): PriceContext => {
  const row = model.row as { operations: { operation: string; pricingUnits: PricingUnit[] }[]; contextWindow?: number | null };
  const units = row.operations.find((o) => o.operation === TEXT_OPERATION)?.pricingUnits ?? [];
  const bodyBytes = Buffer.byteLength(http.event.body ?? '', http.event.isBase64Encoded ? 'base64' : 'utf8') + (history.length ? Buffer.byteLength(JSON.stringify(history)) : 0);
  const quoteFor = (maxOutputTokens: number | undefined) =>
    quoteWorstCase(units, {
      kind: 'tokens',
      bodyBytes,
      ...(maxOutputTokens ? { maxOutputTokens } : {}),
      ...(model.maxOutputTokens ? { modelMaxOutputTokens: model.maxOutputTokens } : {}),
      ...(typeof row.contextWindow === 'number' ? { contextWindow: row.contextWindow } : {}),
    });
  const quote = quoteFor(request.canonical.maxOutputTokens);
  // No cap from the caller: the worst case is the model's maximum, far above what most calls use. `exact` (which
  // moves its whole price) is quoted for the default cap instead, and a call paid that way stops there.
  const defaultTokens = Math.min(DEFAULT_EXACT_OUTPUT_TOKENS, model.maxOutputTokens ?? DEFAULT_EXACT_OUTPUT_TOKENS);
  const capped = request.canonical.maxOutputTokens ? undefined : quoteFor(defaultTokens);
  const defaultCap = capped && capped.amount < quote.amount ? { outputTokens: defaultTokens, quote: capped } : undefined;
  return {
    modelId: model.publicId,
    units,
    quote,
    metered: true,
    ...(defaultCap ? { defaultCap } : {}),
    resourceUrl: `${requestOrigin(http.headers)}${http.path}`,
    description: `${request.api === 'chat' ? 'Chat completion' : 'Response'} with ${model.publicId}`,
    holdSeconds: HOLD_SECONDS.text,
  };
};
