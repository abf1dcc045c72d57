/**
 * POST /v1/embeddings. Vectors are deterministic (seeded by the input's hash) and unit length, as OpenAI's
 * are, so equal inputs embed equally and a test can compare. Tokens are counted at ~4 characters each.
 */
import { createHash } from 'node:crypto';
import { sendJson } from '../openai-compatible/http-io.ts';
import { EMBEDDING_MODELS } from './models.ts';
import { enumField, modelNotFound, numberField, onlyKnown, refuse, type MediaContext } from './context.ts';

const MAX_INPUTS = 2048;
const MAX_TOKENS_PER_INPUT = 8192;

type Input = string | number[];

const tokensOf = (input: Input): number => (typeof input === 'string' ? Math.max(1, Math.ceil(input.length / 4)) : input.length);

const readInputs = (value: unknown): Input[] => {
  const invalid = (): never => refuse("'$.input' is invalid. Please check the API reference: https://platform.openai.com/docs/api-reference.", 'input', 'invalid_value');
  if (typeof value === 'string') return value === '' ? invalid() : [value];
  if (!Array.isArray(value) || value.length === 0) return invalid();
  if (value.every((v) => Number.isInteger(v))) return [value as number[]];
  if (value.length > MAX_INPUTS) return refuse(`'$.input' must have at most ${MAX_INPUTS} items.`, 'input', 'invalid_value');
  return value.map((item) =>
    (typeof item === 'string' && item !== '') || (Array.isArray(item) && item.length > 0 && item.every((t) => Number.isInteger(t))) ? (item as Input) : invalid(),
  );
};

/** A unit vector from the input's hash: SHA-256 in counter mode gives as many pseudo-random values as needed. */
export const vectorFor = (input: Input, dimensions: number): number[] => {
  const seed = typeof input === 'string' ? input : JSON.stringify(input);
  const values: number[] = [];
  for (let block = 0; values.length < dimensions; block += 1) {
    const digest = createHash('sha256').update(`${block}:${seed}`).digest();
    for (let i = 0; i + 2 <= digest.length && values.length < dimensions; i += 2) values.push(digest.readUInt16BE(i) / 32767.5 - 1);
  }
  const norm = Math.hypot(...values) || 1;
  return values.map((v) => Math.fround(v / norm));
};

const base64Of = (vector: readonly number[]): string => Buffer.from(Float32Array.from(vector).buffer).toString('base64');

export const handleEmbeddings = (context: MediaContext, body: Record<string, unknown>): void => {
  onlyKnown(body, ['model', 'input', 'encoding_format', 'dimensions', 'user']);
  if (typeof body.model !== 'string' || body.model === '') refuse('you must provide a model parameter', 'model');
  const model = body.model as string;
  const rules = EMBEDDING_MODELS[model] ?? modelNotFound(model);
  if (body.input === undefined) refuse("'input' is a required property", 'input', 'missing_required_parameter');
  const inputs = readInputs(body.input);
  const format = enumField(body.encoding_format, 'encoding_format', ['float', 'base64']) ?? 'float';
  const dimensions = numberField(body.dimensions, 'dimensions', 1, rules.dimensions, true);
  if (dimensions !== undefined && !rules.shortenable) refuse('This model does not support specifying dimensions.', 'dimensions');
  const tokens = inputs.map(tokensOf);
  const longest = Math.max(...tokens);
  if (longest > MAX_TOKENS_PER_INPUT) {
    refuse(`This model's maximum context length is ${MAX_TOKENS_PER_INPUT} tokens, however you requested ${longest} tokens in your input. Please reduce your input.`, 'input');
  }
  const total = tokens.reduce((a, b) => a + b, 0);
  sendJson(context.res, 200, {
    object: 'list',
    data: inputs.map((input, index) => {
      const vector = vectorFor(input, dimensions ?? rules.dimensions);
      return { object: 'embedding', index, embedding: format === 'base64' ? base64Of(vector) : vector };
    }),
    model,
    usage: { prompt_tokens: total, total_tokens: total },
  }, { 'x-request-id': context.requestId, 'openai-model': model });
};
