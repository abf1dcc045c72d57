import type { IncomingMessage } from 'node:http';
import type { APIGatewayProxyEvent } from 'aws-lambda';

/** Content types API Gateway is configured to pass as binary (base64), as in the CDK stack. */
const BINARY = /^(multipart\/form-data|audio\/|image\/|video\/|application\/octet-stream)/i;

/** An own property whatever its name: assigning `__proto__` would set the prototype instead (and a string, nothing). */
const put = <T>(map: Record<string, T>, name: string, value: T): void => {
  if (name === '__proto__') Object.defineProperty(map, name, { value, enumerable: true, writable: true, configurable: true });
  else map[name] = value;
};

/**
 * Single- and multi-value maps from a flat name, value, name, value… list (Node's `rawHeaders`). Names are the
 * client's: one called `constructor` or `__proto__` is a parameter like any other, never an inherited member.
 */
const multiFromFlat = (flat: readonly string[]) => {
  const single: Record<string, string> = {};
  const multiple: Record<string, string[]> = {};
  for (let i = 0; i < flat.length; i += 2) {
    const name = flat[i]!;
    const value = flat[i + 1]!;
    put(single, name, value);
    const values = Object.hasOwn(multiple, name) ? multiple[name] : undefined;
    if (values) values.push(value);
    else put(multiple, name, [value]);
  }
  return { single, multiple };
};

/**
 * The first value of a header, by its lowercase name, from Node's `rawHeaders`: read there rather than through
 * `req.headers`, which Node builds on first use (every header parsed a second time), for the two the event names.
 */
const rawHeader = (flat: readonly string[], lowercase: string): string | undefined => {
  for (let i = 0; i < flat.length; i += 2) {
    const name = flat[i]!;
    if (name.length === lowercase.length && name.toLowerCase() === lowercase) return flat[i + 1];
  }
  return undefined;
};

const multi = (pairs: Iterable<[string, string]>) => {
  const flat: string[] = [];
  for (const [name, value] of pairs) flat.push(name, value);
  return multiFromFlat(flat);
};

export interface EventTarget {
  readonly resource: string;
  readonly pathParameters: Record<string, string> | null;
}

/**
 * Turns a Node request into the API Gateway REST (payload v1) proxy event a Lambda would receive. `url` is the
 * request target the server already parsed (parsing it once per request, not twice).
 */
export const toProxyEvent = (req: IncomingMessage, url: URL, body: Buffer, target: EventTarget, stage: string): APIGatewayProxyEvent => {
  const raw = req.rawHeaders;
  const headers = multiFromFlat(raw);
  const hasQuery = url.search.length > 1;
  const query = hasQuery ? multi(url.searchParams.entries()) : undefined;
  const contentType = rawHeader(raw, 'content-type') ?? '';
  const binary = BINARY.test(contentType);
  const requestId = crypto.randomUUID();
  const method = req.method ?? 'GET';
  return {
    resource: target.resource,
    path: url.pathname,
    httpMethod: method,
    headers: headers.single,
    multiValueHeaders: headers.multiple,
    queryStringParameters: query ? query.single : null,
    multiValueQueryStringParameters: query ? query.multiple : null,
    pathParameters: target.pathParameters,
    stageVariables: null,
    body: body.length === 0 ? null : binary ? body.toString('base64') : body.toString('utf8'),
    isBase64Encoded: binary && body.length > 0,
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      authorizer: null,
      protocol: `HTTP/${req.httpVersion}`,
      httpMethod: method,
      path: `/${stage}${url.pathname}`,
      stage,
      requestId,
      requestTimeEpoch: Date.now(),
      resourceId: 'local',
      resourcePath: target.resource,
      identity: {
        sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
        userAgent: rawHeader(raw, 'user-agent') ?? null,
        accessKey: null,
        accountId: null,
        apiKey: null,
        apiKeyId: null,
        caller: null,
        clientCert: null,
        cognitoAuthenticationProvider: null,
        cognitoAuthenticationType: null,
        cognitoIdentityId: null,
        cognitoIdentityPoolId: null,
        principalOrgId: null,
        user: null,
        userArn: null,
      },
    },
  };
};
