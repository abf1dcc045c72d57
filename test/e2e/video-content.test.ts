/**
 * GET /v1/videos/{id}/content end to end: a job runs through the queue and the state machine into the S3
 * stand-in, then the official SDK downloads it through the gateway (`client.videos.downloadContent`), the
 * bytes streamed from S3 as they are. Only the job's owner gets them; a job without a finished video is a 409.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SIM_VIDEO_FAULTS } from '../../infra/local/simulators/openai-video/server.ts';
import { startE2eRuntime, type E2eRuntime } from '../support/e2e.ts';
import { expectMatchesContract } from '../support/openapi.ts';
import type { VideoBody as Video } from '../support/videos.ts';

let gw: E2eRuntime;

beforeAll(async () => {
  gw = await startE2eRuntime({
    chain: false,
    videos: { waitMs: 100, retryMs: 20, retryDelaySeconds: 1, simulator: { renderMs: 500 } },
    env: { PROVIDER_MAX_RETRIES: '0' },
  });
});

afterAll(async () => {
  await gw?.close();
});

const submit = async (prompt: string): Promise<Video> => {
  const response = await gw.post('/v1/videos/generations', { model: 'sora-2', prompt, duration: 4, aspect_ratio: '16:9' });
  expect(response.status).toBe(202);
  return (await response.json()) as Video;
};

const read = async (id: string): Promise<Video> => (await (await gw.fetch(`/v1/videos/${id}`)).json()) as Video;

/** Polls until the job leaves the open statuses, a bounded number of times. */
const settled = async (id: string): Promise<Video> => {
  for (let i = 0; i < 200; i++) {
    const video = await read(id);
    if (video.status !== 'queued' && video.status !== 'in_progress') return video;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`job ${id} did not finish`);
};

const errorOf = async (response: Response) => {
  const body = (await response.json()) as { error: { code: string; param?: string } };
  expectMatchesContract('/v1/videos/{id}/content', 'GET', response.status, body);
  return { status: response.status, code: body.error.code };
};

describe('downloading a finished video through the gateway', () => {
  it('streams the stored MP4 to its owner, with its type and length, as the official SDK reads it', async () => {
    const job = await settled((await submit('A kite over a beach')).id);
    expect(job.status).toBe('completed');
    const stored = Buffer.from(await (await fetch(job.url!)).arrayBuffer());

    const response = await gw.client().videos.downloadContent(job.id);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('video/mp4');
    expect(response.headers.get('content-length')).toBe(String(stored.length));
    const downloaded = Buffer.from(await response.arrayBuffer());
    expect(downloaded.equals(stored)).toBe(true);
    expect(downloaded.subarray(4, 8).toString()).toBe('ftyp');

    const explicit = await gw.fetch(`/v1/videos/${job.id}/content?variant=video`);
    expect([explicit.status, (await explicit.arrayBuffer()).byteLength]).toEqual([200, stored.length]);
  });

  it('is the owner’s alone: another key gets 404, as for every job read', async () => {
    const job = await settled((await submit('A lighthouse at dusk')).id);
    const stranger = await gw.mintDevKey(1);
    expect(await errorOf(await gw.fetch(`/v1/videos/${job.id}/content`, { headers: { authorization: `Bearer ${stranger}` } }))).toEqual({ status: 404, code: 'video_not_found' });
    expect(await errorOf(await gw.fetch('/v1/videos/video_0000/content'))).toEqual({ status: 404, code: 'video_not_found' });
  });

  it('says when there is no video yet, or none at all (409)', async () => {
    const running = await submit(`Still rendering ${SIM_VIDEO_FAULTS.stall}`);
    expect(await errorOf(await gw.fetch(`/v1/videos/${running.id}/content`))).toEqual({ status: 409, code: 'video_not_completed' });
    const failed = await settled((await submit(`Broken ${SIM_VIDEO_FAULTS.fail}`)).id);
    expect(failed.status).toBe('failed');
    expect(await errorOf(await gw.fetch(`/v1/videos/${failed.id}/content`))).toEqual({ status: 409, code: 'video_not_completed' });
  });

  it('refuses variants it does not store (400)', async () => {
    const job = await submit('A thumbnail please');
    expect(await errorOf(await gw.fetch(`/v1/videos/${job.id}/content?variant=thumbnail`))).toEqual({ status: 400, code: 'unsupported_variant' });
  });
});
