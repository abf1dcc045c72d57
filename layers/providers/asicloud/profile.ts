/**
 * ASI Cloud (Cudos) inference: OpenAI-compatible at https://inference.asicloud.cudos.org/v1 with Bearer keys;
 * model ids are Hub-style (`google/gemma-3-27b-it`).
 * https://docs.cudos.org/docs/asi-cloud/inference/tutorials/chat-completions
 */
import { bearerAuth, standardChatURL, type OpenAICompatibleProfile } from '../openai-compatible/profile.ts';

export const asicloudProfile: OpenAICompatibleProfile = {
  provider: 'asicloud',
  defaultBaseURL: 'https://inference.asicloud.cudos.org/v1',
  chatCompletionsURL: standardChatURL,
  authHeaders: bearerAuth,
  quirks: () => ({}),
  supports: { audioInput: false, fileInput: false, jsonSchema: true, streamUsage: true },
};
