/** Roboflow error bodies (`{message}`, `{error}`, FastAPI's `{detail}`) → the shared description. */
import type { ProviderErrorDescription } from '../http/media-call.ts';
import { roboflowErrorSchema } from './wire.ts';

export const describeRoboflowError = (body: unknown): ProviderErrorDescription => {
  if (typeof body === 'string') return { message: body };
  const parsed = roboflowErrorSchema.safeParse(body);
  if (!parsed.success) return { message: '' };
  const { message, error, detail } = parsed.data;
  const text = message ?? (typeof error === 'string' ? error : error?.message) ?? (typeof detail === 'string' ? detail : detail === undefined ? '' : JSON.stringify(detail));
  return { message: text };
};
