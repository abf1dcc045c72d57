import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEvent, Context } from 'aws-lambda';
import { UpstreamError, toComposeError } from '../../layers/core/errors.ts';
import { countProviderError, logger } from '../../layers/core/observability/index.ts';
import { requestIdOf } from './request.ts';
import { errorResult, type HttpResult } from './response.ts';

type HttpMiddleware = MiddlewareObj<APIGatewayProxyEvent, HttpResult, Error, Context>;

/** Echoes the request id on every answer, so a client can quote it and logs can be joined on it. */
export const requestIdHeader = (): HttpMiddleware => ({
  after: (request) => {
    const response = request.response;
    if (!response) return;
    request.response = { ...response, headers: { ...response.headers, 'x-request-id': requestIdOf(request.event) } };
  },
});

/**
 * Turns any error thrown before the first byte into one OpenAI-shaped error. 4xx messages reach the client;
 * 5xx are logged with their cause and answered generically. Errors after the first byte are the stream's job.
 */
export const openAiErrors = (log: (entry: Record<string, unknown>) => void = defaultLog): HttpMiddleware => ({
  onError: (request) => {
    const error = toComposeError(request.error);
    const requestId = requestIdOf(request.event);
    // Provider failures by their stable code (upstream_timeout, provider_not_configured, …), for the dashboard.
    if (error instanceof UpstreamError) countProviderError(error.code);
    if (error.status >= 500) {
      log({ level: 'error', requestId, code: error.code, message: error.message, cause: describe(error.cause) });
    }
    request.response = errorResult(error, requestId);
  },
});

const describe = (cause: unknown): string | undefined =>
  cause instanceof Error ? `${cause.name}: ${cause.message}` : cause === undefined ? undefined : String(cause);

const defaultLog = ({ level: _level, message, ...entry }: Record<string, unknown>): void => {
  logger.error(String(message), entry);
};
