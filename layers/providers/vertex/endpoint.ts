/**
 * Where Vertex serves Google's models: `{location}-aiplatform.googleapis.com` (plain `aiplatform.googleapis.com`
 * for the global location), under `/v1/projects/{project}/locations/{location}/publishers/google/models/{model}`.
 */
import type { GenerateContentMethod } from '../gemini/generate-content-adapter.ts';

export const DEFAULT_VERTEX_LOCATION = 'global';

export const vertexBaseURL = (location: string): string =>
  location === 'global' ? 'https://aiplatform.googleapis.com' : `https://${location}-aiplatform.googleapis.com`;

/** Catalogs may spell the model as a resource path; Vertex wants only the id here. */
const modelId = (model: string): string => model.replace(/^(?:publishers\/google\/)?models\//, '');

export const vertexModelUrl = (baseURL: string, project: string, location: string, model: string, method: GenerateContentMethod): string =>
  `${baseURL.replace(/\/+$/, '')}/v1/projects/${encodeURIComponent(project)}/locations/${encodeURIComponent(location)}` +
  `/publishers/google/models/${encodeURIComponent(modelId(model))}:${method}${method === 'streamGenerateContent' ? '?alt=sse' : ''}`;
