/**
 * Where an OpenAI-shaped media endpoint lives and how the key is presented. OpenAI itself is the default;
 * Azure OpenAI (deployment in the path, `api-version`, `api-key` header) is another profile of the same adapter.
 */
import { bearerAuth } from '../../openai-compatible/profile.ts';
import type { ProviderId } from '../../types.ts';

export type MediaPath = 'embeddings' | 'images/generations' | 'images/edits' | 'audio/speech' | 'audio/transcriptions' | 'audio/translations' | 'moderations';

export interface MediaUrlContext {
  /** The transport's base URL, without a trailing slash. */
  readonly baseURL: string;
  readonly path: MediaPath;
  /** The wire model (Azure: the deployment). */
  readonly model: string;
  readonly options: Readonly<Record<string, string>>;
}

export interface OpenAIMediaProfile {
  readonly provider: ProviderId;
  readonly defaultBaseURL: string | undefined;
  endpointURL(context: MediaUrlContext): string;
  authHeaders(apiKey: string): Record<string, string>;
}

export const openaiMediaProfile: OpenAIMediaProfile = {
  provider: 'openai',
  defaultBaseURL: 'https://api.openai.com/v1',
  endpointURL: ({ baseURL, path }) => `${baseURL}/${path}`,
  authHeaders: bearerAuth,
};
