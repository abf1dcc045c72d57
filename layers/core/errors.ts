/**
 * Every failure the API reports is one of these classes, and each maps to exactly one OpenAI-shaped body
 * `{error:{message,type,code}}`. Codes are stable: clients branch on them.
 */

export type ErrorType =
  | 'invalid_request_error'
  | 'authentication_error'
  | 'permission_error'
  | 'payment_required'
  | 'not_found_error'
  | 'rate_limit_error'
  | 'api_error';

export interface ErrorBody {
  readonly error: {
    readonly message: string;
    readonly type: ErrorType;
    readonly code: string;
    readonly param?: string | null;
    readonly details?: Record<string, unknown>;
  };
}

export interface ErrorOptions {
  readonly param?: string;
  readonly details?: Record<string, unknown>;
  readonly headers?: Record<string, string>;
  readonly cause?: unknown;
}

export class ComposeError extends Error {
  override readonly name: string = 'ComposeError';
  readonly status: number;
  readonly type: ErrorType;
  readonly code: string;
  readonly param: string | undefined;
  readonly details: Record<string, unknown> | undefined;
  /** Extra response headers, such as `Allow` or `Retry-After`. */
  readonly headers: Record<string, string> | undefined;

  constructor(status: number, type: ErrorType, code: string, message: string, options: ErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.status = status;
    this.type = type;
    this.code = code;
    this.param = options.param;
    this.details = options.details;
    this.headers = options.headers;
  }

  /** 5xx messages stay generic so internals never reach a client (middy's `expose` rule). */
  get exposed(): boolean {
    return this.status < 500 || this instanceof UpstreamError;
  }

  toBody(): ErrorBody | Record<string, unknown> {
    return {
      error: {
        message: this.exposed ? this.message : 'The server had an error while processing your request.',
        type: this.type,
        code: this.code,
        ...(this.param ? { param: this.param } : {}),
        ...(this.details ? { details: this.details } : {}),
      },
    };
  }
}

export class InvalidRequestError extends ComposeError {
  override readonly name = 'InvalidRequestError';
  constructor(code: string, message: string, options?: ErrorOptions) {
    super(400, 'invalid_request_error', code, message, options);
  }
}

export class NotFoundError extends ComposeError {
  override readonly name = 'NotFoundError';
  constructor(code: string, message: string, options?: ErrorOptions) {
    super(404, 'not_found_error', code, message, options);
  }
}

export class MethodNotAllowedError extends ComposeError {
  override readonly name = 'MethodNotAllowedError';
  constructor(method: string, path: string, allowed: readonly string[]) {
    super(405, 'invalid_request_error', 'method_not_allowed', `${method} is not allowed on ${path}; use ${allowed.join(', ')}.`, {
      headers: { allow: allowed.join(', ') },
    });
  }
}

export class ConflictError extends ComposeError {
  override readonly name = 'ConflictError';
  constructor(code: string, message: string, options?: ErrorOptions) {
    super(409, 'invalid_request_error', code, message, options);
  }
}

export class UnprocessableError extends ComposeError {
  override readonly name = 'UnprocessableError';
  constructor(code: string, message: string, options?: ErrorOptions) {
    super(422, 'invalid_request_error', code, message, options);
  }
}

export class PayloadTooLargeError extends ComposeError {
  override readonly name = 'PayloadTooLargeError';
  constructor(code: string, message: string, options?: ErrorOptions) {
    super(413, 'invalid_request_error', code, message, options);
  }
}

export class UnsupportedMediaTypeError extends ComposeError {
  override readonly name = 'UnsupportedMediaTypeError';
  constructor(code: string, message: string, options?: ErrorOptions) {
    super(415, 'invalid_request_error', code, message, options);
  }
}

export class AuthenticationError extends ComposeError {
  override readonly name = 'AuthenticationError';
  constructor(code: string, message: string, options?: ErrorOptions) {
    super(401, 'authentication_error', code, message, options);
  }
}

export class PermissionError extends ComposeError {
  override readonly name = 'PermissionError';
  constructor(code: string, message: string, options?: ErrorOptions) {
    super(403, 'permission_error', code, message, options);
  }
}

export class PaymentRequiredError extends ComposeError {
  override readonly name = 'PaymentRequiredError';
  constructor(code: string, message: string, options?: ErrorOptions) {
    super(402, 'payment_required', code, message, options);
  }
}

export class RateLimitError extends ComposeError {
  override readonly name = 'RateLimitError';
  constructor(code: string, message: string, options?: ErrorOptions) {
    super(429, 'rate_limit_error', code, message, options);
  }
}

/** A provider failed. The message is already sanitized (see `sanitizeUpstreamMessage`). */
export class UpstreamError extends ComposeError {
  override readonly name = 'UpstreamError';
  constructor(status: number, code: string, message: string, options?: ErrorOptions) {
    super(status, status === 429 ? 'rate_limit_error' : status < 500 ? 'invalid_request_error' : 'api_error', code, message, options);
  }
}

export class InternalError extends ComposeError {
  override readonly name = 'InternalError';
  constructor(message: string, options?: ErrorOptions) {
    super(500, 'api_error', 'internal_error', message, options);
  }
}

/** Anything thrown that is not a ComposeError is an internal error; its message never reaches the client. */
export const toComposeError = (err: unknown): ComposeError =>
  err instanceof ComposeError ? err : new InternalError(err instanceof Error ? err.message : String(err), { cause: err });

/** A route the contract names whose implementation has not landed yet: honest, and never a 500. */
export class NotImplementedError extends ComposeError {
  override readonly name = 'NotImplementedError';
  constructor(what: string) {
    super(501, 'api_error', 'not_implemented', `${what} is not available on this deployment yet.`);
  }
  override get exposed(): boolean {
    return true;
  }
}

/**
 * The client hung up before its answer: nobody reads this error, and it is no gateway fault (a 5xx, logged as
 * one). 499 as nginx names it: "client closed request".
 */
export class ClientClosedError extends ComposeError {
  override readonly name = 'ClientClosedError';
  constructor(options?: ErrorOptions) {
    super(499, 'invalid_request_error', 'client_closed_request', 'The client closed the connection.', options);
  }
}
