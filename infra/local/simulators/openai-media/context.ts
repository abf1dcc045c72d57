/** What every media endpoint handler gets: the request's id, how to fail in the flavor's shape, where files live. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendJson } from '../openai-compatible/http-io.ts';
import { invalidRequest, type SimError } from '../openai-compatible/sim-error.ts';
import type { Flavor } from '../openai-compatible/flavors.ts';
import type { ImageFiles } from './image-files.ts';

export interface MediaContext {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly flavor: Flavor;
  readonly requestId: string;
  /** `http://127.0.0.1:<port>`, for image URLs. */
  readonly origin: string;
  readonly files: ImageFiles;
}

export const fail = (context: MediaContext, error: SimError): void =>
  sendJson(context.res, error.status, context.flavor.renderError(error, context.requestId), { 'x-request-id': context.requestId, ...error.headers });

/** A rule broken: the handler answers with this and stops. */
export class Refusal extends Error {
  readonly error: SimError;
  constructor(error: SimError) {
    super(error.message);
    this.error = error;
  }
}

export const refuse = (message: string, param: string | null = null, code: string | null = null): never => {
  throw new Refusal(invalidRequest(message, param, code));
};

export const unknownParameter = (name: string): never => refuse(`Unrecognized request argument supplied: ${name}`, name, 'unknown_parameter');

export const modelNotFound = (model: string): never => {
  throw new Refusal({ status: 404, message: `The model \`${model}\` does not exist or you do not have access to it.`, type: 'invalid_request_error', code: 'model_not_found' });
};

/** Every key of `body` must be in `allowed`, as OpenAI refuses unknown arguments. */
export const onlyKnown = (body: Readonly<Record<string, unknown>>, allowed: readonly string[]): void => {
  for (const name of Object.keys(body)) if (!allowed.includes(name)) unknownParameter(name);
};

export const numberField = (value: unknown, param: string, min: number, max: number, integer = false): number | undefined => {
  if (value === undefined || value === null || value === '') return undefined;
  const number = typeof value === 'string' ? Number(value) : value;
  if (typeof number !== 'number' || !Number.isFinite(number) || (integer && !Number.isInteger(number))) {
    return refuse(`Invalid type for '${param}': expected ${integer ? 'an integer' : 'a number'}.`, param, 'invalid_type');
  }
  if (number < min) return refuse(`${number} is less than the minimum of ${min} - '${param}'`, param, 'integer_below_min_value');
  if (number > max) return refuse(`${number} is greater than the maximum of ${max} - '${param}'`, param, 'integer_above_max_value');
  return number;
};

export const enumField = (value: unknown, param: string, allowed: readonly string[]): string | undefined => {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || !allowed.includes(value)) {
    return refuse(`Invalid value: '${String(value)}'. Supported values are: ${allowed.map((v) => `'${v}'`).join(', ')}.`, param, 'invalid_value');
  }
  return value;
};
