/**
 * Azure OpenAI media deployments: the OpenAI media adapter with Azure's endpoint and key. Every operation
 * lives under the deployment (`{endpoint}/openai/deployments/{deployment}/embeddings`, `images/generations`,
 * `images/edits`, `audio/speech`, `audio/transcriptions`) with `?api-version=`, and the key goes in `api-key`.
 * The wire model is the deployment name; Azure ignores a `model` in the body.
 * https://learn.microsoft.com/azure/ai-foundry/openai/reference
 */
import type { OpenAIMediaProfile } from '../../openai/media/profile.ts';
import { AZURE_DEFAULT_API_VERSION } from '../profile.ts';

export const azureMediaProfile: OpenAIMediaProfile = {
  provider: 'azure',
  // Every resource has its own endpoint (AZURE_OPENAI_ENDPOINT).
  defaultBaseURL: undefined,
  endpointURL: ({ baseURL, path, model, options }) =>
    `${baseURL}/openai/deployments/${encodeURIComponent(model)}/${path}?api-version=${encodeURIComponent(options['apiVersion'] || AZURE_DEFAULT_API_VERSION)}`,
  authHeaders: (apiKey) => ({ 'api-key': apiKey }),
};
