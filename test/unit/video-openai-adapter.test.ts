/**
 * The OpenAI video adapter against the simulator of OpenAI's video API (over in-memory HTTP), and its MP4:
 * a real file (ftyp + moov + mdat, one H.264 track) whose tables point at its own samples. Where ffmpeg is
 * installed the file is also decoded frame by frame.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOpenAIVideoAdapter } from '../../layers/providers/openai/video/adapter.ts';
import { makeMp4, thumbnailSize } from '../../infra/local/simulators/openai-video/mp4.ts';
import { SIM_VIDEO_FAULTS, startOpenAIVideoSimulator, type OpenAIVideoSimulator } from '../../infra/local/simulators/openai-video/server.ts';
import { inMemoryHttp, type InMemoryHttp } from '../support/in-memory-http.ts';

interface Box {
  readonly type: string;
  readonly start: number;
  readonly size: number;
  readonly body: Uint8Array;
}

const u32 = (b: Uint8Array, at: number): number => ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0;

const boxes = (bytes: Uint8Array, base = 0): Box[] => {
  const out: Box[] = [];
  for (let at = 0; at < bytes.length; ) {
    const size = u32(bytes, at);
    expect(size, 'box size').toBeGreaterThanOrEqual(8);
    expect(at + size, 'box fits its parent').toBeLessThanOrEqual(bytes.length);
    out.push({ type: Buffer.from(bytes.subarray(at + 4, at + 8)).toString('latin1'), start: base + at, size, body: bytes.subarray(at + 8, at + size) });
    at += size;
  }
  return out;
};

const child = (parent: Box, type: string, skip = 0): Box => {
  const found = boxes(parent.body.subarray(skip), parent.start + 8 + skip).find((b) => b.type === type);
  expect(found, `${parent.type} contains ${type}`).toBeDefined();
  return found!;
};

const ffmpeg = spawnSync('ffmpeg', ['-version']).status === 0;

describe('the simulator MP4', () => {
  const seconds = 4;
  const mp4 = makeMp4({ ...thumbnailSize('1280x720'), seconds });

  it('is ftyp, moov, mdat, with sample tables that point at the samples in mdat', () => {
    const top = boxes(mp4);
    expect(top.map((b) => b.type)).toEqual(['ftyp', 'moov', 'mdat']);
    const [ftyp, moov, mdat] = top as [Box, Box, Box];
    expect(Buffer.from(ftyp.body.subarray(0, 4)).toString('latin1')).toBe('isom');
    const mvhd = child(moov, 'mvhd');
    expect(u32(mvhd.body, 16) / u32(mvhd.body, 12)).toBe(seconds); // duration / timescale
    const stbl = child(child(child(child(moov, 'trak'), 'mdia'), 'minf'), 'stbl');
    const stsz = child(stbl, 'stsz');
    const count = u32(stsz.body, 8);
    const sizes = Array.from({ length: count }, (_, i) => u32(stsz.body, 12 + i * 4));
    const offset = u32(child(stbl, 'stco').body, 8);
    expect(offset).toBe(mdat.start + 8);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(mdat.size - 8);
    // Every sample is one length-prefixed IDR NAL unit.
    let at = 0;
    for (const size of sizes) {
      expect(u32(mdat.body, at)).toBe(size - 4);
      expect(mdat.body[at + 4]! & 0x1f).toBe(5);
      at += size;
    }
    const avc1 = child(child(stbl, 'stsd'), 'avc1', 8);
    expect([avc1.body[24]! << 8 | avc1.body[25]!, avc1.body[26]! << 8 | avc1.body[27]!]).toEqual([64, 36]);
    const avcC = child(avc1, 'avcC', 78);
    expect(avcC.body[1]).toBe(66); // Baseline
  });

  it.skipIf(!ffmpeg)('decodes with ffmpeg to the expected frames (when ffmpeg is installed)', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'mp4-')), 'sim.mp4');
    writeFileSync(file, mp4);
    const probe = spawnSync('ffprobe', ['-v', 'error', '-count_frames', '-show_entries', 'stream=codec_name,width,height,nb_read_frames', '-of', 'json', file], { encoding: 'utf8' });
    expect(probe.status).toBe(0);
    expect(JSON.parse(probe.stdout).streams[0]).toMatchObject({ codec_name: 'h264', width: 64, height: 36, nb_read_frames: '16' });
    const decode = spawnSync('ffmpeg', ['-v', 'error', '-xerror', '-i', file, '-f', 'null', '-'], { encoding: 'utf8' });
    expect(decode.status, decode.stderr).toBe(0);
  });
});

describe('the OpenAI video adapter against the simulator', () => {
  let sim: OpenAIVideoSimulator;
  let link: InMemoryHttp;
  beforeAll(async () => {
    sim = await startOpenAIVideoSimulator({ apiKey: 'sk-test', renderMs: 300, listen: false });
    link = inMemoryHttp(sim);
  });
  afterAll(() => {
    link?.close();
    return sim?.close();
  });
  const options = () => ({ signal: AbortSignal.timeout(10_000), requestId: 'req_1' });
  const adapter = () => createOpenAIVideoAdapter({ baseURL: sim.url, apiKey: () => 'sk-test', maxRetries: 0, fetch: link.fetch });

  it('submits as multipart, polls to completed and downloads an MP4 with the returned headers', async () => {
    const { operationId } = await adapter().submitVideo({ model: 'sora-2', prompt: 'A kite', durationSeconds: 8, resolution: '720p', aspectRatio: '9:16' }, options());
    expect(sim.requests.at(-1)).toMatchObject({ method: 'POST', path: '/v1/videos', fields: { model: 'sora-2', prompt: 'A kite', seconds: '8', size: '720x1280' } });
    expect(sim.requests.at(-1)!.contentType).toMatch(/^multipart\/form-data/);
    let state = await adapter().pollVideo(operationId, options());
    for (let i = 0; i < 100 && state.status !== 'completed'; i++) {
      expect(['queued', 'in_progress']).toContain(state.status);
      await new Promise((r) => setTimeout(r, 25));
      state = await adapter().pollVideo(operationId, options());
    }
    expect(state.status).toBe('completed');
    if (state.status !== 'completed') return;
    const file = await link.fetch(state.videoUrl, { headers: state.headers });
    expect(file.headers.get('content-type')).toBe('video/mp4');
    const bytes = new Uint8Array(await file.arrayBuffer());
    expect(boxes(bytes).map((b) => b.type)).toEqual(['ftyp', 'moov', 'mdat']);
  });

  it('reports a failed render with the provider\u2019s code', async () => {
    const { operationId } = await adapter().submitVideo({ model: 'sora-2', prompt: `x ${SIM_VIDEO_FAULTS.fail}`, durationSeconds: 4, resolution: '720p', aspectRatio: '16:9' }, options());
    let state = await adapter().pollVideo(operationId, options());
    for (let i = 0; i < 100 && state.status !== 'failed'; i++) {
      await new Promise((r) => setTimeout(r, 25));
      state = await adapter().pollVideo(operationId, options());
    }
    expect(state).toEqual({ status: 'failed', error: { code: 'video_generation_failed', message: 'The simulated render failed.' } });
  });

  it('turns refusals into the gateway\u2019s upstream errors', async () => {
    const request = { model: 'sora-2', prompt: `x ${SIM_VIDEO_FAULTS.reject}`, durationSeconds: 4, resolution: '720p', aspectRatio: '16:9' };
    await expect(adapter().submitVideo(request, options())).rejects.toMatchObject({ status: 400, code: 'upstream_bad_request' });
    const wrongKey = createOpenAIVideoAdapter({ baseURL: sim.url, apiKey: () => 'sk-wrong', maxRetries: 0, fetch: link.fetch });
    await expect(wrongKey.submitVideo({ ...request, prompt: 'x' }, options())).rejects.toMatchObject({ status: 502, code: 'upstream_auth_failed' });
    await expect(adapter().pollVideo('video_missing', options())).rejects.toMatchObject({ code: 'upstream_unavailable' });
    await expect(adapter().submitVideo({ ...request, prompt: 'x', resolution: '1080p' }, options())).rejects.toMatchObject({ status: 400, code: 'upstream_bad_request' });
  });
});
