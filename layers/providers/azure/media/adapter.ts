/**
 * Azure OpenAI media: embeddings, image generation and edits (streamed with partial images for GPT Image
 * deployments), speech and transcription on the resource's deployments. The request and response mapping is
 * OpenAI's (one wire format); only the profile differs.
 * Transport: `baseURL` is the resource endpoint, `options.apiVersion` (default `2025-04-01-preview`, which
 * every media operation accepts, GPT Image included).
 */
import type { MediaAdapter } from '../../media-types.ts';
import { createOpenAIMediaAdapter } from '../../openai/media/adapter.ts';
import type { ProviderTransport } from '../../types.ts';
import { azureMediaProfile } from './profile.ts';

export const createAzureMediaAdapter = (transport: ProviderTransport): MediaAdapter => createOpenAIMediaAdapter(transport, azureMediaProfile);
