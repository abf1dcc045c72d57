/**
 * Hugging Face Inference Providers through the router: model ids are Hub repo ids, optionally suffixed with
 * a provider or policy (`meta-llama/Llama-3.1-8B-Instruct:cerebras`, `:fastest`). Errors may be a bare
 * `{error: "..."}` string (handled by the shared error parser).
 * https://huggingface.co/docs/inference-providers
 */
import { bearerAuth, standardChatURL, type OpenAICompatibleProfile } from '../openai-compatible/profile.ts';

export const huggingfaceProfile: OpenAICompatibleProfile = {
  provider: 'hugging face',
  defaultBaseURL: 'https://router.huggingface.co/v1',
  chatCompletionsURL: standardChatURL,
  authHeaders: bearerAuth,
  quirks: () => ({}),
  supports: { audioInput: false, fileInput: false, jsonSchema: true, streamUsage: true },
};
