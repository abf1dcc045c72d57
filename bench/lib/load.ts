/**
 * The load client: undici pools (one per path under test), timed with performance.now() in this process.
 * Every loop here is bounded by a count and a deadline.
 */
import { Pool } from 'undici';
import { epochMs } from '../services/upstream.ts';
import { summarize, type Summary } from './stats.ts';

export interface HttpTarget {
  readonly name: string;
  readonly pool: Pool;
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  /**
   * Rewrites the Chat Completions body the helpers build into what this target speaks (another wire format,
   * another path per streamed or not). Called once per distinct body: the result is cached.
   */
  readonly prepare?: (body: string) => { readonly path: string; readonly body: string };
}

const prepared = new WeakMap<HttpTarget, Map<string, { path: string; body: string }>>();

/** The path and body `target` is sent for the Chat Completions `body`. */
export const requestFor = (target: HttpTarget, body: string): { path: string; body: string } => {
  if (!target.prepare) return { path: target.path, body };
  let cache = prepared.get(target);
  if (!cache) prepared.set(target, (cache = new Map()));
  let entry = cache.get(body);
  if (!entry) {
    if (cache.size > 64) cache.clear();
    cache.set(body, (entry = { ...target.prepare(body) }));
  }
  return entry;
};

export const createPool = (url: string, connections: number): Pool =>
  new Pool(url, { connections, pipelining: 1, keepAliveTimeout: 60_000, headersTimeout: 15_000, bodyTimeout: 15_000 });

const failure = (target: HttpTarget, status: number, body: string): Error =>
  new Error(`${target.name}: HTTP ${status} from ${target.path}: ${body.slice(0, 400)}`);

/** One request, body read to the end; resolves with the latency in ms and the body. */
export const timedRequest = async (target: HttpTarget, body: string): Promise<{ ms: number; text: string }> => {
  const sent = requestFor(target, body);
  const start = performance.now();
  const response = await target.pool.request({ method: 'POST', path: sent.path, headers: target.headers, body: sent.body });
  const text = await response.body.text();
  const ms = performance.now() - start;
  if (response.statusCode !== 200) throw failure(target, response.statusCode, text);
  return { ms, text };
};

export interface StreamTiming {
  /** When each content chunk's marker arrived, ms after the request was sent; NaN if it never did. */
  readonly arrivals: readonly number[];
  /** How long each chunk took from the upstream's write to this client (its stamp vs the clock here). */
  readonly delivery: readonly number[];
  /** Body reads (socket data events after HTTP decoding). */
  readonly reads: number;
  /** Reads that completed at least one content marker. */
  readonly contentReads: number;
  /** Reads that completed more than one content marker: upstream chunks merged on the way. */
  readonly coalescedReads: number;
  readonly sseEvents: number;
  readonly doneSeen: boolean;
  readonly totalMs: number;
}

/** One streamed request; records when each upstream chunk (by its marker) reached this client. */
export const timedStream = async (target: HttpTarget, body: string, chunks: number): Promise<StreamTiming> => {
  const sent = requestFor(target, body);
  const start = performance.now();
  const response = await target.pool.request({ method: 'POST', path: sent.path, headers: target.headers, body: sent.body });
  if (response.statusCode !== 200) throw failure(target, response.statusCode, await response.body.text());
  const arrivals = new Array<number>(chunks).fill(Number.NaN);
  const delivery = new Array<number>(chunks).fill(Number.NaN);
  let text = '';
  let found = 0;
  let from = 0;
  let reads = 0;
  let contentReads = 0;
  let coalescedReads = 0;
  return new Promise<StreamTiming>((resolve, reject) => {
    response.body.on('data', (data: Buffer) => {
      const clock = epochMs();
      const now = performance.now() - start;
      reads += 1;
      text += data.toString('latin1');
      let completed = 0;
      // Markers are `[c<i>]` or `[c<i>@<stamp>]`, in order; one split across reads completes on the next.
      while (found < chunks) {
        const at = text.indexOf(`[c${found}`, from);
        const close = at === -1 ? -1 : text.indexOf(']', at);
        if (close === -1) break;
        const [label, stamp] = text.slice(at + 1, close).split('@');
        from = close;
        if (label !== `c${found}`) continue;
        arrivals[found] = now;
        delivery[found] = stamp === undefined ? Number.NaN : clock - Number(stamp);
        found += 1;
        completed += 1;
      }
      if (completed > 0) contentReads += 1;
      if (completed > 1) coalescedReads += 1;
    });
    response.body.once('error', reject);
    response.body.once('end', () =>
      resolve({
        arrivals,
        delivery,
        reads,
        contentReads,
        coalescedReads,
        sseEvents: text.match(/^data:/gm)?.length ?? 0,
        doneSeen: text.includes('data: [DONE]'),
        totalMs: performance.now() - start,
      }),
    );
  });
};

export interface LoadResult {
  readonly concurrency: number;
  readonly requests: number;
  readonly errors: number;
  readonly elapsedMs: number;
  readonly rps: number;
  readonly latency: Summary;
  readonly firstError?: string;
}

/** `concurrency` closed-loop workers issuing `send` until the deadline (or `maxRequests`) is reached. */
export const runLoad = async (send: () => Promise<unknown>, concurrency: number, durationMs: number, maxRequests = 1_000_000): Promise<LoadResult> => {
  const latencies: number[] = [];
  let issued = 0;
  let errors = 0;
  let firstError: string | undefined;
  const start = performance.now();
  const deadline = start + durationMs;
  const worker = async (): Promise<void> => {
    while (performance.now() < deadline && issued < maxRequests && errors < 1_000) {
      issued += 1;
      const t = performance.now();
      try {
        await send();
        latencies.push(performance.now() - t);
      } catch (error) {
        errors += 1;
        firstError ??= error instanceof Error ? error.message : String(error);
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsedMs = performance.now() - start;
  return {
    concurrency,
    requests: latencies.length,
    errors,
    elapsedMs,
    rps: latencies.length / (elapsedMs / 1000),
    latency: summarize(latencies),
    ...(firstError ? { firstError } : {}),
  };
};

/**
 * Runs `perTarget` samples against each target, interleaved in small blocks, so drift (GC, CPU frequency,
 * the other processes) spreads evenly over the paths being compared.
 */
export const interleaved = async <T>(
  targets: readonly HttpTarget[],
  perTarget: number,
  block: number,
  sample: (target: HttpTarget) => Promise<T>,
): Promise<Map<string, T[]>> => {
  const results = new Map<string, T[]>(targets.map((t) => [t.name, []]));
  for (let done = 0; done < perTarget; done += block) {
    for (const target of targets) {
      const list = results.get(target.name)!;
      for (let i = 0; i < Math.min(block, perTarget - done); i += 1) list.push(await sample(target));
    }
  }
  return results;
};
