/** POST /v1/embeddings bodies: input as a string, strings, one token array or token arrays. */
import { InvalidRequestError } from '../../../layers/core/errors.ts';
import { onlyKnown, optionalEnum, optionalNumber, optionalString, readProvider, requireModel, type Body } from '../fields.ts';
import { MEDIA_LIMITS } from '../../../layers/core/media/limits.ts';

export interface EmbeddingsCall {
  readonly model: string;
  readonly provider: string | undefined;
  readonly input: readonly (string | readonly number[])[];
  readonly encodingFormat: 'float' | 'base64';
  readonly dimensions: number | undefined;
  readonly user: string | undefined;
}

const isTokenArray = (value: unknown): value is number[] =>
  Array.isArray(value) && value.length > 0 && value.every((t) => Number.isSafeInteger(t) && (t as number) >= 0);

const invalidInput = (message: string): InvalidRequestError => new InvalidRequestError('invalid_input', message, { param: 'input' });

const readInput = (value: unknown): (string | number[])[] => {
  if (value === undefined || value === null) throw new InvalidRequestError('missing_input', "'input' is required.", { param: 'input' });
  if (typeof value === 'string') {
    if (value === '') throw invalidInput("'input' must not be empty.");
    return [value];
  }
  if (!Array.isArray(value) || value.length === 0) throw invalidInput("'input' must be a string, an array of strings, or an array of token arrays.");
  // One array of integers is a single tokenized input, as OpenAI reads it.
  if (isTokenArray(value)) return [value];
  if (value.length > MEDIA_LIMITS.embeddingInputs) {
    throw new InvalidRequestError('too_many_inputs', `'input' has ${value.length} items; at most ${MEDIA_LIMITS.embeddingInputs} are allowed.`, { param: 'input' });
  }
  return value.map((item, i) => {
    if (typeof item === 'string' && item !== '') return item;
    if (isTokenArray(item)) return item;
    throw invalidInput(`'input[${i}]' must be a non-empty string or a non-empty array of token ids.`);
  });
};

export const parseEmbeddingsRequest = (body: Body): EmbeddingsCall => {
  onlyKnown(body, ['input', 'encoding_format', 'dimensions', 'user']);
  return {
    model: requireModel(body as Record<string, unknown>),
    provider: readProvider(body),
    input: readInput(body.input),
    encodingFormat: optionalEnum(body, 'encoding_format', ['float', 'base64'] as const) ?? 'float',
    dimensions: optionalNumber(body, 'dimensions', { min: 1, max: 65_536, integer: true }),
    user: optionalString(body, 'user'),
  };
};
