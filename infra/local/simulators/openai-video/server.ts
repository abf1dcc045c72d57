/**
 * A loopback stand-in for OpenAI's video API (Sora): `POST /v1/videos` (multipart, as the official SDK sends
 * it, or JSON), `GET /v1/videos/{id}` and `GET /v1/videos/{id}/content`. A job is queued, then in progress
 * with rising `progress`, then completed after `renderMs`, and its content is a real MP4 made locally.
 * Faults are asked for in the prompt (see README.md).
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { hostSimulator, type HostOptions } from '../host.ts';
import { makeMp4, thumbnailSize } from './mp4.ts';

export const SIM_VIDEO_MODELS = ['sora-2', 'sora-2-pro'];
export const SIM_VIDEO_SECONDS = ['4', '8', '12'];
export const SIM_VIDEO_SIZES = ['720x1280', '1280x720', '1024x1792', '1792x1024'];

/** Prompt markers that make the simulator misbehave on purpose. */
export const SIM_VIDEO_FAULTS = {
  /** Refused at creation with a 400 (a moderation block). */
  reject: '[sim:reject]',
  /** Creation answers 503 (retryable). */
  unavailable: '[sim:unavailable]',
  /** The job fails once rendered. */
  fail: '[sim:fail]',
  /** The job never finishes. */
  stall: '[sim:stall]',
} as const;

export interface OpenAIVideoSimulatorOptions extends HostOptions {
  /** The key accepted; any non-empty bearer key when unset. */
  readonly apiKey?: string;
  /** How long a job takes from creation to completed. */
  readonly renderMs?: number;
  /** How long it stays queued first. */
  readonly queuedMs?: number;
}

interface SimJob {
  readonly id: string;
  readonly model: string;
  readonly prompt: string;
  readonly seconds: string;
  readonly size: string;
  readonly createdAt: number;
}

export interface RecordedVideoRequest {
  readonly method: string;
  readonly path: string;
  readonly contentType: string | undefined;
  readonly fields: Readonly<Record<string, string>>;
}

export interface OpenAIVideoSimulator {
  /** What `OPENAI_VIDEOS_BASE_URL` (or a transport's baseURL) takes: `<origin>/v1` (../host.ts). */
  readonly url: string;
  readonly apiKey: string;
  readonly requests: readonly RecordedVideoRequest[];
  /** How many times each job's status was read: the state machine's polls. */
  readonly polls: ReadonlyMap<string, number>;
  /** Serves a connection opened in memory (no port needed): see ../host.ts. */
  accept(connection: Duplex): void;
  close(): Promise<void>;
}

const readBody = async (req: IncomingMessage): Promise<Buffer> => {
  const chunks: Buffer[] = [];
  for await (const chunk of req as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks);
};

const send = (res: ServerResponse, status: number, body: unknown): void => {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
};

const error = (res: ServerResponse, status: number, message: string, code: string | null, param: string | null = null): void =>
  send(res, status, { error: { message, type: status >= 500 ? 'server_error' : 'invalid_request_error', param, code } });

/** Multipart or JSON fields as strings, the way OpenAI reads them. */
const readFields = async (req: IncomingMessage, body: Buffer): Promise<Record<string, string>> => {
  const type = req.headers['content-type'] ?? '';
  if (type.startsWith('multipart/form-data')) {
    const form = await new Response(body, { headers: { 'content-type': type } }).formData();
    return Object.fromEntries([...form.entries()].filter(([, v]) => typeof v === 'string') as [string, string][]);
  }
  const parsed = JSON.parse(body.toString('utf8') || '{}') as Record<string, unknown>;
  return Object.fromEntries(Object.entries(parsed).map(([k, v]) => [k, String(v)]));
};

export const startOpenAIVideoSimulator = async (options: OpenAIVideoSimulatorOptions = {}): Promise<OpenAIVideoSimulator> => {
  const renderMs = options.renderMs ?? 1_500;
  const queuedMs = options.queuedMs ?? Math.min(200, renderMs / 4);
  const jobs = new Map<string, SimJob>();
  const polls = new Map<string, number>();
  const requests: RecordedVideoRequest[] = [];

  const statusOf = (job: SimJob) => {
    const elapsed = Date.now() - job.createdAt;
    if (elapsed < queuedMs) return { status: 'queued', progress: 0 };
    if (job.prompt.includes(SIM_VIDEO_FAULTS.stall) || elapsed < renderMs) return { status: 'in_progress', progress: Math.min(99, Math.floor((elapsed / renderMs) * 100)) };
    if (job.prompt.includes(SIM_VIDEO_FAULTS.fail)) return { status: 'failed', progress: 100 };
    return { status: 'completed', progress: 100 };
  };

  const videoObject = (job: SimJob) => {
    const { status, progress } = statusOf(job);
    const done = status === 'completed' || status === 'failed';
    return {
      id: job.id,
      object: 'video',
      model: job.model,
      status,
      progress,
      created_at: Math.floor(job.createdAt / 1000),
      completed_at: done ? Math.floor((job.createdAt + renderMs) / 1000) : null,
      expires_at: status === 'completed' ? Math.floor(job.createdAt / 1000) + 86_400 : null,
      error: status === 'failed' ? { code: 'video_generation_failed', message: 'The simulated render failed.' } : null,
      prompt: job.prompt,
      remixed_from_video_id: null,
      seconds: job.seconds,
      size: job.size,
    };
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const body = await readBody(req);
    const auth = req.headers.authorization ?? '';
    const key = auth.startsWith('Bearer ') ? auth.slice(7) : '';
    const fields = req.method === 'POST' ? await readFields(req, body).catch(() => ({}) as Record<string, string>) : {};
    requests.push({ method: req.method ?? '', path: url.pathname, contentType: req.headers['content-type'], fields });
    if (!key || (options.apiKey && key !== options.apiKey)) return error(res, 401, 'Incorrect API key provided.', 'invalid_api_key');

    if (req.method === 'POST' && url.pathname === '/v1/videos') {
      const { prompt, model = 'sora-2', seconds = '4', size = '720x1280' } = fields;
      if (!prompt) return error(res, 400, "Missing required parameter: 'prompt'.", 'missing_required_parameter', 'prompt');
      if (!SIM_VIDEO_MODELS.includes(model)) return error(res, 400, `Invalid value: '${model}'.`, 'invalid_value', 'model');
      if (!SIM_VIDEO_SECONDS.includes(seconds)) return error(res, 400, `Invalid value: '${seconds}'. Supported values are: '4', '8', and '12'.`, 'invalid_value', 'seconds');
      if (!SIM_VIDEO_SIZES.includes(size)) return error(res, 400, `Invalid value: '${size}'.`, 'invalid_value', 'size');
      if (prompt.includes(SIM_VIDEO_FAULTS.reject)) return error(res, 400, 'Your request was blocked by our moderation system.', 'moderation_blocked');
      if (prompt.includes(SIM_VIDEO_FAULTS.unavailable)) return error(res, 503, 'The server is overloaded.', null);
      const job: SimJob = { id: `video_${randomBytes(16).toString('hex')}`, model, prompt, seconds, size, createdAt: Date.now() };
      jobs.set(job.id, job);
      return send(res, 200, videoObject(job));
    }

    const match = /^\/v1\/videos\/([^/]+)(\/content)?$/.exec(url.pathname);
    const job = match ? jobs.get(match[1]!) : undefined;
    if (req.method !== 'GET' || !match) return error(res, 404, `Invalid URL (${req.method} ${url.pathname})`, null);
    if (!job) return error(res, 404, `Video '${match[1]}' not found.`, 'not_found');
    if (!match[2]) {
      polls.set(job.id, (polls.get(job.id) ?? 0) + 1);
      return send(res, 200, videoObject(job));
    }
    if (statusOf(job).status !== 'completed') return error(res, 400, 'Video is not ready yet.', 'video_not_ready');
    const mp4 = makeMp4({ ...thumbnailSize(job.size), seconds: Number(job.seconds) });
    res.writeHead(200, { 'content-type': 'video/mp4', 'content-length': mp4.length });
    res.end(mp4);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) error(res, 500, 'The simulator failed.', null);
      else res.destroy();
    });
  });
  const host = await hostSimulator(server, 'openai-video', options);
  return {
    url: `${host.origin}/v1`,
    apiKey: options.apiKey ?? 'sim-openai-video-key',
    requests,
    polls,
    accept: host.accept,
    close: host.close,
  };
};
