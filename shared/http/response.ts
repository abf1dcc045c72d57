import type { Readable } from 'node:stream';
import type { ComposeError } from '../../layers/core/errors.ts';

/** An operation's answer. A Readable body is piped to the client as it is produced (streaming families only). */
export interface HttpResult {
  readonly statusCode: number;
  readonly headers?: Record<string, string>;
  readonly body: string | Readable;
  readonly isBase64Encoded?: boolean;
}

const JSON_HEADERS = { 'content-type': 'application/json' } as const;

export const json = (statusCode: number, payload: unknown, headers?: Record<string, string>): HttpResult => ({
  statusCode,
  headers: headers ? { ...JSON_HEADERS, ...headers } : { ...JSON_HEADERS },
  body: JSON.stringify(payload),
});

export const errorResult = (error: ComposeError, requestId: string): HttpResult =>
  json(error.status, error.toBody(), { ...error.headers, 'x-request-id': requestId });
