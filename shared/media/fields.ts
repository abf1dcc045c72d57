/**
 * Reading media request fields with one clear 400 per problem. JSON bodies and multipart fields go through the
 * same readers: a multipart field is always a string, so in a form numbers and booleans are read from their
 * text (and an empty field is an absent one); in JSON each field must have its own type, as OpenAI requires.
 */
import { InvalidRequestError } from '../../layers/core/errors.ts';
import { requireModel } from '../calls/fields.ts';

export type Body = Readonly<Record<string, unknown>>;

export const MEDIA_ERROR_CODES = {
  unknownParameter: 'unknown_parameter',
  invalidParameter: 'invalid_parameter',
  missingParameter: 'missing_parameter',
} as const;

export { requireModel };

/** Fields the gateway itself reads on every media route, beside the OpenAI ones. */
const GATEWAY_FIELDS = ['model', 'provider'];

/** OpenAI refuses arguments it does not know; so does the gateway, rather than dropping them silently. */
export const onlyKnown = (body: Body, allowed: readonly string[]): void => {
  const unknown = Object.keys(body).find((name) => !allowed.includes(name) && !GATEWAY_FIELDS.includes(name));
  if (unknown !== undefined) {
    throw new InvalidRequestError(MEDIA_ERROR_CODES.unknownParameter, `Unrecognized request argument supplied: ${unknown}.`, { param: unknown });
  }
};

const invalid = (param: string, message: string, code: string = MEDIA_ERROR_CODES.invalidParameter): InvalidRequestError =>
  new InvalidRequestError(code, `Invalid '${param}': ${message}.`, { param });

const absent = (value: unknown): boolean => value === undefined || value === null;

/** Bodies made from multipart fields, whose values are text by nature (see `fieldsAsBody`). */
const FORM_BODIES = new WeakSet<object>();

export const asFormFields = <T extends Record<string, unknown>>(body: T): T => {
  FORM_BODIES.add(body);
  return body;
};

export const isFormFields = (body: Body): boolean => FORM_BODIES.has(body);

/** A JSON boolean, or its text in a multipart field. */
export const optionalBoolean = (body: Body, param: string): boolean | undefined => {
  const value = body[param];
  if (absent(value)) return undefined;
  if (value === true || value === false) return value;
  if (isFormFields(body) && (value === 'true' || value === 'false')) return value === 'true';
  throw invalid(param, 'must be a boolean');
};

export const readProvider = (body: Body): string | undefined => {
  if (absent(body.provider)) return undefined;
  if (typeof body.provider !== 'string') throw invalid('provider', 'must be a string');
  return body.provider;
};

export const requireString = (body: Body, param: string, code = `missing_${param}`): string => {
  const value = body[param];
  if (absent(value) || value === '') throw new InvalidRequestError(code, `'${param}' is required.`, { param });
  if (typeof value !== 'string') throw invalid(param, 'must be a string');
  return value;
};

export const optionalString = (body: Body, param: string): string | undefined => {
  const value = body[param];
  if (absent(value)) return undefined;
  if (typeof value !== 'string') throw invalid(param, 'must be a string');
  return value;
};

export interface NumberRule {
  readonly min: number;
  readonly max: number;
  readonly integer?: boolean;
  /** The code for a value outside [min, max]. */
  readonly code?: string;
}

export const optionalNumber = (body: Body, param: string, rule: NumberRule): number | undefined => {
  const raw = body[param];
  const form = isFormFields(body);
  if (absent(raw) || (form && raw === '')) return undefined;
  const value = form && typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw;
  if (typeof value !== 'number' || !Number.isFinite(value) || (rule.integer && !Number.isInteger(value))) {
    throw invalid(param, `must be ${rule.integer ? 'an integer' : 'a number'}`);
  }
  if (value < rule.min || value > rule.max) throw invalid(param, `must be between ${rule.min} and ${rule.max}, got ${value}`, rule.code);
  return value;
};

export const optionalEnum = <T extends string>(body: Body, param: string, allowed: readonly T[], code?: string): T | undefined => {
  const value = body[param];
  if (absent(value)) return undefined;
  if (typeof value !== 'string' || !allowed.includes(value as T)) {
    throw invalid(param, `must be one of ${allowed.map((a) => `'${a}'`).join(', ')}, got ${JSON.stringify(value)}`, code);
  }
  return value as T;
};

