/** ElevenLabs error bodies → the shared description. Key problems are auth failures whatever the status. */
import type { ProviderErrorDescription } from '../http/media-call.ts';
import { elevenlabsErrorSchema } from './wire.ts';

const AUTH_STATUSES = new Set(['invalid_api_key', 'needs_authorization', 'missing_permissions']);

export const describeElevenLabsError = (body: unknown): ProviderErrorDescription => {
  const parsed = elevenlabsErrorSchema.safeParse(body);
  if (!parsed.success) return { message: typeof body === 'string' ? body : '' };
  const { detail } = parsed.data;
  if (typeof detail === 'string') return { message: detail };
  if (Array.isArray(detail)) return { message: detail.map((item) => [item.loc?.slice(1).join('.'), item.msg].filter(Boolean).join(': ')).join('; ') };
  return { message: detail.message ?? detail.status ?? '', ...(detail.status && AUTH_STATUSES.has(detail.status) ? { status: 401 } : {}) };
};
