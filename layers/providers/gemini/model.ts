/**
 * Gemini through the Generative Language API (v1beta): `models/{model}:generateContent` and
 * `models/{model}:streamGenerateContent?alt=sse`, the key in `x-goog-api-key`.
 * `transport.baseURL` includes the version, e.g. `https://generativelanguage.googleapis.com/v1beta`.
 */
import type { ProviderTransport, TextModelAdapter } from '../types.ts';
import { GEMINI_BASE_URL } from './base-url.ts';
import { createGenerateContentAdapter, type GenerateContentMethod } from './generate-content-adapter.ts';

export { GEMINI_BASE_URL };

/** Catalogs may spell the wire model with the API's `models/` prefix. */
const modelPath = (model: string): string => encodeURIComponent(model.replace(/^models\//, ''));

export const geminiModelUrl = (baseURL: string, model: string, method: GenerateContentMethod): string =>
  `${baseURL.replace(/\/+$/, '')}/models/${modelPath(model)}:${method}${method === 'streamGenerateContent' ? '?alt=sse' : ''}`;

export const createGeminiAdapter = (transport: ProviderTransport): TextModelAdapter =>
  createGenerateContentAdapter({
    provider: 'gemini',
    url: (model, method) => geminiModelUrl(transport.baseURL || GEMINI_BASE_URL, model, method),
    headers: async () => ({ 'x-goog-api-key': await transport.apiKey() }),
    ...(transport.fetch ? { fetch: transport.fetch } : {}),
    ...(transport.timeoutMs !== undefined ? { timeoutMs: transport.timeoutMs } : {}),
    ...(transport.maxRetries !== undefined ? { maxRetries: transport.maxRetries } : {}),
  });
