/** Request checks the Gemini API and Vertex apply to embedding and Imagen calls, with Google's messages. */
import { googleError, type GoogleError } from '../gemini/google-error.ts';
import { isRecord } from '../media-fixtures/http.ts';

export const IMAGEN_RATIOS: Readonly<Record<string, readonly [number, number]>> = {
  '1:1': [1024, 1024],
  '3:4': [896, 1280],
  '4:3': [1280, 896],
  '9:16': [768, 1408],
  '16:9': [1408, 768],
};

export const MAX_IMAGEN_PROMPT_CHARS = 4_000;

export const invalid = (message: string): GoogleError => googleError(400, message);

/** Imagen's `:predict` body → the prompt, the image count and the pixel size, or Google's refusal. */
export const validateImagen = (body: unknown): { readonly prompt: string; readonly count: number; readonly width: number; readonly height: number } | GoogleError => {
  if (!isRecord(body)) return invalid('Invalid JSON payload received.');
  const instances = body['instances'];
  if (!Array.isArray(instances) || instances.length !== 1) return invalid(`Only one instance is supported per request; got ${Array.isArray(instances) ? instances.length : 0}.`);
  const instance: unknown = instances[0];
  const prompt = isRecord(instance) ? instance['prompt'] : undefined;
  if (typeof prompt !== 'string' || prompt.trim() === '') return invalid('Image generation failed with the following error: The prompt is empty.');
  if (prompt.length > MAX_IMAGEN_PROMPT_CHARS) return invalid('The prompt is too long.');
  const parameters = isRecord(body['parameters']) ? body['parameters'] : {};
  const count = parameters['sampleCount'] ?? 4;
  if (typeof count !== 'number' || !Number.isInteger(count) || count < 1 || count > 4) return invalid('sampleCount must be an integer between 1 and 4.');
  const ratio = parameters['aspectRatio'] ?? '1:1';
  const dims = typeof ratio === 'string' ? IMAGEN_RATIOS[ratio] : undefined;
  if (!dims) return invalid(`Unsupported aspect ratio: ${String(ratio)}. Supported values are 1:1, 3:4, 4:3, 9:16 and 16:9.`);
  const imageSize = parameters['imageSize'];
  if (imageSize !== undefined && imageSize !== '1K' && imageSize !== '2K') return invalid(`Unsupported image size: ${String(imageSize)}.`);
  const scale = imageSize === '2K' ? 2 : 1;
  return { prompt, count, width: dims[0] * scale, height: dims[1] * scale };
};
