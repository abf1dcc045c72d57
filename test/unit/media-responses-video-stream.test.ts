/**
 * The Responses stream of a video job, stage by stage on a clock the test moves (no timed assertions): the
 * job's status events become Responses events around `compose.video.status` frames; a job that ends closes
 * the response (completed, failed, cancelled); a stream that must end first (Lambda's limit) ends cleanly with a
 * resumable status event natively, and with the response in progress externally, where no compose event goes.
 */
import { describe, expect, it } from 'vitest';
import { videoResponseFrames } from '../../shared/inference/media-responses/video-stream.ts';
import { videoResponseObject } from '../../shared/inference/media-responses/video.ts';
import type { Surface } from '../../shared/billing/types.ts';
import { UpstreamError } from '../../layers/core/errors.ts';
import type { ReceiptBody } from '../../shared/receipts/index.ts';
import type { VideoJob, VideoStatus } from '../../shared/videos/job.ts';
import { videoStatusEvents } from '../../shared/videos/status-stream.ts';
import { STREAM_BOUNDS } from '../../shared/videos/stream-params.ts';
import { toVideoObject } from '../../shared/videos/view.ts';
import { dataFrames, parseSse } from '../support/e2e.ts';
import { expectMatchesSchema } from '../support/openapi.ts';

const JOB_ID = `video_${'a'.repeat(48)}`;
const receipt = { subject: 'compose-key:k1', final_amount_wei: '400000', line_items: [] } as unknown as ReceiptBody;

const job = (status: VideoStatus, progress: number): VideoJob => ({
  id: JOB_ID,
  owner: 'key:k1',
  status,
  progress,
  createdAt: 1_700_000_000,
  expiresAt: 1_700_600_000,
  model: 'sora-2',
  provider: 'openai',
  wireModel: 'sora-2',
  prompt: 'a wave',
  seconds: 4,
  resolution: '720p',
  aspectRatio: '16:9',
  receipt,
  ...(status === 'failed' ? { error: { code: 'video_generation_failed', message: 'The provider failed the job.' }, completedAt: 1_700_000_100 } : {}),
  ...(status === 'cancelled' ? { error: { code: 'cancelled', message: 'The video job was cancelled by the caller.' }, completedAt: 1_700_000_100 } : {}),
  ...(status === 'completed' ? { completedAt: 1_700_000_100 } : {}),
});

const base = { id: `resp_${'b'.repeat(48)}`, created_at: 1_700_000_000, model: 'sora-2', instructions: null, metadata: {}, modalities: ['video'], store: true };

/**
 * The frames for a job that reads as `statuses` one poll after another, within `lambdaRemainingMs`. Native streams
 * here opt in to `compose.*` events (`x-compose-events: true`) unless `composeEvents` says otherwise.
 */
const stream = async (statuses: VideoStatus[], surface: Surface, lambdaRemainingMs = 900_000, composeEvents = surface === 'native') => {
  let now = 0;
  let reads = 0;
  const view = (status: VideoStatus, progress: number) => toVideoObject(job(status, progress), surface, status === 'completed' ? 'https://media.example/v.mp4' : undefined);
  const response = videoResponseObject(base, `vg_${'c'.repeat(48)}`, view('queued', 0));
  const events = videoStatusEvents({
    jobId: JOB_ID,
    params: { pollIntervalMs: STREAM_BOUNDS.pollIntervalMs.default, timeoutMs: STREAM_BOUNDS.timeoutMs.default },
    read: async () => {
      const status = statuses[Math.min(reads, statuses.length - 1)]!;
      reads += 1;
      return view(status, Math.min(100, reads * 25));
    },
    remainingMs: () => lambdaRemainingMs,
    marginMs: 10_000,
    path: `/v1/videos/${JOB_ID}/stream`,
    signal: new AbortController().signal,
    sleep: async (ms) => void (now += ms),
    now: () => now,
  });
  let text = '';
  for await (const frame of videoResponseFrames({ response, surface, events, composeEvents })) text += frame;
  const frames = dataFrames(parseSse(text));
  return { frames, names: frames.map((f) => f.event ?? f.data) };
};

describe('the Responses stream of a video job', () => {
  it('wraps the status events in the Responses events and closes the response when the job completes', async () => {
    const { frames, names } = await stream(['queued', 'in_progress', 'completed'], 'native');
    expect(names).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'compose.video.status',
      'compose.video.status',
      'compose.video.status',
      'response.output_item.done',
      'response.completed',
      '[DONE]',
      'compose.receipt',
    ]);
    const numbered = frames.filter((f) => f.event?.startsWith('response.')).map((f) => (f.json as { sequence_number: number }).sequence_number);
    expect(numbered).toEqual([0, 1, 2, 3, 4]);
    for (const f of frames.filter((f) => f.event === 'compose.video.status')) expectMatchesSchema('VideoStatusEvent', f.json);
    const completed = (frames[7]!.json as { response: Record<string, unknown> }).response;
    expectMatchesSchema('ResponseObject', completed);
    expect(completed).toMatchObject({ status: 'completed', job_id: JOB_ID, receipt, output: [{ type: 'video_generation_call', status: 'completed', url: 'https://media.example/v.mp4' }] });
    expect(frames[9]!.json).toMatchObject({ type: 'compose.receipt', final_amount_wei: '400000' });
  });

  it('sends only OpenAI’s event types natively unless the request opts in: the receipt rides in response.completed', async () => {
    const { frames, names } = await stream(['queued', 'in_progress', 'completed'], 'native', 900_000, false);
    expect(names).toEqual(['response.created', 'response.in_progress', 'response.output_item.added', 'response.output_item.done', 'response.completed', '[DONE]']);
    expect((frames[4]!.json as { response: Record<string, unknown> }).response).toMatchObject({ status: 'completed', receipt });
    const cut = await stream(['in_progress'], 'native', 30_000, false);
    expect(cut.names).toEqual(['response.created', 'response.in_progress', 'response.output_item.added', 'response.in_progress', '[DONE]']);
  });

  it.each([
    ['failed', 'response.failed', 'video_generation_failed'],
    ['cancelled', 'response.cancelled', 'cancelled'],
  ] as const)('ends a %s job with %s and the job\u2019s error', async (status, event, code) => {
    const { frames, names } = await stream(['in_progress', status], 'native');
    expect(names.slice(-4)).toEqual(['response.output_item.done', event, '[DONE]', 'compose.receipt']);
    const response = (frames.at(-3)!.json as { response: Record<string, unknown> }).response;
    expectMatchesSchema('ResponseObject', response);
    expect(response).toMatchObject({ status, error: { code }, output: [{ status, url: null }] });
  });

  it('ends before Lambda\u2019s limit with a resumable status event pointing at the video status stream', async () => {
    // 30 s left, less the 10 s margin: polls at 0, 2, …, 20 s, and the last cannot wait another 2 s.
    const { frames, names } = await stream(['in_progress'], 'native', 30_000);
    expect(names.slice(0, 3)).toEqual(['response.created', 'response.in_progress', 'response.output_item.added']);
    expect(names.slice(-3)).toEqual(['compose.video.status', '[DONE]', 'compose.receipt']);
    expect(names).not.toContain('response.output_item.done');
    const last = frames.at(-3)!.json as { final: boolean; resumable: boolean; reason: string; resume_url: string };
    expect(last).toMatchObject({ final: true, resumable: true, reason: 'lambda_time_limit' });
    expect(last.resume_url).toBe(`/v1/videos/${JOB_ID}/stream?pollIntervalMs=2000&timeoutMs=${600_000 - 20_000}`);
  });

  it('speaks OpenAI only externally: no compose events, and a cut-short stream ends with the response in progress', async () => {
    const finished = await stream(['queued', 'completed'], 'external');
    expect(finished.names).toEqual(['response.created', 'response.in_progress', 'response.output_item.added', 'response.output_item.done', 'response.completed', '[DONE]']);
    expect((finished.frames[4]!.json as { response: Record<string, unknown> }).response).not.toHaveProperty('receipt');
    const cut = await stream(['in_progress'], 'external', 30_000);
    expect(cut.names).toEqual(['response.created', 'response.in_progress', 'response.output_item.added', 'response.in_progress', '[DONE]']);
    const last = (cut.frames[3]!.json as { response: Record<string, unknown> }).response;
    expectMatchesSchema('ResponseObject', last);
    expect(last).toMatchObject({ status: 'in_progress', output: [{ status: 'in_progress', video: { status: 'in_progress' } }] });
  });

  it('reports a job that can no longer be read in-band, after the first byte', async () => {
    const response = videoResponseObject(base, `vg_${'c'.repeat(48)}`, toVideoObject(job('queued', 0), 'native'));
    // biome-ignore lint/correctness/useYield: a job that vanishes fails on the first read, before any event.
    async function* gone(): AsyncGenerator<never> {
      throw new UpstreamError(404, 'video_not_found', 'The video job no longer exists.');
    }
    let text = '';
    for await (const frame of videoResponseFrames({ response, surface: 'native', events: gone(), composeEvents: true })) text += frame;
    const frames = dataFrames(parseSse(text));
    expect(frames.map((f) => f.event ?? f.data)).toEqual(['response.created', 'response.in_progress', 'response.output_item.added', 'compose.error', '[DONE]', 'compose.receipt']);
    expect(frames[3]!.json).toMatchObject({ error: { code: 'video_not_found' } });
  });
});
