import { sanitizeUpstreamMessage } from '../../layers/providers/http/sanitize.ts';
import { type ComposeError, UpstreamError, toComposeError } from '../../layers/core/errors.ts';

/**
 * Provider errors reach external clients with content-filter texts replaced by one neutral message and URLs and
 * secrets redacted: they were not written for third parties and can leak internals. They keep what the gateway
 * itself says about them (details, `Retry-After`) and gain `diagnostics`: the headers naming the provider and
 * wire model that failed, which the external routes promise on sanitized errors as on answers.
 */
export const sanitizeForExternal = (error: unknown, diagnostics: Readonly<Record<string, string>> = {}): ComposeError => {
  const e = toComposeError(error);
  if (!(e instanceof UpstreamError) && e.code !== 'content_filter') return e;
  const message = sanitizeUpstreamMessage(e.message, { contentFilter: e.code === 'content_filter' });
  return new UpstreamError(e.status, e.code, message, {
    headers: { ...e.headers, ...diagnostics },
    ...(e.details ? { details: e.details } : {}),
    cause: e,
  });
};
