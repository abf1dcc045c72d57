import type { IncomingMessage } from 'node:http';
import type { APIGatewayProxyEvent } from 'aws-lambda';

/** Content types API Gateway is configured to pass as binary (base64), as in the CDK stack. */
const BINARY = /^(multipart\/form-data|audio\/|image\/|video\/|application\/octet-stream)/i;

const multi = (pairs: Iterable<[string, string]>) => {
  const single: Record<string, string> = {};
  const multiple: Record<string, string[]> = {};
  for (const [name, value] of pairs) {
    single[name] = value;
    (multiple[name] ??= []).push(value);
  }
  return { single, multiple };
};

function* headerPairs(raw: string[]): Generator<[string, string]> {
  for (let i = 0; i < raw.length; i += 2) yield [raw[i]!, raw[i + 1]!];
}

export interface EventTarget {
  readonly resource: string;
  readonly pathParameters: Record<string, string> | null;
}

/** Turns a Node request into the API Gateway REST (payload v1) proxy event a Lambda would receive. */
export const toProxyEvent = (req: IncomingMessage, body: Buffer, target: EventTarget, stage: string): APIGatewayProxyEvent => {
  const url = new URL(req.url ?? '/', 'http://local');
  const headers = multi(headerPairs(req.rawHeaders));
  const hasQuery = url.search.length > 1;
  const query = multi(url.searchParams.entries());
  const contentType = req.headers['content-type'] ?? '';
  const binary = BINARY.test(contentType);
  const requestId = crypto.randomUUID();
  const method = req.method ?? 'GET';
  return {
    resource: target.resource,
    path: url.pathname,
    httpMethod: method,
    headers: headers.single,
    multiValueHeaders: headers.multiple,
    queryStringParameters: hasQuery ? query.single : null,
    multiValueQueryStringParameters: hasQuery ? query.multiple : null,
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
        userAgent: req.headers['user-agent'] ?? null,
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
