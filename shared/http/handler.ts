import middy from '@middy/core';
import { executionModeStandard } from '@middy/core/executionModeStandard';
import type { APIGatewayProxyEvent, Context } from 'aws-lambda';
import { FAMILIES, routesOf, type Family } from '../routes.ts';
import { NotFoundError } from '../../layers/core/errors.ts';
import { callMetrics, countCall, observe } from '../../layers/core/observability/index.ts';
import { openAiErrors, requestIdHeader } from './middleware.ts';
import { checkPathParameters } from './path-ids.ts';
import { clientGoneOf, toHttpRequest, type HttpRequest } from './request.ts';
import type { HttpResult } from './response.ts';
import { streamingHandler } from './streaming.ts';

export type Operation = (request: HttpRequest, context: Context) => Promise<HttpResult> | HttpResult;
export type Operations = Readonly<Record<string, Operation>>;

const routeKey = (method: string, resource: string): string => `${method} ${resource}`;

/**
 * One Lambda handler per route family. It dispatches on the API Gateway resource and method through the route
 * table, so the table stays the only list of routes. Streaming families are response-streaming handlers.
 */
export const createFamilyHandler = (family: Family, operations: Operations) => {
  const dispatch = new Map<string, Operation>();
  for (const route of routesOf(family)) {
    const operation = operations[route.operation];
    if (!operation) throw new Error(`family ${family} has no operation ${route.operation}`);
    dispatch.set(routeKey(route.method, route.path), operation);
  }

  const handle = async (event: APIGatewayProxyEvent, context: Context): Promise<HttpResult> => {
    const operation = dispatch.get(routeKey(event.httpMethod, event.resource));
    if (!operation) throw new NotFoundError('route_not_found', `No route for ${event.httpMethod} ${event.path}.`);
    countCall(family);
    checkPathParameters(event.pathParameters);
    const http = toHttpRequest(event);
    const clientGone = clientGoneOf(context);
    return operation(clientGone ? { ...http, clientGone } : http, context);
  };

  return createHttpHandler(handle, FAMILIES[family].streaming);
};

/**
 * The middleware stack every function shares: the Powertools Logger, request id on every answer, OpenAI-shaped
 * errors. A streaming family's answer is then written into Lambda's response stream (shared/http/streaming.ts).
 */
export const createHttpHandler = (
  handle: (event: APIGatewayProxyEvent, context: Context) => Promise<HttpResult>,
  streaming: boolean,
) => {
  const answer = middy<APIGatewayProxyEvent, HttpResult, Error, Context>(handle, {
    executionMode: executionModeStandard,
    // Generations are bounded by their own deadlines; middy's early timeout would cut a stream mid-way.
    timeoutEarlyInMillis: 0,
    // A call's metrics go out as one EMF line when it ends: a streamed call ends with its body's last byte, after
    // middy's hooks have run (the handler returned the body), so streamingHandler brackets it instead.
    ...(streaming ? {} : callMetrics),
  })
    .use(observe<APIGatewayProxyEvent, HttpResult>())
    .use(requestIdHeader())
    .use(openAiErrors());
  return streaming ? streamingHandler(answer, callMetrics) : answer;
};
