/** Deepgram error bodies → the shared description; `INVALID_AUTH` is an auth failure whatever the status. */
import type { ProviderErrorDescription } from '../http/media-call.ts';
import { deepgramErrorSchema } from './wire.ts';

export const describeDeepgramError = (body: unknown): ProviderErrorDescription => {
  const parsed = deepgramErrorSchema.safeParse(body);
  if (!parsed.success) return { message: typeof body === 'string' ? body : '' };
  const { err_code: code, err_msg: legacy, category, message, details } = parsed.data;
  const text = [legacy ?? message, details].filter((part) => part !== undefined && part !== '').join(': ');
  return { message: text, ...(code === 'INVALID_AUTH' || category === 'INVALID_AUTH' ? { status: 401 } : {}) };
};
