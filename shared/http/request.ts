import type { APIGatewayProxyEvent } from 'aws-lambda';
import { InvalidRequestError, PayloadTooLargeError } from '../../layers/core/errors.ts';
import { jsonNestsDeeperThan, MAX_JSON_DEPTH } from './json-depth.ts';

/** What an operation sees of a request: the API Gateway event, normalized once. */
export interface HttpRequest {
  readonly event: APIGatewayProxyEvent;
  readonly requestId: string;
  readonly method: string;
  readonly path: string;
  /** Header names lowercased; the last value wins, as in the REST API's `headers`. */
  readonly headers: Readonly<Record<string, string>>;
  readonly query: Readonly<Record<string, string>>;
  readonly pathParameters: Readonly<Record<string, string>>;
  /**
   * Aborts when the client hangs up, where the runtime can tell before any write (the local runtime: its socket
   * closed). Lambda cannot: there the first failed write of a streamed body says so (`layers/core/sse/body.ts`).
   */
  readonly clientGone?: AbortSignal;
}

/** Where a runtime puts its hang-up signal on the Lambda context (a name no AWS context field can take). */
export const CLIENT_GONE = Symbol.for('compose.clientGone');

export const clientGoneOf = (context: object | undefined): AbortSignal | undefined => {
  const signal = (context as Record<symbol, unknown> | undefined)?.[CLIENT_GONE];
  return signal instanceof AbortSignal ? signal : undefined;
};

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,200}$/;

/** The client's `X-Request-Id` when it is usable, else the id API Gateway (or the local runtime) minted. */
export const requestIdOf = (event: APIGatewayProxyEvent): string => {
  const headers = event.headers ?? {};
  for (const name in headers) {
    if (name.length === 12 && name.toLowerCase() === 'x-request-id') {
      const value = headers[name];
      if (value && REQUEST_ID.test(value)) return value;
    }
  }
  return event.requestContext?.requestId || crypto.randomUUID();
};

const lowercaseKeys = (record: Record<string, string | undefined> | null): Record<string, string> => {
  const out: Record<string, string> = {};
  if (!record) return out;
  for (const name in record) {
    const value = record[name];
    if (value !== undefined) out[name.toLowerCase()] = value;
  }
  return out;
};

const definedValues = (record: Record<string, string | undefined> | null): Record<string, string> => {
  const out: Record<string, string> = {};
  if (!record) return out;
  for (const name in record) {
    const value = record[name];
    if (value !== undefined) out[name] = value;
  }
  return out;
};

export const toHttpRequest = (event: APIGatewayProxyEvent): HttpRequest => ({
  event,
  requestId: requestIdOf(event),
  method: event.httpMethod,
  path: event.path,
  headers: lowercaseKeys(event.headers),
  query: definedValues(event.queryStringParameters),
  pathParameters: definedValues(event.pathParameters),
});

/** API Gateway's own payload limit; a body this large never reaches a function in the cloud. */
export const DEFAULT_MAX_JSON_BYTES = 10 * 1024 * 1024;

export const rawBody = (req: HttpRequest): Buffer => {
  const { body, isBase64Encoded } = req.event;
  if (!body) return Buffer.alloc(0);
  return isBase64Encoded ? Buffer.from(body, 'base64') : Buffer.from(body, 'utf8');
};

/** Parses a JSON object body, with one clear error for each way it can be wrong. */
export const readJsonObject = (req: HttpRequest, maxBytes = DEFAULT_MAX_JSON_BYTES): Record<string, unknown> => {
  const { body, isBase64Encoded } = req.event;
  const text = body ? (isBase64Encoded ? Buffer.from(body, 'base64').toString('utf8') : body) : '';
  if (Buffer.byteLength(text, 'utf8') > maxBytes) {
    throw new PayloadTooLargeError('payload_too_large', `Request body exceeds ${maxBytes} bytes.`);
  }
  if (text.trim() === '') throw new InvalidRequestError('missing_body', 'Request body is required and must be a JSON object.');
  if (jsonNestsDeeperThan(text, MAX_JSON_DEPTH)) {
    throw new InvalidRequestError('json_too_deep', `Request body nests objects and arrays more than ${MAX_JSON_DEPTH} levels deep.`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new InvalidRequestError('invalid_json', 'Request body is not valid JSON.');
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new InvalidRequestError('invalid_body', 'Request body must be a JSON object.');
  }
  return parsed as Record<string, unknown>;
};
