/** Google's error shape (google.rpc.Status in JSON), as both APIs send it. */

export const GRPC_STATUS = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  429: 'RESOURCE_EXHAUSTED',
  500: 'INTERNAL',
  503: 'UNAVAILABLE',
  504: 'DEADLINE_EXCEEDED',
} as const;

export type GoogleErrorStatus = keyof typeof GRPC_STATUS;

export interface GoogleError {
  readonly httpStatus: GoogleErrorStatus;
  readonly body: { readonly error: { readonly code: number; readonly message: string; readonly status: string; readonly details?: readonly unknown[] } };
}

export const googleError = (httpStatus: GoogleErrorStatus, message: string, details?: readonly unknown[]): GoogleError => ({
  httpStatus,
  body: { error: { code: httpStatus, message, status: GRPC_STATUS[httpStatus], ...(details ? { details } : {}) } },
});

export const errorInfo = (reason: string, service: string): Record<string, unknown> => ({
  '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
  reason,
  domain: 'googleapis.com',
  metadata: { service },
});

export const retryInfo = (delay: string): Record<string, unknown> => ({ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: delay });

export const isGoogleError = (value: unknown): value is GoogleError =>
  typeof value === 'object' && value !== null && 'httpStatus' in value && 'body' in value;
