/**
 * AI/ML API: an OpenAI-compatible aggregator at https://api.aimlapi.com/v1. Its own errors use a flat
 * `{message, statusCode, path, requestId}` body (handled by the shared error parser).
 * https://docs.aimlapi.com/
 */
import { bearerAuth, standardChatURL, type OpenAICompatibleProfile } from '../openai-compatible/profile.ts';

export const aimlProfile: OpenAICompatibleProfile = {
  provider: 'aiml',
  defaultBaseURL: 'https://api.aimlapi.com/v1',
  chatCompletionsURL: standardChatURL,
  authHeaders: bearerAuth,
  quirks: () => ({}),
  supports: { audioInput: false, fileInput: false, jsonSchema: true, streamUsage: true },
};
