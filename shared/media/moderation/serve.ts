/**
 * POST /v1/moderations: OpenAI's request and answer, unchanged. The provider does not charge for it; the
 * catalog prices the call as one request at the provider's price (0) plus the gateway's flat platform fee, so
 * the receipt shows a zero provider amount and the fee alone. Held and charged like any other media call.
 */
import type { ModerationRequest } from '../../../layers/providers/media-types.ts';
import { InvalidRequestError, UpstreamError } from '../../../layers/core/errors.ts';
import type { HttpRequest } from '../../http/request.ts';
import { receiptedJsonAnswer } from '../answer.ts';
import { onlyKnown, readProvider, type Body } from '../fields.ts';
import { resolveMediaModel, type MediaModel } from '../model.ts';
import type { Serve } from '../paid.ts';
import { priceMedia } from '../price.ts';
import type { MediaServices } from '../services.ts';

/** OpenAI's default when `model` is omitted. */
export const DEFAULT_MODERATION_MODEL = 'omni-moderation-latest';

/** OpenAI takes up to 32 texts per request. */
const MAX_INPUTS = 32;

export interface ModerationCall {
  readonly model: string;
  readonly provider: string | undefined;
  readonly input: ModerationRequest['input'];
}

const invalidInput = (message: string): InvalidRequestError => new InvalidRequestError('invalid_input', `Invalid 'input': ${message}`, { param: 'input' });

const isPart = (value: unknown): value is Readonly<Record<string, unknown>> => {
  const part = value as Record<string, unknown> | null;
  if (typeof part !== 'object' || part === null) return false;
  if (part.type === 'text') return typeof part.text === 'string';
  if (part.type === 'image_url') return typeof (part.image_url as Record<string, unknown> | undefined)?.url === 'string';
  return false;
};

const readInput = (input: unknown): ModerationCall['input'] => {
  if (typeof input === 'string') {
    if (input === '') throw invalidInput('must not be empty.');
    return input;
  }
  if (!Array.isArray(input) || input.length === 0) throw invalidInput('must be a string, an array of strings, or an array of content parts.');
  if (input.length > MAX_INPUTS) throw invalidInput(`at most ${MAX_INPUTS} items per request.`);
  if (input.every((item) => typeof item === 'string')) return input as string[];
  if (input.every(isPart)) return input as Readonly<Record<string, unknown>>[];
  throw invalidInput('each item must be a string, or every item a content part ({"type": "text", "text"} or {"type": "image_url", "image_url": {"url"}}).');
};

export const parseModerationRequest = (body: Body): ModerationCall => {
  onlyKnown(body, ['input']);
  if (body.input === undefined || body.input === null) throw new InvalidRequestError('missing_input', "'input' is required.", { param: 'input' });
  if (body.model !== undefined && typeof body.model !== 'string') throw new InvalidRequestError('invalid_parameter', "Invalid 'model': must be a string.", { param: 'model' });
  return { model: (body.model as string | undefined) || DEFAULT_MODERATION_MODEL, provider: readProvider(body), input: readInput(body.input) };
};

export const prepareModeration = (http: HttpRequest, body: Body) => {
  const call = parseModerationRequest(body);
  const model = resolveMediaModel(call.model, call.provider, 'moderation');
  const price = priceMedia(http, model, { quote: { kind: 'requests', count: 1 }, metered: false, description: `Moderation with ${model.publicId}` });
  return { call, model, price };
};

export const serveModeration =
  (services: MediaServices, call: ModerationCall, model: MediaModel): Serve =>
  async (options) => {
    const adapter = services.adapterFor(model.provider);
    if (!adapter.moderate) throw new UpstreamError(503, 'provider_not_configured', `The ${model.provider} provider does not serve moderation on this gateway.`);
    const result = await adapter.moderate({ model: model.wireModel, input: call.input }, options);
    return {
      answer: receiptedJsonAnswer({ id: result.id, model: result.model, results: result.results }),
      measured: [{ kind: 'requests', count: 1 }],
    };
  };
