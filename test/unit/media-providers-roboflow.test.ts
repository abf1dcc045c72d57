import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pictureFor } from '../../infra/local/simulators/media-fixtures/content.ts';
import type { StandaloneSimulator } from '../../infra/local/simulators/media-fixtures/standalone.ts';
import { startRoboflowSimulator } from '../../infra/local/simulators/roboflow-media/server.ts';
import { createRoboflowAdapter } from '../../layers/providers/roboflow/adapter.ts';
import type { ProviderTransport } from '../../layers/providers/types.ts';
import type { InvalidRequestError } from '../../layers/core/errors.ts';
import { callOptions, fetchWithFault, rejection } from '../support/media-providers.ts';
import { inMemoryHttp, type InMemoryHttp } from '../support/in-memory-http.ts';

let sim: StandaloneSimulator;
let link: InMemoryHttp;
beforeAll(async () => {
  sim = await startRoboflowSimulator({ apiKey: 'rf-media-key', listen: false });
  link = inMemoryHttp(sim);
});
afterAll(() => {
  link.close();
  return sim.close();
});

const adapter = (transport: Partial<ProviderTransport> = {}) => createRoboflowAdapter({ baseURL: sim.url, apiKey: () => 'rf-media-key', fetch: link.fetch, ...transport });
const last = () => sim.requests.at(-1)!;
const street = { data: pictureFor('a busy street', 800, 600), mediaType: 'image/png', filename: 'street.png' };

interface Detection {
  x: number;
  y: number;
  width: number;
  height: number;
  confidence: number;
  class: string;
}

describe('Roboflow adapter', () => {
  it('detects objects: base64 body, api_key and confidence (as a percentage) in the query', async () => {
    const { result } = await adapter().detect!({ model: 'coco/39', image: street, confidence: 0.5 }, callOptions());
    expect(last()).toMatchObject({ method: 'POST', path: '/coco/39', query: { api_key: 'rf-media-key', confidence: '50', overlap: '30' } });
    expect(last().headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(result['image']).toEqual({ width: 800, height: 600 });
    const predictions = result['predictions'] as Detection[];
    for (const prediction of predictions) {
      expect(prediction.confidence).toBeGreaterThanOrEqual(0.5);
      expect(prediction.x - prediction.width / 2).toBeGreaterThanOrEqual(0);
      expect(prediction.x + prediction.width / 2).toBeLessThanOrEqual(800);
      expect(typeof prediction.class).toBe('string');
    }
    // The same image gets the same answer.
    const again = await adapter().detect!({ model: 'coco/39', image: street, confidence: 0.5 }, callOptions());
    expect((again.result['predictions'] as Detection[]).map(({ class: name, x, y }) => [name, x, y])).toEqual(predictions.map(({ class: name, x, y }) => [name, x, y]));
  });

  it('sends an image URL as the image query parameter', async () => {
    const { result } = await adapter().detect!({ model: 'coco/3', image: { url: 'https://example.com/street.jpg' } }, callOptions());
    expect(last().query).toMatchObject({ image: 'https://example.com/street.jpg' });
    expect(last().query['confidence']).toBeUndefined();
    expect(result['image']).toEqual({ width: 640, height: 480 });
  });

  it('classifies with a hosted classifier', async () => {
    const { result } = await adapter().detect!({ model: 'vehicle-classification-eapcd/2', image: street }, callOptions());
    expect(result).toMatchObject({ prediction_type: 'ClassificationModel', top: expect.any(String), confidence: expect.any(Number) });
  });

  it('scores an image against caller labels with hosted CLIP', async () => {
    const { result } = await adapter().detect!({ model: 'clip/ViT-B-16', image: street, labels: ['a street', 'a beach', 'a kitchen'] }, callOptions());
    expect(last()).toMatchObject({ path: '/clip/compare', body: { subject_type: 'image', prompt: ['a street', 'a beach', 'a kitchen'], prompt_type: 'text', clip_version_id: 'ViT-B-16' } });
    const predictions = result['predictions'] as { class: string; confidence: number }[];
    expect(predictions.map((prediction) => prediction.class).sort()).toEqual(['a beach', 'a kitchen', 'a street']);
    expect(predictions[0]!.confidence).toBeGreaterThanOrEqual(predictions[2]!.confidence);
    expect(result['top']).toBe(predictions[0]!.class);
  });

  it('refuses CLIP without labels and a confidence outside 0–1 before calling Roboflow', async () => {
    const labels = await rejection<InvalidRequestError>(adapter().detect!({ model: 'clip/ViT-B-16', image: street }, callOptions()));
    expect([labels.status, labels.code]).toEqual([400, 'missing_labels']);
    const confidence = await rejection<InvalidRequestError>(adapter().detect!({ model: 'coco/39', image: street, confidence: 40 }, callOptions()));
    expect(confidence.code).toBe('invalid_confidence');
  });

  it('maps Roboflow errors without leaking the key from the URL', async () => {
    const auth = await rejection(adapter({ apiKey: () => 'rf-wrong-key' }).detect!({ model: 'coco/39', image: street }, callOptions()));
    expect([auth.status, auth.code]).toEqual([502, 'upstream_auth_failed']);
    const missing = await rejection(adapter().detect!({ model: 'no-such-project/1', image: street }, callOptions()));
    expect([missing.status, missing.code]).toEqual([502, 'upstream_unavailable']);
    expect(missing.message).not.toContain('rf-media-key');
    const bad = await rejection(adapter().detect!({ model: 'coco/39', image: { data: new Uint8Array([1, 2, 3]), mediaType: 'image/png' } }, callOptions()));
    expect([bad.status, bad.code]).toEqual([400, 'upstream_bad_request']);
    const retries: string[] = [];
    await adapter({ fetch: fetchWithFault('503-once', link.fetch) }).detect!({ model: 'coco/25', image: street }, { ...callOptions(), onRetry: (info) => retries.push(info.reason) });
    expect(retries).toEqual(['status 503']);
  });
});
