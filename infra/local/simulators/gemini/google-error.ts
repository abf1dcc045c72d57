/** Google's error shape (google.rpc.Status in JSON), as both APIs send it. */

const GRPC_STATUS: Readonly<Record<number, string>> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  409: 'ABORTED',
  429: 'RESOURCE_EXHAUSTED',
  499: 'CANCELLED',
  500: 'INTERNAL',
  501: 'UNIMPLEMENTED',
  503: 'UNAVAILABLE',
  504: 'DEADLINE_EXCEEDED',
};

const grpcStatus = (httpStatus: number): string => GRPC_STATUS[httpStatus] ?? (httpStatus >= 500 ? 'INTERNAL' : 'FAILED_PRECONDITION');

export interface GoogleError {
  readonly httpStatus: number;
  readonly body: { readonly error: { readonly code: number; readonly message: string; readonly status: string; readonly details?: readonly unknown[] } };
}

export const googleError = (httpStatus: number, message: string, details?: readonly unknown[]): GoogleError => ({
  httpStatus,
  body: { error: { code: httpStatus, message, status: grpcStatus(httpStatus), ...(details ? { details } : {}) } },
});

export const errorInfo = (reason: string, service: string): Record<string, unknown> => ({
  '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
  reason,
  domain: 'googleapis.com',
  metadata: { service },
});

/** Google says how long to wait in a RetryInfo detail, not in a Retry-After header. */
export const retryInfo = (seconds: number): Record<string, unknown> => ({ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: `${seconds}s` });

/** Google's wording for each injected status. */
export const statusError = (httpStatus: number, retryAfterSeconds: number | undefined): GoogleError => {
  switch (httpStatus) {
    case 429:
      return googleError(429, 'Resource has been exhausted (e.g. check quota).', [retryInfo(retryAfterSeconds ?? 0)]);
    case 500:
      return googleError(500, 'An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting');
    case 503:
      return googleError(503, 'The model is overloaded. Please try again later.');
    case 504:
      return googleError(504, 'The request timed out. Please try again.');
    default:
      return googleError(httpStatus, `Simulated ${httpStatus} error.`);
  }
};

export const isGoogleError = (value: unknown): value is GoogleError =>
  typeof value === 'object' && value !== null && 'httpStatus' in value && 'body' in value;
