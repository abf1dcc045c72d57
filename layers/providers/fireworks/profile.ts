/**
 * Fireworks AI: OpenAI-compatible under /inference/v1, model ids like `accounts/fireworks/models/<name>`;
 * reasoning models stream `reasoning_content`. No audio or document input on chat.
 * https://docs.fireworks.ai/api-reference/post-chatcompletions
 */
import { bearerAuth, standardChatURL, type OpenAICompatibleProfile } from '../openai-compatible/profile.ts';

export const fireworksProfile: OpenAICompatibleProfile = {
  provider: 'fireworks',
  defaultBaseURL: 'https://api.fireworks.ai/inference/v1',
  chatCompletionsURL: standardChatURL,
  authHeaders: bearerAuth,
  quirks: () => ({}),
  supports: { audioInput: false, fileInput: false, jsonSchema: true, streamUsage: true },
};
