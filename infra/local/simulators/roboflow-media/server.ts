/**
 * A loopback Roboflow hosted-inference API for tests and for `npm start` without `ROBOFLOW_API_KEY`: trained
 * models at `POST /{project}/{version}` (base64 image body or `image` URL; detections or classes) and hosted CLIP
 * at `POST /clip/compare`. The key is the `api_key` query parameter. See README.md.
 */
import type { ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { readPngSize } from '../../../../layers/core/media/formats/png.ts';
import { sniffMedia } from '../../../../layers/core/media/formats/sniff.ts';
import { seedOf } from '../media-fixtures/content.ts';
import { FaultLatch } from '../media-fixtures/faults.ts';
import { isRecord, parseJsonBody, sendJson } from '../media-fixtures/http.ts';
import { startStandaloneSimulator, type SimRequest, type StandaloneOptions, type StandaloneSimulator } from '../media-fixtures/standalone.ts';

const COCO = ['person', 'bicycle', 'car', 'motorcycle', 'bus', 'truck', 'boat', 'traffic light', 'bench', 'bird', 'cat', 'dog', 'horse', 'umbrella', 'bottle', 'cup', 'chair', 'laptop'];
/** Hosted models the simulator serves: COCO detectors (as the catalog's) and one classifier. */
const MODELS: Readonly<Record<string, { readonly type: 'detection' | 'classification'; readonly classes: readonly string[] }>> = {
  'coco/3': { type: 'detection', classes: COCO },
  'coco/25': { type: 'detection', classes: COCO },
  'coco/39': { type: 'detection', classes: COCO },
  'vehicle-classification-eapcd/2': { type: 'classification', classes: ['car', 'truck', 'bus', 'motorcycle', 'bicycle'] },
};
const CLIP_VERSIONS = ['ViT-B-16', 'ViT-B-32', 'ViT-L-14', 'RN50'];
const MODEL_ROUTE = /^\/([^/]+)\/(\d+)$/;

const message = (res: ServerResponse, status: number, text: string): void => sendJson(res, status, { message: text });

/** A pseudo-random sequence seeded by the image, so one image always gets the same predictions. */
const randomFrom = (seed: number): (() => number) => {
  let state = seed || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 0xffffffff;
  };
};

/** The image of a request: the base64 body (its bytes and size), or a URL the simulator does not fetch. */
const imageOf = (body: Buffer, url: URL): { seed: number; width: number; height: number } | undefined => {
  const link = url.searchParams.get('image');
  if (link) return { seed: seedOf(link), width: 640, height: 480 };
  const bytes = new Uint8Array(Buffer.from(body.toString('latin1').replace(/^data:[^,]*;base64,/, '').trim(), 'base64'));
  if (sniffMedia(bytes)?.kind !== 'image') return undefined;
  const size = readPngSize(bytes) ?? { width: 640, height: 480 };
  return { seed: seedOf(Buffer.from(bytes.subarray(0, 512)).toString('base64') + bytes.byteLength), ...size };
};

const percent = (value: string | null, fallback: number): number | undefined => {
  if (value === null) return fallback;
  const number = Number(value);
  return Number.isFinite(number) && number >= 0 && number <= 100 ? number : undefined;
};

const infer = ({ res, url, body, record }: SimRequest, model: string): void => {
  record({ bytes: body.length, image: url.searchParams.get('image') ?? undefined });
  const rule = MODELS[model];
  if (!rule) return message(res, 404, `Model ${model} not found. Check the project and version, and that your API key has access.`);
  const confidence = percent(url.searchParams.get('confidence'), 40);
  if (confidence === undefined) return message(res, 400, 'confidence must be a number from 0 to 100.');
  const image = imageOf(body, url);
  if (!image) return message(res, 400, 'Could not decode the image: send it as base64 in the body or as an image URL.');
  const random = randomFrom(image.seed);
  const time = 0.05 + random() / 10;
  if (rule.type === 'classification') {
    const scores = rule.classes.map((name, index) => ({ class: name, class_id: index, confidence: Number(random().toFixed(4)) })).sort((a, b) => b.confidence - a.confidence);
    return sendJson(res, 200, { inference_id: randomUUID(), time, image: { width: image.width, height: image.height }, predictions: scores, top: scores[0]!.class, confidence: scores[0]!.confidence, prediction_type: 'ClassificationModel' });
  }
  const predictions = Array.from({ length: 4 }, () => {
    const width = Math.round(image.width * (0.1 + random() * 0.3));
    const height = Math.round(image.height * (0.1 + random() * 0.3));
    const classId = Math.floor(random() * rule.classes.length);
    return {
      x: Math.round(width / 2 + random() * (image.width - width)),
      y: Math.round(height / 2 + random() * (image.height - height)),
      width,
      height,
      confidence: Number((0.3 + random() * 0.69).toFixed(3)),
      class: rule.classes[classId]!,
      class_id: classId,
      detection_id: randomUUID(),
    };
  }).filter((prediction) => prediction.confidence * 100 >= confidence);
  sendJson(res, 200, { inference_id: randomUUID(), time, image: { width: image.width, height: image.height }, predictions });
};

const clipCompare = ({ res, body, record }: SimRequest): void => {
  const json = parseJsonBody(body);
  const value = json.ok && isRecord(json.value) ? json.value : undefined;
  const subject = value && isRecord(value['subject']) ? value['subject'] : undefined;
  record(value ? { ...value, subject: subject ? { type: subject['type'], value: `<${String(subject['value']).length} characters>` } : undefined } : '<invalid JSON>');
  if (!value || !subject) return sendJson(res, 422, { detail: [{ loc: ['body', 'subject'], msg: 'field required', type: 'value_error.missing' }] });
  const version = value['clip_version_id'] ?? 'ViT-B-16';
  if (typeof version !== 'string' || !CLIP_VERSIONS.includes(version)) return message(res, 400, `Unknown CLIP version ${String(version)}; use one of ${CLIP_VERSIONS.join(', ')}.`);
  const prompts = Array.isArray(value['prompt']) ? value['prompt'] : typeof value['prompt'] === 'string' ? [value['prompt']] : [];
  if (prompts.length === 0 || prompts.some((prompt) => typeof prompt !== 'string')) return message(res, 400, 'prompt must be a string or a list of strings.');
  let seed: number;
  if (subject['type'] === 'url' && typeof subject['value'] === 'string') seed = seedOf(subject['value']);
  else if (subject['type'] === 'base64' && typeof subject['value'] === 'string' && sniffMedia(new Uint8Array(Buffer.from(subject['value'], 'base64')))?.kind === 'image') seed = seedOf(subject['value'].slice(0, 512));
  else return message(res, 400, 'Could not decode the subject image.');
  const random = randomFrom(seed);
  sendJson(res, 200, { frame_id: null, time: 0.03, similarity: prompts.map(() => Number((0.15 + random() * 0.2).toFixed(4))), parent_id: null });
};

export const startRoboflowSimulator = (options: StandaloneOptions = {}): Promise<StandaloneSimulator> => {
  const faults = new FaultLatch();
  return startStandaloneSimulator('roboflow', options, {
    fail: (res, status) => message(res, status, status === 413 ? 'Payload too large.' : 'Internal error.'),
    handle: (request) => {
      const { req, res, url } = request;
      const clip = url.pathname === '/clip/compare';
      const route = MODEL_ROUTE.exec(url.pathname);
      if (req.method !== 'POST' || (!clip && !route)) return message(res, 404, 'Not Found');
      const key = url.searchParams.get('api_key');
      if (!key) return message(res, 401, 'This endpoint requires an api_key query parameter.');
      if (options.apiKey !== undefined && key !== options.apiKey) return message(res, 403, 'Forbidden: the api_key is not valid for this model.');
      const fault = faults.check(req, `${url.pathname}\0${request.body.length}`);
      if (fault) return sendJson(res, fault.status, { message: `Simulated ${fault.status} error.` }, fault.retryAfterSeconds !== undefined ? { 'retry-after': String(fault.retryAfterSeconds) } : undefined);
      return clip ? clipCompare(request) : infer(request, `${decodeURIComponent(route![1]!)}/${route![2]!}`);
    },
  });
};
