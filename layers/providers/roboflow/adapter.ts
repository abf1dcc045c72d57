/**
 * Roboflow: detection and classification with hosted models (`{project}/{version}`) and zero-shot classification
 * with hosted CLIP (`clip/ViT-B-16`), answered as JSON the Responses API serves. Transport: `baseURL` (default
 * the serverless endpoint `https://serverless.roboflow.com`; `https://detect.roboflow.com` also works for
 * detection), the key sent as the `api_key` query parameter, as Roboflow requires.
 */
import { describedErrors, readJsonAs, requireBaseURL, sendMedia, type MediaEndpoint } from '../http/media-call.ts';
import type { MediaAdapter, VisionRequest, VisionResult } from '../media-types.ts';
import type { CallOptions, ProviderTransport } from '../types.ts';
import { describeRoboflowError } from './errors.ts';
import { clipRequest, fromClip, inferenceBody, inferenceQuery, isClip } from './vision.ts';
import { clipCompareResponseSchema, inferenceResponseSchema } from './wire.ts';
import { ROBOFLOW_BASE_URL } from '../media-endpoints.ts';

export { ROBOFLOW_BASE_URL };

/** `project/version`: both path segments, encoded. */
const modelPath = (model: string): string => model.split('/').map(encodeURIComponent).join('/');

export const createRoboflowAdapter = (transport: ProviderTransport): MediaAdapter => {
  const endpoint: MediaEndpoint = { provider: 'roboflow', transport, toError: describedErrors('roboflow', describeRoboflowError) };
  const base = (): string => requireBaseURL(transport, 'roboflow', ROBOFLOW_BASE_URL);

  const detect = async (request: VisionRequest, options: CallOptions): Promise<VisionResult> => {
    const key = await transport.apiKey();
    if (isClip(request.model)) {
      const body = clipRequest(request);
      const response = await sendMedia(endpoint, `${base()}/clip/compare?${new URLSearchParams({ api_key: key })}`, { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }, options, [key]);
      return fromClip(await readJsonAs(response, clipCompareResponseSchema, 'roboflow'), request);
    }
    const body = inferenceBody(request);
    const url = `${base()}/${modelPath(request.model)}?${inferenceQuery(request, key)}`;
    const response = await sendMedia(endpoint, url, { headers: { 'content-type': 'application/x-www-form-urlencoded' }, ...(body !== undefined ? { body } : {}) }, options, [key]);
    return { result: await readJsonAs(response, inferenceResponseSchema, 'roboflow') };
  };

  return { provider: 'roboflow', detect };
};
