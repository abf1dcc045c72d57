/**
 * Azure OpenAI: the deployment is the wire model and lives in the path, the API version is a query
 * parameter, and the key goes in `api-key`.
 * https://learn.microsoft.com/azure/ai-services/openai/reference
 */
import type { OpenAICompatibleProfile, UrlContext } from '../openai-compatible/profile.ts';
import { SAMPLING_FIELDS, isOpenAIReasoningModel } from '../openai/model-family.ts';

/** Recent enough for `max_completion_tokens`, `reasoning_effort`, `stream_options` and the developer role. */
export const AZURE_DEFAULT_API_VERSION = '2025-04-01-preview';

const chatCompletionsURL = ({ baseURL, model, options }: UrlContext): string => {
  const apiVersion = options['apiVersion'] || AZURE_DEFAULT_API_VERSION;
  return `${baseURL}/openai/deployments/${encodeURIComponent(model)}/chat/completions?api-version=${encodeURIComponent(apiVersion)}`;
};

export const azureProfile: OpenAICompatibleProfile = {
  provider: 'azure',
  // Every resource has its own endpoint (AZURE_OPENAI_ENDPOINT).
  defaultBaseURL: undefined,
  chatCompletionsURL,
  authHeaders: (apiKey) => ({ 'api-key': apiKey }),
  // Deployment names are chosen by the operator; when one names a reasoning model its limits apply. The
  // catalog decides whether reasoning is requested, so reasoning_effort is never stripped here.
  quirks: (deployment) =>
    isOpenAIReasoningModel(deployment)
      ? { developerRole: true, maxTokensField: 'max_completion_tokens', unsupported: SAMPLING_FIELDS }
      : { developerRole: true, maxTokensField: 'max_completion_tokens' },
  supports: { audioInput: true, fileInput: true, jsonSchema: true, streamUsage: true },
};
