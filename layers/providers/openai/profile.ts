/** OpenAI itself: the reference the family copies. Bearer auth, `developer` role, file and audio input. */
import { bearerAuth, standardChatURL, type OpenAICompatibleProfile } from '../openai-compatible/profile.ts';
import { SAMPLING_FIELDS, isOpenAIReasoningModel } from './model-family.ts';

export const openaiProfile: OpenAICompatibleProfile = {
  provider: 'openai',
  defaultBaseURL: 'https://api.openai.com/v1',
  chatCompletionsURL: standardChatURL,
  authHeaders: bearerAuth,
  // max_tokens is deprecated and refused by reasoning models; max_completion_tokens works for every model.
  quirks: (model) =>
    isOpenAIReasoningModel(model)
      ? { developerRole: true, maxTokensField: 'max_completion_tokens', unsupported: SAMPLING_FIELDS }
      : { developerRole: true, maxTokensField: 'max_completion_tokens', unsupported: ['reasoning_effort'] },
  supports: { audioInput: true, fileInput: true, jsonSchema: true, streamUsage: true },
};
