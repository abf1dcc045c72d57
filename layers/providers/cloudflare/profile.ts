/**
 * Cloudflare Workers AI, OpenAI-compatible endpoint: the account id is part of the path
 * (`/client/v4/accounts/{account_id}/ai/v1/chat/completions`), models are `@cf/...` / `@hf/...`, and the
 * platform's own errors use the v4 envelope `{success:false, errors:[{code,message}]}`.
 * https://developers.cloudflare.com/workers-ai/configuration/open-ai-compatibility/
 */
import { bearerAuth, requireOption, type OpenAICompatibleProfile, type UrlContext } from '../openai-compatible/profile.ts';

const chatCompletionsURL = (context: UrlContext): string =>
  `${context.baseURL}/accounts/${encodeURIComponent(requireOption(context, 'accountId', 'cloudflare'))}/ai/v1/chat/completions`;

export const cloudflareProfile: OpenAICompatibleProfile = {
  provider: 'cloudflare',
  defaultBaseURL: 'https://api.cloudflare.com/client/v4',
  chatCompletionsURL,
  authHeaders: bearerAuth,
  quirks: () => ({}),
  supports: { audioInput: false, fileInput: false, jsonSchema: true, streamUsage: true },
};
