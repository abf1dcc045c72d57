/**
 * POST /v1/moderations: OpenAI's request and answer, unchanged. The provider does not charge for it; the
 * catalog prices the call as one request at the provider's price (0) plus the gateway's flat platform fee, so
 * the receipt shows a zero provider amount and the fee alone. Held and charged like any other media call.
 */
import type { ModerationRequest } from '../../../layers/providers/media-types.ts';
import { UpstreamError } from '../../../layers/core/errors.ts';
import type { HttpRequest } from '../../http/request.ts';
import { receiptedJsonAnswer } from '../answer.ts';
import * as z from 'zod';
import { codesByKind, gatewayFields, parseMediaBody, unset, type Body } from '../fields.ts';
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

const PART = z.discriminatedUnion('type', [
  z.looseObject({ type: z.literal('text'), text: z.string() }),
  z.looseObject({ type: z.literal('image_url'), image_url: z.looseObject({ url: z.string() }) }),
]);

/** A string, up to 32 strings, or up to 32 content parts (all of one kind). */
const INPUT = z.union([z.string().min(1), z.array(z.string()).min(1).max(MAX_INPUTS), z.array(PART).min(1).max(MAX_INPUTS)]);

/** POST /v1/moderations; unknown fields are refused, as OpenAI does. `model` is optional (OpenAI's default). */
const MODEL_AND_PROVIDER = { model: z.string({ error: "Invalid 'model': must be a string." }).optional(), provider: gatewayFields().provider };
export const MODERATION_BODY = z.strictObject({ ...MODEL_AND_PROVIDER, input: INPUT });

/** A missing input is named before the other fields, what is wrong with a sent one after them. */
const INPUT_FIRST = z.strictObject({ input: INPUT, ...MODEL_AND_PROVIDER });

/** What is wrong with an `input` zod refused, in words a client can act on. */
const explainInput = (value: unknown): string => {
  if (value === '') return 'must not be empty.';
  if (!Array.isArray(value) || value.length === 0) return 'must be a string, an array of strings, or an array of content parts.';
  if (value.length > MAX_INPUTS) return `at most ${MAX_INPUTS} items per request.`;
  return 'each item must be a string, or every item a content part ({"type": "text", "text"} or {"type": "image_url", "image_url": {"url"}}).';
};

export const parseModerationRequest = (body: Body): ModerationCall => {
  const refusals = {
    input: (_issue: unknown, value: unknown) => (value === undefined || value === null ? undefined : { code: 'invalid_input', message: `Invalid 'input': ${explainInput(value)}` }),
    // Unlike other routes' model, moderation's may be left out; sent, it must be a string (null too).
    model: codesByKind({ missing: 'invalid_parameter' }),
  };
  const fields = parseMediaBody(body.input === undefined || body.input === null ? INPUT_FIRST : MODERATION_BODY, body, refusals);
  return { model: fields.model || DEFAULT_MODERATION_MODEL, provider: unset(fields.provider), input: fields.input as ModerationCall['input'] };
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
