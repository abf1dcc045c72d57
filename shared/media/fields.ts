/**
 * The zod building blocks of media request bodies, with one clear 400 per problem (words and codes from
 * `parseBody`, shared/calls/fields.ts). JSON bodies and multipart fields are checked by the same schema, built
 * per mode: a multipart field is always a string, so in a form numbers and booleans are read from their text
 * (and an empty number field is an absent one); in JSON each field must have its own type, as OpenAI requires.
 * `null` is an absent optional field, as OpenAI's SDKs send it.
 */
// A namespace import lets esbuild drop the parts of zod we do not use (its 40-odd locales among them).
import * as z from 'zod';
import { codesByKind, modelSchema, MODEL_REFUSAL, parseBody, whereOf, type FieldRefusal } from '../calls/fields.ts';

export type Body = Readonly<Record<string, unknown>>;

/** JSON bodies carry typed values; multipart fields carry text. */
export type Mode = 'json' | 'form';

/** Bodies made from multipart fields, whose values are text by nature (see `fieldsAsBody`). */
const FORM_BODIES = new WeakSet<object>();

export const asFormFields = <T extends Record<string, unknown>>(body: T): T => {
  FORM_BODIES.add(body);
  return body;
};

export const isFormFields = (body: Body): boolean => FORM_BODIES.has(body);

/** A string field. */
export const text = () => z.string().nullish();

/** A string field that must be sent, non-empty: `missing_<field>` otherwise. */
export const requiredText = () => z.string().min(1);

/** One of a fixed set of strings (the refusal's code is the field's to choose; `invalid_parameter` by default). */
export const oneOf = <const T extends readonly [string, ...string[]]>(values: T) => z.enum(values).nullish();

/** A multipart number's text as the number (an empty field is absent); anything else is left for the rule to refuse. */
const numberFromText = (value: unknown): unknown => (value === '' ? undefined : typeof value === 'string' && value.trim() !== '' ? Number(value) : value);

/** A number in [min, max]; a wrong type is `must be a number` (or `an integer`), out of range names both bounds and the value. */
export const numberIn = (mode: Mode, min: number, max: number, options: { readonly integer?: boolean } = {}) => {
  const kind = options.integer ? 'an integer' : 'a number';
  // Every check's words: the type (an integer's own check included), then the bounds (a safe integer's too).
  const words = (issue: z.core.$ZodRawIssue) =>
    issue.code === 'invalid_type'
      ? `Invalid '${whereOf(issue)}': must be ${kind}.`
      : issue.code === 'too_small' || issue.code === 'too_big'
        ? `Invalid '${whereOf(issue)}': must be between ${min} and ${max}, got ${String(issue.input)}.`
        : undefined;
  const number = z.number({ error: words });
  const rule = (options.integer ? number.int() : number).min(min).max(max).nullish();
  return mode === 'form' ? z.preprocess(numberFromText, rule) : rule;
};

/** A boolean; in a form, the text `true` or `false`. */
export const flag = (mode: Mode) => {
  const rule = z.boolean().nullish();
  return mode === 'form' ? z.preprocess((value) => (value === 'true' ? true : value === 'false' ? false : value), rule) : rule;
};

/** The fields the gateway itself reads on every media route, beside the OpenAI ones. */
export const gatewayFields = () => ({ model: modelSchema, provider: text() });

/** The refusals shared by every media body: `model`'s own codes. */
export const GATEWAY_REFUSALS: Readonly<Record<string, FieldRefusal>> = { model: MODEL_REFUSAL };

/**
 * A body schema for JSON and for multipart fields, each built once, on its first use: a zod schema costs far more
 * to construct than to run, building every route's pair at import was ~5 ms of the media function's init here, and
 * a call needs one mode of one route.
 */
export const bodySchemas = <S extends z.ZodType>(build: (mode: Mode) => S): { readonly json: S; readonly form: S } => {
  let json: S | undefined;
  let form: S | undefined;
  return {
    get json() {
      return (json ??= build('json'));
    },
    get form() {
      return (form ??= build('form'));
    },
  };
};

/**
 * A route's one body schema (the same rules for JSON and for multipart fields), built on its first use: a media
 * cold start then builds only the schema of the route its first call takes.
 */
export const bodySchema = <S extends z.ZodType>(build: () => S): { readonly json: S; readonly form: S } => {
  let schema: S | undefined;
  const get = (): S => (schema ??= build());
  return {
    get json() {
      return get();
    },
    get form() {
      return get();
    },
  };
};

/** A media body (JSON, or multipart fields via `fieldsAsBody`) checked by its route's schema for that mode. */
export const parseMediaBody = <S extends z.ZodType>(schemas: S | { readonly json: S; readonly form: S }, body: Body, refusals: Readonly<Record<string, FieldRefusal>> = {}): z.output<S> => {
  const schema = schemas instanceof z.ZodType ? schemas : isFormFields(body) ? schemas.form : schemas.json;
  return parseBody(schema, body, { ...GATEWAY_REFUSALS, ...refusals });
};

/** `null` read as unset, for a parsed field. */
export const unset = <T>(value: T | null | undefined): T | undefined => value ?? undefined;

export { codesByKind };
