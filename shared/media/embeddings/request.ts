/** POST /v1/embeddings bodies: input as a string, strings, one token array or token arrays. */
import * as z from 'zod';
import { MEDIA_LIMITS } from '../../../layers/core/media/limits.ts';
import type { FieldRefusal } from '../../calls/fields.ts';
import { bodySchema, gatewayFields, numberIn, oneOf, parseMediaBody, text, unset, type Body } from '../fields.ts';

export interface EmbeddingsCall {
  readonly model: string;
  readonly provider: string | undefined;
  readonly input: readonly (string | readonly number[])[];
  readonly encodingFormat: 'float' | 'base64';
  readonly dimensions: number | undefined;
  readonly user: string | undefined;
}

const tokens = z.array(z.int().min(0)).min(1);
const isTokenArray = (value: unknown): boolean => tokens.safeParse(value).success;

/**
 * OpenAI's shapes: a string, one array of integers (a single tokenized input), or at most 2048 inputs, each a
 * non-empty string or token array (mixing the two is accepted, as it always was here).
 */
const INPUT = z.union([z.string().min(1), tokens, z.array(z.union([z.string().min(1), tokens])).min(1).max(MEDIA_LIMITS.embeddingInputs)]);

/** POST /v1/embeddings, in the order its fields are checked; unknown fields are refused, as OpenAI does. */
export const EMBEDDINGS_BODY = bodySchema(() => z.strictObject({
  ...gatewayFields(),
  input: INPUT,
  encoding_format: oneOf(['float', 'base64']),
  dimensions: numberIn('json', 1, 65_536, { integer: true }),
  user: text(),
}));

/** What is wrong with an `input` zod refused, in the words (and codes) a client can act on. */
const explainInput: FieldRefusal = (_issue, value) => {
  if (value === undefined || value === null) return { code: 'missing_input', message: "'input' is required." };
  if (value === '') return { code: 'invalid_input', message: "'input' must not be empty." };
  if (!Array.isArray(value) || value.length === 0) return { code: 'invalid_input', message: "'input' must be a string, an array of strings, or an array of token arrays." };
  if (value.length > MEDIA_LIMITS.embeddingInputs) {
    return { code: 'too_many_inputs', message: `'input' has ${value.length} items; at most ${MEDIA_LIMITS.embeddingInputs} are allowed.` };
  }
  const bad = Math.max(0, value.findIndex((item) => !(typeof item === 'string' && item !== '') && !isTokenArray(item)));
  return { code: 'invalid_input', message: `'input[${bad}]' must be a non-empty string or a non-empty array of token ids.` };
};

export const parseEmbeddingsRequest = (body: Body): EmbeddingsCall => {
  const fields = parseMediaBody(EMBEDDINGS_BODY, body, { input: explainInput });
  const { input } = fields;
  return {
    model: fields.model,
    provider: unset(fields.provider),
    input: typeof input === 'string' || isTokenArray(input) ? [input as string | number[]] : (input as (string | number[])[]),
    encodingFormat: fields.encoding_format ?? 'float',
    dimensions: unset(fields.dimensions),
    user: unset(fields.user),
  };
};
