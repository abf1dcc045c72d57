/**
 * An error the simulator answers with, in OpenAI's vocabulary; each flavor renders it in its provider's body
 * shape (see flavors.ts).
 */
export interface SimError {
  readonly status: number;
  readonly message: string;
  readonly type?: string;
  readonly param?: string | null;
  readonly code?: string | null;
  /** Extra response headers (Retry-After...). */
  readonly headers?: Readonly<Record<string, string>>;
}

export const invalidRequest = (message: string, param: string | null = null, code: string | null = null): SimError => ({
  status: 400,
  message,
  type: 'invalid_request_error',
  param,
  code,
});

/** OpenAI's wording for each injected status. */
export const statusError = (status: number, retryAfterSeconds: number | undefined): SimError => {
  switch (status) {
    case 429:
      return {
        status,
        message: 'Rate limit reached for requests. Please try again in 20ms. Visit https://platform.openai.com/account/rate-limits to learn more.',
        type: 'requests',
        code: 'rate_limit_exceeded',
        headers: { 'retry-after': String(retryAfterSeconds ?? 0), 'x-ratelimit-remaining-requests': '0' },
      };
    case 401:
      return { status, message: 'Incorrect API key provided.', type: 'invalid_request_error', code: 'invalid_api_key' };
    case 404:
      return { status, message: 'The requested resource does not exist.', type: 'invalid_request_error', code: 'not_found' };
    case 503:
      return { status, message: 'The engine is currently overloaded, please try again later.', type: 'server_error', code: null };
    case 504:
      return { status, message: 'Gateway timeout.', type: 'server_error', code: null };
    default:
      return status >= 500
        ? { status, message: 'The server had an error while processing your request. Sorry about that!', type: 'server_error', code: null }
        : invalidRequest(`Simulated ${status} error.`);
  }
};

/** The body OpenAI streams when a generation fails after it started. */
export const midstreamErrorBody = {
  error: { message: 'The server had an error while processing your request. Sorry about that!', type: 'server_error', param: null, code: null },
} as const;

export const openAIErrorBody = (error: SimError): Record<string, unknown> => ({
  error: { message: error.message, type: error.type ?? 'invalid_request_error', param: error.param ?? null, code: error.code ?? null },
});
