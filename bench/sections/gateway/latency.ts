/** Non-streamed latency at c=1 and time to first token, per path, interleaved. */
import { interleaved, timedRequest, timedStream, type HttpTarget } from '../../lib/load.ts';
import { summarize, type Summary } from '../../lib/stats.ts';
import { marker } from '../../services/upstream.ts';
import { chatBody, type PathName } from './targets.ts';

export type PerPath<T> = Record<PathName, T>;

const byPath = <T>(results: Map<string, T[]>, f: (samples: T[]) => Summary): PerPath<Summary> =>
  Object.fromEntries([...results].map(([name, samples]) => [name, f(samples)])) as PerPath<Summary>;

/** One request of each kind per path, checked for content, before anything is timed. */
export const preflight = async (targets: readonly HttpTarget[], model: string): Promise<void> => {
  for (const target of targets) {
    const { text } = await timedRequest(target, chatBody(model, false, 3, 0));
    const content = (JSON.parse(text) as { choices?: Array<{ message?: { content?: string } }> }).choices?.[0]?.message?.content;
    if (content !== `${marker(0)}${marker(1)}${marker(2)}`) throw new Error(`${target.name}: unexpected non-streamed answer ${text.slice(0, 300)}`);
    const streamed = await timedStream(target, chatBody(model, true, 3, 1), 3);
    if (streamed.arrivals.some(Number.isNaN) || !streamed.doneSeen) {
      throw new Error(`${target.name}: the stream did not carry all 3 chunks and [DONE] (${JSON.stringify(streamed)})`);
    }
  }
};

export const warmUp = async (targets: readonly HttpTarget[], model: string, requests: number): Promise<void> => {
  await interleaved(targets, requests, 25, (t) => timedRequest(t, chatBody(model, false, 1, 0)));
  await interleaved(targets, Math.ceil(requests / 4), 10, (t) => timedStream(t, chatBody(model, true, 2, 0), 2));
};

export const measureLatency = async (targets: readonly HttpTarget[], model: string, samples: number): Promise<PerPath<Summary>> => {
  const body = chatBody(model, false, 1, 0);
  const results = await interleaved(targets, samples, 50, async (t) => (await timedRequest(t, body)).ms);
  return byPath(results, summarize);
};

/** Streams of two chunks: the first marker's arrival is the time to first token. */
export const measureTtft = async (targets: readonly HttpTarget[], model: string, streams: number): Promise<PerPath<Summary>> => {
  const body = chatBody(model, true, 2, 1);
  const results = await interleaved(targets, streams, 25, async (t) => (await timedStream(t, body, 2)).arrivals[0]!);
  return byPath(results, summarize);
};
