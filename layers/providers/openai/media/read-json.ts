import type * as z from 'zod';
import { UpstreamError } from '../../../core/errors.ts';
import { UPSTREAM_CODES } from '../../http/upstream-error.ts';
import type { ProviderResponse } from '../../http/provider-response.ts';

/** A 2xx body that is not what the provider documents is the provider's fault: 502, never a crash. */
export const readWire = async <T>(response: ProviderResponse, schema: z.ZodType<T>, what: string): Promise<T> => {
  let value: unknown;
  try {
    value = await response.json();
  } catch (cause) {
    throw new UpstreamError(502, UPSTREAM_CODES.invalidResponse, `The provider sent an unreadable ${what} response.`, { cause });
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new UpstreamError(502, UPSTREAM_CODES.invalidResponse, `The provider sent a malformed ${what} response.`, { cause: parsed.error });
  return parsed.data;
};
