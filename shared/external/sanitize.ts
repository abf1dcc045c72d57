import { sanitizeUpstreamMessage } from '../../layers/providers/http/sanitize.ts';
import { ComposeError, UpstreamError, toComposeError } from '../errors.ts';

/**
 * Provider errors reach external clients with content-filter texts replaced by one neutral message and URLs and
 * secrets redacted: they were not written for third parties and can leak internals.
 */
export const sanitizeForExternal = (error: unknown): ComposeError => {
  const e = toComposeError(error);
  if (!(e instanceof UpstreamError) && e.code !== 'content_filter') return e;
  const message = sanitizeUpstreamMessage(e.message, { contentFilter: e.code === 'content_filter' });
  return message === e.message ? e : new UpstreamError(e.status, e.code, message, { headers: e.headers });
};
