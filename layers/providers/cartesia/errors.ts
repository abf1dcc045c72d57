/** Cartesia error bodies → the shared description; an invalid key is an auth failure whatever the status. */
import type { ProviderErrorDescription } from '../http/media-call.ts';
import { cartesiaErrorSchema } from './wire.ts';

const AUTH_CODES = new Set(['invalid_api_key', 'unauthorized', 'api_key_missing']);

export const describeCartesiaError = (body: unknown): ProviderErrorDescription => {
  if (typeof body === 'string') return { message: body };
  const parsed = cartesiaErrorSchema.safeParse(body);
  if (!parsed.success) return { message: '' };
  const { title, message, error, error_code: code } = parsed.data;
  return { message: message ?? error ?? title ?? '', ...(code && AUTH_CODES.has(code) ? { status: 401 } : {}) };
};
