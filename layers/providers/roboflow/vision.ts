/**
 * Canonical vision requests ↔ Roboflow. Confidence is 0–1 in the gateway and a percentage at Roboflow. CLIP
 * models (`clip/{version}`) need the caller's labels and answer one similarity per label, returned as classes
 * sorted by score, like a classifier's.
 */
import type * as z from 'zod';
import { InvalidRequestError } from '../../core/errors.ts';
import { encodeBase64 } from '../http/media-call.ts';
import type { VisionRequest, VisionResult } from '../media-types.ts';
import type { ClipCompareRequest, clipCompareResponseSchema } from './wire.ts';

export const isClip = (model: string): boolean => /^clip\//.test(model);

const DEFAULT_OVERLAP = 30;

export const inferenceQuery = (request: VisionRequest, apiKey: string): URLSearchParams => {
  const confidence = request.confidence;
  if (confidence !== undefined && !(confidence >= 0 && confidence <= 1)) {
    throw new InvalidRequestError('invalid_confidence', 'confidence is a number from 0 to 1.', { param: 'confidence' });
  }
  return new URLSearchParams({
    api_key: apiKey,
    ...(confidence !== undefined ? { confidence: String(Math.round(confidence * 100)) } : {}),
    overlap: String(DEFAULT_OVERLAP),
    ...('url' in request.image ? { image: request.image.url } : {}),
  });
};

export const inferenceBody = (request: VisionRequest): string | undefined => ('data' in request.image ? encodeBase64(request.image.data) : undefined);

export const clipRequest = (request: VisionRequest): ClipCompareRequest => {
  const labels = request.labels ?? [];
  if (labels.length === 0 || labels.some((label) => label.trim() === '')) {
    throw new InvalidRequestError('missing_labels', `The ${request.model} model scores an image against labels: send at least one.`, { param: 'labels' });
  }
  return {
    subject: 'data' in request.image ? { type: 'base64', value: encodeBase64(request.image.data) } : { type: 'url', value: request.image.url },
    subject_type: 'image',
    prompt: labels,
    prompt_type: 'text',
    clip_version_id: request.model.slice('clip/'.length),
  };
};

export const fromClip = (answer: z.infer<typeof clipCompareResponseSchema>, request: VisionRequest): VisionResult => {
  const threshold = request.confidence ?? 0;
  const predictions = (request.labels ?? [])
    .map((label, index) => ({ class: label, confidence: answer.similarity[index] ?? 0 }))
    .sort((a, b) => b.confidence - a.confidence);
  const kept = predictions.filter((prediction) => prediction.confidence >= threshold);
  return { result: { predictions: kept, top: predictions[0]?.class ?? null, confidence: predictions[0]?.confidence ?? null, prediction_type: 'ClipClassification', ...(answer.time !== undefined ? { time: answer.time } : {}) } };
};
