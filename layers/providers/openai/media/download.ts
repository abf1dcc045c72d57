/**
 * Some providers answer with URLs to their own storage instead of bytes; the adapter fetches them so the
 * gateway always holds the bytes (and stores them in its own bucket: provider URLs expire within the hour).
 */
import { UpstreamError } from '../../../core/errors.ts';
import { fetchWithRetry } from '../../http/fetch-with-retry.ts';
import { UPSTREAM_CODES } from '../../http/upstream-error.ts';
import type { CallOptions, ProviderTransport } from '../../types.ts';
import { cleanupFailed } from '../../../core/observability/index.ts';
import { bodyChunks, discardBody } from '../../http/provider-response.ts';

export const downloadBytes = async (url: string, transport: ProviderTransport, options: CallOptions, maxBytes: number): Promise<{ data: Uint8Array; mediaType: string }> => {
  const response = await fetchWithRetry(url, { method: 'GET', redirect: 'follow' }, { signal: options.signal, ...(transport.fetch ? { fetch: transport.fetch } : {}) });
  if (!response.ok) {
    await discardBody(response).catch(cleanupFailed('cancelling the provider response body'));
    throw new UpstreamError(502, UPSTREAM_CODES.invalidResponse, `The provider's media URL answered ${response.status}.`);
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of bodyChunks(response) ?? []) {
    size += chunk.byteLength;
    if (size > maxBytes) {
      await discardBody(response).catch(cleanupFailed('cancelling the provider response body'));
      throw new UpstreamError(502, UPSTREAM_CODES.invalidResponse, 'The provider returned more media than the gateway accepts.');
    }
    chunks.push(chunk);
  }
  return { data: Buffer.concat(chunks, size), mediaType: response.headers.get('content-type') ?? 'application/octet-stream' };
};
