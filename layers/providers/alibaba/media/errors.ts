/**
 * DashScope error bodies → the shared description. The native API answers `{request_id, code, message}`; the
 * compatible mode answers OpenAI's shape. `DataInspectionFailed` is DashScope's content-filter refusal.
 */
import type { ProviderErrorDescription } from '../../http/media-call.ts';
import { describeProviderError } from '../../openai-compatible/error-parsing.ts';
import { dashscopeErrorSchema } from './wire.ts';

const CONTENT_FILTER_CODES = new Set(['DataInspectionFailed', 'data_inspection_failed', 'IPInfringementSuspect']);

export const isDashscopeContentFilter = (code: string | undefined): boolean => code !== undefined && CONTENT_FILTER_CODES.has(code);

export const describeDashscopeError = (body: unknown): ProviderErrorDescription => {
  const native = dashscopeErrorSchema.safeParse(body);
  if (native.success && native.data.code !== undefined) {
    const code = native.data.code;
    return {
      message: native.data.message ?? code,
      contentFilter: isDashscopeContentFilter(code),
      // An invalid key is a 401 on every route; DashScope says so by code too.
      ...(code === 'InvalidApiKey' ? { status: 401 } : {}),
    };
  }
  const described = describeProviderError(body);
  return { message: described.message, contentFilter: described.contentFilter };
};
