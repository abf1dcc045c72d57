/**
 * Issue 6: peak RSS of the gateway during a 25 MB transcription upload and a 50 MB video download.
 *
 * The stand-ins (dynalite, s3rver, fauxqs) and every provider simulator run in a process of their own
 * (bench/services/standins.ts --all). Two kinds of gateway process are measured against them:
 * - each function as a Lambda instance runs it: its esbuild bundle (as deployed) behind the API Gateway
 *   emulation, alone in a plain-JavaScript process (bench/services/lambda-host.ts): the media function for the
 *   transcription, the videos function for the download. The 150 MB target applies to these;
 * - the local runtime (`startLocalRuntime` with `standins`, no video pipeline), for scale: every family's
 *   handler loaded from TypeScript source in one process.
 *
 * (a) Transcription of a 25 MB WAV through the upload flow: POST /v1/uploads, the file PUT to the presigned URL
 *     (that goes to the S3 stand-in, not the gateway), then the JSON call naming it, which streams it from S3 into
 *     the provider request (the openai simulator, in the other process).
 * (b) A 50 MB video through GET /v1/videos/{id}/content: the object is put in the media bucket and a completed
 *     job for it written to the videos table (through the real job store), then downloaded through the gateway.
 * (c) An image edit of a 48 MB PNG through the upload flow (GPT Image takes images under 50 MB): streamed from S3
 *     into the provider's multipart request, as the transcription is.
 * For comparison: the direct multipart path (the whole body handed to the function, as API Gateway does) with
 * a 9 MB file, and a 25 MB multipart body, which the emulated API Gateway refuses (10 MB limit).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { decodeJwt } from 'jose';
import { request } from 'undici';
import { paddedPicture } from '../../infra/local/simulators/openai-media/encode/png.ts';
import { createDocumentClient } from '../../shared/stores/clients.ts';
import { FAMILY_NODE_OPTIONS } from '../../shared/routes.ts';
import { physicalTableName } from '../../layers/core/tables.ts';
import { createVideoJobStore } from '../../shared/videos/job-store.ts';
import { newVideoJobId } from '../../shared/videos/ids.ts';
import { videoKeyOf } from '../../shared/videos/storage.ts';
import { buildFunctionBundle, buildScript } from '../bundles/build.ts';
import type { ChildService } from '../lib/child.ts';
import { readMemory, resetPeak, sampleRss } from '../lib/proc.ts';
import { atMost, metric, type Metric, type Section } from '../lib/section.ts';
import { round } from '../lib/stats.ts';

const MB = 1024 * 1024;
const UPLOAD_BYTES = 25 * MB;
/** Just under the emulated API Gateway limit (10 MiB), multipart framing included. */
const DIRECT_UPLOAD_BYTES = 9 * MB;
const DOWNLOAD_BYTES = 50 * MB;
const EDIT_BYTES = 48 * MB;
const TARGET_MB = 150;
/** The functions run with the Node flags they are deployed with (NODE_OPTIONS from shared/routes.ts). */
const deployedFlags = (family: string): string[] => (FAMILY_NODE_OPTIONS[family] ?? '').split(' ').filter(Boolean);
/**
 * Where a streamed call's peak lands depends on when V8 happens to collect (see the notes), so the calls held
 * to the target run this many times and the worst is reported.
 */
const REPEATS = 3;
const MODEL = 'whisper-1';
const TIMEOUT_MS = 120_000;
const LOCAL = { region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };

/** A mono 16-bit 16 kHz PCM WAV of `bytes` total size, all silence. */
export const silentWav = (bytes: number): Buffer => {
  const wav = Buffer.alloc(bytes);
  const dataBytes = bytes - 44;
  wav.write('RIFF', 0, 'ascii');
  wav.writeUInt32LE(bytes - 8, 4);
  wav.write('WAVE', 8, 'ascii');
  wav.write('fmt ', 12, 'ascii');
  wav.writeUInt32LE(16, 16);
  wav.writeUInt16LE(1, 20); // PCM
  wav.writeUInt16LE(1, 22); // mono
  wav.writeUInt32LE(16_000, 24);
  wav.writeUInt32LE(32_000, 28); // byte rate
  wav.writeUInt16LE(2, 32); // block align
  wav.writeUInt16LE(16, 34);
  wav.write('data', 36, 'ascii');
  wav.writeUInt32LE(dataBytes, 40);
  return wav;
};

/** `bytes` that start like an MP4 (an `ftyp` box), the rest filler: the route streams bytes, it does not decode them. */
const mp4Like = (bytes: number): Buffer => {
  const data = Buffer.alloc(bytes, 0x5a);
  data.writeUInt32BE(24, 0);
  data.write('ftypisom', 4, 'ascii');
  return data;
};

const multipart = (file: Buffer, model: string): { body: Buffer; contentType: string } => {
  const boundary = `----compose-bench-${Date.now().toString(16)}`;
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="model"\r\n\r\n${model}\r\n` +
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="silence.wav"\r\nContent-Type: audio/wav\r\n\r\n`,
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  return { body: Buffer.concat([head, file, tail]), contentType: `multipart/form-data; boundary=${boundary}` };
};

interface Peak {
  /** VmHWM after the operation (reset just before), when the kernel allowed the reset. */
  readonly hwm: number | undefined;
  readonly sampled: number;
  readonly before: number | undefined;
}

/** Runs `operation` with the process's peak RSS reset before it and read after it. */
const peakDuring = async <T>(pid: number, operation: () => Promise<T>): Promise<{ result: T; peak: Peak; ms: number }> => {
  const before = readMemory(pid)?.rss;
  const reset = resetPeak(pid);
  const sampler = sampleRss(pid, 5);
  const start = performance.now();
  try {
    const result = await operation();
    return { result, peak: { hwm: reset ? readMemory(pid)?.hwm : undefined, sampled: sampler.stop(), before }, ms: performance.now() - start };
  } finally {
    sampler.stop();
  }
};

const peakMB = (peak: Peak | undefined): number | null => (peak ? round((peak.hwm ?? peak.sampled) / MB, 1) : null);
/** Peak minus the RSS just before the operation: what the operation itself made resident. */
const growthMB = (peak: Peak | undefined): number | null => (peak?.before === undefined ? null : round(((peak.hwm ?? peak.sampled) - peak.before) / MB, 1));
const howMeasured = (peak: Peak): string =>
  peak.hwm === undefined ? 'max of 5 ms VmRSS samples (clear_refs refused)' : 'VmHWM over the operation (reset by clear_refs before it)';

interface Answer {
  readonly status: number;
  readonly bytes: number;
  readonly text: string;
}

/** One request; the answer's body is counted as it arrives (never collected when large). */
const call = async (url: string, init: { method?: 'GET' | 'POST' | 'PUT'; headers?: Record<string, string>; body?: Buffer | string }): Promise<Answer> => {
  try {
    const response = await request(url, { ...init, headersTimeout: TIMEOUT_MS, bodyTimeout: TIMEOUT_MS });
    let bytes = 0;
    let text = '';
    for await (const chunk of response.body) {
      bytes += (chunk as Buffer).length;
      // Small answers (JSON) are kept whole; a video's bytes are only counted.
      if (text.length < 64 * 1024) text += (chunk as Buffer).toString('utf8', 0, 64 * 1024);
    }
    return { status: response.statusCode, bytes, text: text.slice(0, 64 * 1024) };
  } catch (error) {
    return { status: 0, bytes: 0, text: String(error) };
  }
};

interface Measured {
  readonly result: Answer;
  readonly peak: Peak;
  readonly ms: number;
}

/** Runs `measure` `times` times and keeps the run with the highest peak (or the first failure); `peaks`: every run's, in MB. */
const worstOf = async (times: number, measure: () => Promise<Measured>): Promise<Measured & { readonly peaks: readonly (number | null)[] }> => {
  const runs: Measured[] = [];
  for (let i = 0; i < times; i++) runs.push(await measure());
  const failed = runs.find((run) => run.result.status !== 200);
  const worst = failed ?? runs.reduce((a, b) => ((b.peak.hwm ?? b.peak.sampled) > (a.peak.hwm ?? a.peak.sampled) ? b : a));
  return { ...worst, peaks: runs.map((run) => peakMB(run.peak)) };
};

/** A gateway process under measurement: where to call it, and whose memory to read. */
interface Gateway {
  readonly url: string;
  readonly pid: number;
}

export const mediaSection: Section = {
  id: 'media',
  title: 'Media: peak RSS during large uploads and downloads',
  issue: 6,
  run: async ({ services, log }) => {
    const standins = await services.allStandIns();
    const endpoints = { dynamodb: String(standins.info['dynamodb']), s3: String(standins.info['s3']), sqs: String(standins.info['sqs']) };
    const providerEnv = standins.info['providerEnv'] as Record<string, string>;
    const runtime = await services.customGateway('local runtime (stand-ins apart)', { env: providerEnv, simulateProviders: false, standins: endpoints, videos: false });
    const s3 = new S3Client({ ...LOCAL, endpoint: endpoints.s3, forcePathStyle: true });
    const dynamo = new DynamoDBClient({ ...LOCAL, endpoint: endpoints.dynamodb });
    const buildDir = mkdtempSync(join(tmpdir(), 'compose-bench-lambda-'));
    const functions: ChildService[] = [];
    try {
      const authorization = String(runtime.info['authorization']);
      const bucket = String(runtime.info['mediaBucket']);
      const functionEnv = runtime.info['env'] as Record<string, string>;
      const jobs = createVideoJobStore({ doc: createDocumentClient(dynamo), tableName: physicalTableName('bench', 'videos') });
      const owner = `key:${String(decodeJwt(authorization.replace(/^Bearer compose-/, '')).jti)}`;
      const json = (body: unknown) => ({ method: 'POST' as const, headers: { authorization, 'content-type': 'application/json' }, body: JSON.stringify(body) });

      /** Creates an upload and PUTs the file to S3 (not measured: it never touches the gateway); its id. */
      const uploaded = async (gateway: Gateway, file: Buffer, filename: string, contentType: string, purpose: string): Promise<string> => {
        const created = await call(`${gateway.url}/v1/uploads`, json({ filename, content_type: contentType, bytes: file.length, purpose }));
        if (created.status !== 201) throw new Error(`POST /v1/uploads answered ${created.status}: ${created.text}`);
        const upload = JSON.parse(created.text) as { id: string; upload_url: string; headers: Record<string, string> };
        const put = await call(upload.upload_url, { method: 'PUT', headers: upload.headers, body: file });
        if (put.status !== 200) throw new Error(`the PUT to the upload URL answered ${put.status}: ${put.text}`);
        return upload.id;
      };
      /** (a): the measured transcription naming an upload. */
      const uploadAndTranscribe = async (gateway: Gateway, wav: Buffer): Promise<Measured> => {
        const id = await uploaded(gateway, wav, 'silence.wav', 'audio/wav', 'transcription');
        return peakDuring(gateway.pid, () => call(`${gateway.url}/v1/audio/transcriptions`, json({ model: MODEL, file_id: id, response_format: 'verbose_json' })));
      };
      /** (c): the measured image edit naming an upload. */
      const uploadAndEdit = async (gateway: Gateway, png: Buffer): Promise<Measured> => {
        const id = await uploaded(gateway, png, 'photo.png', 'image/png', 'image_edit');
        return peakDuring(gateway.pid, () => call(`${gateway.url}/v1/images/edits`, json({ model: 'gpt-image-1', prompt: 'bench', file_id: id, quality: 'low', size: '1024x1024' })));
      };
      /** (b): a completed job whose video is `bytes` long, then the measured download through the gateway. */
      const storeAndDownload = async (gateway: Gateway, bytes: number): Promise<Measured> => {
        const id = newVideoJobId();
        const key = videoKeyOf(id);
        await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: mp4Like(bytes), ContentType: 'video/mp4', ContentLength: bytes }));
        const now = Math.floor(Date.now() / 1000);
        await jobs.create({
          id,
          owner,
          status: 'completed',
          progress: 100,
          createdAt: now,
          completedAt: now,
          expiresAt: now + 86_400,
          videoKey: key,
          videoBytes: bytes,
          model: 'sora-2',
          provider: 'openai',
          wireModel: 'sora-2',
          prompt: 'bench',
          seconds: 4,
          resolution: '720p',
          aspectRatio: '16:9',
        });
        return peakDuring(gateway.pid, () => call(`${gateway.url}/v1/videos/${id}/content`, { headers: { authorization } }));
      };
      const direct = (gateway: Gateway, wav: Buffer): Promise<Measured> => {
        const { body, contentType } = multipart(wav, MODEL);
        return peakDuring(gateway.pid, () => call(`${gateway.url}/v1/audio/transcriptions`, { method: 'POST', headers: { authorization, 'content-type': contentType }, body }));
      };
      const ok = (what: string, m: Measured): Measured => {
        log(`    ${what} → HTTP ${m.result.status}, ${round(m.result.bytes / MB, 1)} MB answered, ${round(m.ms, 0)} ms`);
        return m;
      };
      const rss = (pid: number): number | null => {
        const value = readMemory(pid)?.rss;
        return value === undefined ? null : round(value / MB, 1);
      };
      /** The first calls load SDK clients and code paths once per instance: not the cost of a large file. */
      const warmUp = async (what: () => Promise<Measured>): Promise<void> => {
        const warm = await what();
        if (warm.result.status !== 200) throw new Error(`warm-up answered ${warm.result.status}: ${warm.result.text}`);
      };

      log('  building the media and videos Lambda bundles and the host that runs them');
      const host = await buildScript(join(import.meta.dirname, '..', 'services', 'lambda-host.ts'), join(buildDir, 'lambda-host.mjs'));
      const [mediaBundle, videosBundle] = [await buildFunctionBundle('media', buildDir), await buildFunctionBundle('videos', buildDir)];
      const mediaFn = await services.lambdaHost('media function', host, 'media', mediaBundle.file, functionEnv, deployedFlags('media'));
      functions.push(mediaFn);
      const videosFn = await services.lambdaHost('videos function', host, 'videos', videosBundle.file, functionEnv, deployedFlags('videos'));
      functions.push(videosFn);
      // For comparison, the same media function with V8's default young generation (no NODE_OPTIONS).
      const mediaFnDefaultGc = await services.lambdaHost('media function (default V8 flags)', host, 'media', mediaBundle.file, functionEnv, []);
      functions.push(mediaFnDefaultGc);

      const idle = { media: rss(mediaFn.pid), videos: rss(videosFn.pid), runtime: rss(runtime.pid), standins: rss(standins.pid) };
      log('  warm-up: a 1 MB upload-flow transcription and a 1 MB download on each process');
      await warmUp(() => uploadAndTranscribe(mediaFn, silentWav(MB)));
      await warmUp(() => uploadAndTranscribe(mediaFnDefaultGc, silentWav(MB)));
      await warmUp(() => uploadAndEdit(mediaFn, paddedPicture(MB)));
      await warmUp(() => storeAndDownload(videosFn, MB));
      await warmUp(() => uploadAndTranscribe(runtime, silentWav(MB)));
      await warmUp(() => storeAndDownload(runtime, MB));
      const warm = { media: rss(mediaFn.pid), videos: rss(videosFn.pid), runtime: rss(runtime.pid) };

      log(`  (a) transcription of a ${UPLOAD_BYTES / MB} MB WAV through the upload flow`);
      const wav = silentWav(UPLOAD_BYTES);
      const upload = await worstOf(REPEATS, async () => ok('media function', await uploadAndTranscribe(mediaFn, wav)));
      const defaultGcUpload = await worstOf(REPEATS, async () => ok('media function (default V8 flags)', await uploadAndTranscribe(mediaFnDefaultGc, wav)));
      const runtimeUpload = ok('local runtime', await uploadAndTranscribe(runtime, silentWav(UPLOAD_BYTES)));
      log(`  (b) download of a ${DOWNLOAD_BYTES / MB} MB video through GET /v1/videos/{id}/content`);
      const download = await worstOf(REPEATS, async () => ok('videos function', await storeAndDownload(videosFn, DOWNLOAD_BYTES)));
      const runtimeDownload = ok('local runtime', await storeAndDownload(runtime, DOWNLOAD_BYTES));
      log(`  (c) image edit of a ${EDIT_BYTES / MB} MB PNG through the upload flow`);
      const png = paddedPicture(EDIT_BYTES);
      const edit = await worstOf(REPEATS, async () => ok('media function', await uploadAndEdit(mediaFn, png)));
      // The buffering paths last: RSS a process grows by is rarely given back.
      log(`  for comparison: a ${DIRECT_UPLOAD_BYTES / MB} MB WAV as a multipart body (the whole body handed to the function)`);
      const small = ok('media function', await direct(mediaFn, silentWav(DIRECT_UPLOAD_BYTES)));
      log(`  and a ${UPLOAD_BYTES / MB} MB WAV as a multipart body (over API Gateway's 10 MB)`);
      const large = ok('media function', await direct(mediaFn, silentWav(UPLOAD_BYTES)));

      const note = (m: Measured, what: string): string =>
        `HTTP ${m.result.status}${m.result.status === 200 ? '' : ` (${m.result.text.slice(0, 120)})`}, ${what}, ${round(m.ms, 0)} ms; ${howMeasured(m.peak)}; RSS before ${m.peak.before === undefined ? '?' : round(m.peak.before / MB, 1)} MB`;
      const above = (m: Measured, base: number | null): number | null => {
        const peak = served(m);
        return peak === null || base === null ? null : round(peak - base, 1);
      };
      const served = (m: Measured): number | null => (m.result.status === 200 ? peakMB(m.peak) : null);
      const UPLOAD = `a ${UPLOAD_BYTES / MB} MB transcription (upload flow: streamed from S3 to the provider)`;
      const DOWNLOAD = `a ${DOWNLOAD_BYTES / MB} MB video download (GET /v1/videos/{id}/content)`;
      const metrics: Metric[] = [
        metric('media function RSS idle after start-up (its bundle behind the API Gateway emulation)', idle.media, 'MB'),
        metric('media function RSS after the warm-up calls', warm.media, 'MB'),
        metric(`media function peak RSS during ${UPLOAD}, worst of ${REPEATS}`, served(upload), 'MB', {
          target: atMost(TARGET_MB),
          note: `${note(upload, 'the JSON call naming the upload; the file went to S3 by presigned PUT')}; peaks of the ${REPEATS} calls: ${upload.peaks.join(', ')} MB`,
        }),
        metric(`media function RSS growth over its warm state during the ${UPLOAD_BYTES / MB} MB transcriptions (worst peak − RSS after the warm-up)`, above(upload, warm.media), 'MB'),
        metric(`media function peak RSS during the same transcription without its NODE_OPTIONS (V8's default young generation), worst of ${REPEATS}`, served(defaultGcUpload), 'MB', {
          note: `${note(defaultGcUpload, 'the same call on a second media function process')}; peaks: ${defaultGcUpload.peaks.join(', ')} MB`,
        }),
        metric(`media function peak RSS during a ${EDIT_BYTES / MB} MB image edit (upload flow: streamed from S3 to the provider), worst of ${REPEATS}`, served(edit), 'MB', {
          target: atMost(TARGET_MB),
          note: `${note(edit, 'the JSON edit naming the upload; the edited image answered as a URL')}; peaks of the ${REPEATS} calls: ${edit.peaks.join(', ')} MB`,
        }),
        metric('videos function RSS idle after start-up', idle.videos, 'MB'),
        metric('videos function RSS after the warm-up calls', warm.videos, 'MB'),
        metric(`videos function peak RSS during ${DOWNLOAD}, worst of ${REPEATS}`, served(download), 'MB', {
          target: atMost(TARGET_MB),
          note: `${note(download, `${round(download.result.bytes / MB, 1)} MB received`)}; peaks of the ${REPEATS} calls: ${download.peaks.join(', ')} MB`,
        }),
        metric(`videos function RSS growth over its warm state during the ${DOWNLOAD_BYTES / MB} MB downloads (worst peak − RSS after the warm-up)`, above(download, warm.videos), 'MB'),
        metric(`media function peak RSS during a ${DIRECT_UPLOAD_BYTES / MB} MB transcription as a multipart body (held whole, by design)`, peakMB(small.peak), 'MB', {
          note: note(small, 'API Gateway hands the function the whole body, base64; here its emulation holds it in the same process too'),
        }),
        metric(`media function RSS growth during the ${DIRECT_UPLOAD_BYTES / MB} MB multipart transcription (peak − before)`, growthMB(small.peak), 'MB'),
        metric(`HTTP status of a ${UPLOAD_BYTES / MB} MB transcription as a multipart body`, large.result.status, 'count', {
          note: large.result.status === 413 ? 'refused by the emulated API Gateway body limit (10 MB): larger files go through POST /v1/uploads' : large.result.text.slice(0, 160),
        }),
        metric('local runtime RSS idle after start-up (every family from source, stand-ins apart)', idle.runtime, 'MB'),
        metric('local runtime RSS after the warm-up calls', warm.runtime, 'MB'),
        metric(`local runtime peak RSS during ${UPLOAD}`, served(runtimeUpload), 'MB', { note: note(runtimeUpload, 'the same call') }),
        metric(`local runtime RSS growth during the ${UPLOAD_BYTES / MB} MB transcription (peak − before)`, growthMB(runtimeUpload.peak), 'MB'),
        metric(`local runtime peak RSS during ${DOWNLOAD}`, served(runtimeDownload), 'MB', { note: note(runtimeDownload, `${round(runtimeDownload.result.bytes / MB, 1)} MB received`) }),
        metric(`local runtime RSS growth during the ${DOWNLOAD_BYTES / MB} MB download (peak − before)`, growthMB(runtimeDownload.peak), 'MB'),
        metric('stand-ins and provider simulators process RSS (not part of any function)', idle.standins, 'MB'),
      ];
      const detail = (m: Measured) => ({ ...m.peak, status: m.result.status, bytes: m.result.bytes, answer: m.result.text.slice(0, 300), ms: m.ms });
      return {
        metrics,
        details: {
          model: MODEL,
          idle,
          warm,
          bundles: { media: mediaBundle.bytes, videos: videosBundle.bytes },
          upload25: { ...detail(upload), peaks: upload.peaks },
          upload25DefaultGc: { ...detail(defaultGcUpload), peaks: defaultGcUpload.peaks },
          download50: { ...detail(download), peaks: download.peaks },
          edit48: { ...detail(edit), peaks: edit.peaks },
          runtimeUpload25: detail(runtimeUpload),
          runtimeDownload50: detail(runtimeDownload),
          multipart9: detail(small),
          multipart25: detail(large),
        },
        notes: [
          'Function rows: the function’s esbuild bundle (built as the CDK builds it) behind the local API Gateway emulation, alone in a plain-JavaScript Node process: what a Lambda instance of that function holds. Local runtime rows: `startLocalRuntime` pointed at the same stand-ins (no video pipeline), which loads every family’s handler from TypeScript source in one process; its idle RSS alone is above the target, so it is reported for scale. Stand-ins and provider simulators run in a third process. Peak RSS is VmHWM, reset (clear_refs) before each measured call.',
          `(a) POST /v1/uploads, then a PUT of the ${UPLOAD_BYTES / MB} MB WAV to the presigned URL (straight to the S3 stand-in; no gateway process sees it), then the measured JSON transcription naming the upload: HeadObject, a ranged GET of the first 64 KiB (format, WAV length), and the provider request body streamed from GetObject inside multipart framing with a known Content-Length.`,
          `(b) A ${DOWNLOAD_BYTES / MB} MB object put in the media bucket and a completed job written to the videos table through the job store; the measured GET /v1/videos/{id}/content pipes the GetObject body to the client.`,
          `(c) The same flow for an image edit: a ${EDIT_BYTES / MB} MB PNG (a 64×64 picture padded by a private chunk) PUT to its upload URL, then the measured JSON edit naming it; GPT Image takes the image as a multipart file, so it is streamed from GetObject into the provider request with the other fields before it.`,
          'The growth during a streamed call is garbage, not data held: every chunk read from S3 is dead once it is written to the provider, but V8 frees ArrayBuffer memory only at a collection, and a stream allocates few JavaScript objects, so its chunks pile up (process.memoryUsage().arrayBuffers reached about twice the file) until external-memory pressure forces a full collection. With gc() forced every 20 ms (--expose-gc) arrayBuffers stayed under 1 MB through the whole 25 MB call: nothing retains the file. That check found one real retention, fixed: Node’s fetch tees a stream body it may have to resend on a redirect, and the unread branch kept every chunk; streamed provider requests now refuse redirects.',
          `So a streamed call's peak moves from run to run with V8's collection timing: the rows held to the target are the worst of ${REPEATS} calls, and their notes list all ${REPEATS}.`,
          `The media and videos functions are deployed with NODE_OPTIONS=${FAMILY_NODE_OPTIONS['media']} (shared/routes.ts FAMILY_NODE_OPTIONS): a 1 MB young generation makes V8 scavenge the dead chunks as they pass, at a little more GC work per call. The function rows run with it, as deployed; the "without its NODE_OPTIONS" row shows what V8's defaults give.`,
          'A warm-up (1 MB of each) runs first on every process: the first calls load SDK clients and code paths once per instance, which is not the cost of a large file.',
          `The multipart rows are the direct path for comparison: API Gateway hands the function the whole body, so a ${DIRECT_UPLOAD_BYTES / MB} MB file is held (decoded once, then parsed); above 10 MB API Gateway refuses the body before any function runs.`,
        ],
      };
    } finally {
      s3.destroy();
      dynamo.destroy();
      for (const fn of functions) await fn.stop();
      await runtime.stop();
      await standins.stop();
      rmSync(buildDir, { recursive: true, force: true });
    }
  },
};
