/** Router error bodies: Hugging Face's `{error}` (string or list), else the partner's own (OpenAI's, fal's `{detail}`). */
import type { ProviderErrorDescription } from '../../http/media-call.ts';
import { describeProviderError } from '../../openai-compatible/error-parsing.ts';
import { hfErrorSchema } from './wire.ts';

export const describeHfError = (body: unknown): ProviderErrorDescription => {
  const hf = hfErrorSchema.safeParse(body);
  if (hf.success) return { message: Array.isArray(hf.data.error) ? hf.data.error.join('; ') : hf.data.error };
  const described = describeProviderError(body);
  return { message: described.message, contentFilter: described.contentFilter };
};
