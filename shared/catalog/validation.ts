/**
 * Validation of catalog query input, written once: the same field rules check a JSON search body and
 * query-string parameters (which arrive as strings and are coerced first). Failures become 400s with a
 * stable code per field: `invalid_enum_value`, `invalid_limit`, `invalid_cursor`, `invalid_number`,
 * `invalid_boolean`, `invalid_string`.
 */
// zod/mini: the same rules as classic zod, tree-shaken to a few KB (classic adds ~450 KB to a function bundle).
import * as z from 'zod/mini';
import { InvalidRequestError } from '../../layers/core/errors.ts';
import { CANONICAL_MODALITIES, CANONICAL_OPERATIONS, MODEL_PROVIDERS, isCanonicalOperation, type CanonicalModality } from './enums.ts';

export const DEFAULT_PAGE_LIMIT = 50;
export const MAX_PAGE_LIMIT = 200;

// Built on first use, not at import: the inference function loads this module for its model routes, and zod's
// schema construction is a measurable part of a cold start that a chat call never needs.
const makeFields = () => ({
  q: z.string().check(z.maxLength(256)),
  modality: z.enum(CANONICAL_MODALITIES),
  operation: z.string().check(z.regex(/^[a-z0-9][a-z0-9-]*$/), z.refine(isCanonicalOperation)),
  provider: z.enum(MODEL_PROVIDERS),
  priceMaxPerMTok: z.number().check(z.minimum(0)),
  contextWindowMin: z.int().check(z.minimum(0)),
  streaming: z.boolean(),
  cursor: z.nullable(z.string().check(z.maxLength(1024))),
  limit: z.int().check(z.minimum(1), z.maximum(MAX_PAGE_LIMIT)),
  all: z.boolean(),
});
type Fields = ReturnType<typeof makeFields>;
let fieldsMemo: Fields | undefined;
const fields = (): Fields => (fieldsMemo ??= makeFields());

type FieldName = keyof Fields;

const ERROR_CODES: Record<FieldName, string> = {
  q: 'invalid_string',
  modality: 'invalid_enum_value',
  operation: 'invalid_enum_value',
  provider: 'invalid_enum_value',
  priceMaxPerMTok: 'invalid_number',
  contextWindowMin: 'invalid_number',
  streaming: 'invalid_boolean',
  cursor: 'invalid_cursor',
  limit: 'invalid_limit',
  all: 'invalid_boolean',
};

const ALLOWED: Partial<Record<FieldName, readonly string[]>> = {
  modality: CANONICAL_MODALITIES,
  operation: CANONICAL_OPERATIONS,
  provider: MODEL_PROVIDERS,
};

const NUMERIC = new Set<FieldName>(['priceMaxPerMTok', 'contextWindowMin', 'limit']);
const BOOLEAN = new Set<FieldName>(['streaming', 'all']);

/** Query strings carry text: numbers and booleans are read from it; anything else is left for the field rule to reject. */
const fromQueryString = (name: FieldName) => (value: unknown): unknown => {
  if (typeof value !== 'string') return value;
  if (value === '') return undefined;
  if (NUMERIC.has(name) && /^-?\d+(\.\d+)?$/.test(value)) return Number(value);
  if (BOOLEAN.has(name) && (value === 'true' || value === 'false')) return value === 'true';
  return value;
};

type Mode = 'json' | 'query';

type FieldSchema<K extends FieldName> = z.ZodMiniOptional<z.ZodMiniType<z.output<Fields[K]>>>;

const field = <K extends FieldName>(name: K, mode: Mode): FieldSchema<K> => {
  const rule: z.ZodMiniType = fields()[name];
  // The rule's static type survives preprocessing unchanged; TypeScript cannot see that through the generic index.
  return (mode === 'query' ? z.optional(z.pipe(z.transform(fromQueryString(name)), z.optional(rule))) : z.optional(rule)) as unknown as FieldSchema<K>;
};

const schemas = (mode: Mode) => ({
  search: z.object({
    q: field('q', mode),
    modality: field('modality', mode),
    operation: field('operation', mode),
    provider: field('provider', mode),
    priceMaxPerMTok: field('priceMaxPerMTok', mode),
    contextWindowMin: field('contextWindowMin', mode),
    streaming: field('streaming', mode),
    cursor: field('cursor', mode),
    limit: field('limit', mode),
  }),
  listModels: z.object({ provider: field('provider', mode), modality: field('modality', mode), limit: field('limit', mode), all: field('all', mode) }),
  operationModels: z.object({
    q: field('q', mode),
    provider: field('provider', mode),
    streaming: field('streaming', mode),
    cursor: field('cursor', mode),
    limit: field('limit', mode),
  }),
  provider: z.object({ provider: field('provider', mode) }),
});

type Schemas = ReturnType<typeof schemas>;
const memo: Partial<Record<Mode, Schemas>> = {};
const schemasFor = (mode: Mode): Schemas => (memo[mode] ??= schemas(mode));

/** POST /v1/models/search's body, for the OpenAPI drift test. */
export const searchBodySchema = (): Schemas['search'] => schemasFor('json').search;

export type SearchFilters = z.infer<Schemas['search']>;
export type ListModelsOptions = z.infer<Schemas['listModels']>;
export type OperationModelsOptions = z.infer<Schemas['operationModels']>;
export type ProviderOption = z.infer<Schemas['provider']>;

/** Query parameters as API Gateway hands them over (`null` when there are none). */
export type QueryParams = Readonly<Record<string, string | undefined>> | null | undefined;

const describe = (name: string, value: unknown, issueMessage: string): string => {
  const allowed = ALLOWED[name as FieldName];
  if (allowed) return `Invalid value ${JSON.stringify(value)} for '${name}'. Expected one of: ${allowed.join(', ')}.`;
  if (name === 'limit') return `'limit' must be an integer from 1 to ${MAX_PAGE_LIMIT}; got ${JSON.stringify(value)}.`;
  return `Invalid value ${JSON.stringify(value)} for '${name}': ${issueMessage}.`;
};

const parseWith = <S extends z.ZodMiniType>(schema: S, input: unknown): z.infer<S> => {
  if (input !== undefined && (input === null || typeof input !== 'object' || Array.isArray(input))) {
    throw new InvalidRequestError('invalid_request_body', 'The request body must be a JSON object.');
  }
  const result = schema.safeParse(input ?? {});
  if (result.success) return result.data;
  const [issue] = result.error.issues;
  const name = String(issue?.path[0] ?? 'body');
  const value = (input as Record<string, unknown> | undefined)?.[name];
  throw new InvalidRequestError(ERROR_CODES[name as FieldName] ?? 'invalid_request', describe(name, value, issue?.message ?? 'invalid'), {
    param: name,
  });
};

/** Validates the JSON body of POST /v1/models/search. A missing body searches everything. */
export const parseSearchRequest = (body: unknown): SearchFilters => parseWith(schemasFor('json').search, body);

/** GET /v1/models (and /v1/models/all): `provider`, `modality`, `limit`. */
export const parseListModelsQuery = (query: QueryParams): ListModelsOptions => parseWith(schemasFor('query').listModels, query ?? {});

/** GET /v1/modalities/{modality}/operations/{operation}/models: `q`, `provider`, `streaming`, `cursor`, `limit`. */
export const parseOperationModelsQuery = (query: QueryParams): OperationModelsOptions => parseWith(schemasFor('query').operationModels, query ?? {});

/** GET /v1/models/{model} and /params: `provider`. */
export const parseProviderQuery = (query: QueryParams): ProviderOption => parseWith(schemasFor('query').provider, query ?? {});

export const validateListModelsOptions = (options: unknown): ListModelsOptions => parseWith(schemasFor('json').listModels, options);
export const validateOperationModelsOptions = (options: unknown): OperationModelsOptions => parseWith(schemasFor('json').operationModels, options);
export const validateProvider = (provider: unknown): ProviderOption['provider'] => parseWith(schemasFor('json').provider, { provider }).provider;

/** A `{modality}` path segment. */
export const parseModality = (value: string): CanonicalModality => {
  const parsed = fields().modality.safeParse(value);
  if (parsed.success) return parsed.data;
  throw new InvalidRequestError('invalid_enum_value', describe('modality', value, 'unknown modality'), { param: 'modality' });
};
