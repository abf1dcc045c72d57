/**
 * Veo long-running video operations on the Gemini and Vertex simulators. `:predictLongRunning` validates the
 * request and starts an operation; the first status check finds it running, the next finds it done with a real
 * MP4 (the OpenAI video simulator's H.264 encoder, at a thumbnail size of the asked aspect ratio): on the Gemini
 * API a download URI (`/v1beta/files/{id}:download?alt=media`, key required), on Vertex the bytes inline.
 */
import { randomUUID } from 'node:crypto';
import { googleError, type GoogleError } from '../gemini/google-error.ts';
import { isRecord } from '../media-fixtures/http.ts';
import { simState } from '../media-fixtures/sim-state.ts';
import { makeMp4, thumbnailSize } from '../openai-video/mp4.ts';
import { ok, type Reply } from './reply.ts';
import { invalid } from './validate.ts';

const RESOLUTIONS = ['720p', '1080p'];
const ASPECT_RATIOS: Readonly<Record<string, string>> = { '16:9': '1280x720', '9:16': '720x1280' };

interface VeoOperation {
  readonly name: string;
  readonly video: Uint8Array | undefined;
  polls: number;
}

/** Operations and finished files, per simulator (keyed by its fault latch, which lives as long as it). */
export const veoState = (owner: object) => simState(owner, 'veo', () => ({ operations: new Map<string, VeoOperation>(), files: new Map<string, Uint8Array>() }));

/** Checks a `:predictLongRunning` body as Veo does; the clip to render, or Google's refusal. */
export const validateVeo = (model: string, body: unknown): { readonly seconds: number; readonly size: string; readonly blocked: boolean } | GoogleError => {
  if (!/^veo-/.test(model)) return googleError(404, `models/${model} is not found for API version v1beta, or is not supported for predictLongRunning.`);
  if (!isRecord(body)) return invalid('Invalid JSON payload received.');
  const instances = body['instances'];
  const instance: unknown = Array.isArray(instances) && instances.length === 1 ? instances[0] : undefined;
  if (!isRecord(instance) || typeof instance['prompt'] !== 'string' || instance['prompt'].trim() === '') return invalid('A single instance with a non-empty prompt is required.');
  const image = instance['image'];
  if (image !== undefined && (!isRecord(image) || typeof image['bytesBase64Encoded'] !== 'string' || typeof image['mimeType'] !== 'string')) {
    return invalid('instance.image needs bytesBase64Encoded and mimeType.');
  }
  const parameters = isRecord(body['parameters']) ? body['parameters'] : {};
  const seconds = parameters['durationSeconds'] ?? 8;
  const [min, max] = /^veo-2/.test(model) ? [5, 8] : [4, 8];
  if (typeof seconds !== 'number' || !Number.isInteger(seconds) || seconds < min || seconds > max) return invalid(`durationSeconds must be an integer from ${min} to ${max} for ${model}.`);
  const ratio = parameters['aspectRatio'] ?? '16:9';
  const size = typeof ratio === 'string' ? ASPECT_RATIOS[ratio] : undefined;
  if (!size) return invalid(`aspectRatio must be 16:9 or 9:16; got ${String(ratio)}.`);
  const resolution = parameters['resolution'];
  if (resolution !== undefined && (/^veo-2/.test(model) || typeof resolution !== 'string' || !RESOLUTIONS.includes(resolution))) {
    return invalid(/^veo-2/.test(model) ? 'resolution is not supported by this model.' : `resolution must be 720p or 1080p; got ${String(resolution)}.`);
  }
  if (resolution === '1080p' && ratio !== '16:9') return invalid('1080p is only available at 16:9.');
  return { seconds, size, blocked: instance['prompt'].includes('SIM_BLOCK_PROMPT') };
};

export const startVeoOperation = (owner: object, name: string, clip: { readonly seconds: number; readonly size: string; readonly blocked: boolean }): Reply => {
  const video = clip.blocked ? undefined : makeMp4({ ...thumbnailSize(clip.size), seconds: clip.seconds });
  veoState(owner).operations.set(name, { name, video, polls: 0 });
  return ok({ name });
};

export const operationId = (): string => randomUUID().replace(/-/g, '').slice(0, 12);

/** One status check: running the first time, done afterwards; `done` renders the finished response. */
export const checkVeoOperation = (owner: object, name: string, done: (video: Uint8Array | undefined) => Record<string, unknown>): Reply => {
  const operation = veoState(owner).operations.get(name);
  if (!operation) return googleError(404, `Operation ${name} not found.`);
  operation.polls += 1;
  if (operation.polls === 1) return ok({ name, metadata: { '@type': 'type.googleapis.com/google.cloud.aiplatform.v1.GenerateVideoOperationMetadata' } });
  return ok({ name, done: true, response: done(operation.video) });
};

export const RAI_FILTERED = {
  raiMediaFilteredCount: 1,
  raiMediaFilteredReasons: ["The prompt couldn't be submitted. This prompt contains sensitive words that violate Google's Responsible AI practices."],
};
