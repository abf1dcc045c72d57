/**
 * Issue 4: the gateway section's text-core measurement (bench/sections/gateway/), run through the Gemini and
 * Vertex adapters. One loopback upstream speaks Google's generateContent wire format on both APIs
 * (bench/services/google-upstream.ts); "direct" calls it in that format, the gateway is called with Chat
 * Completions (`provider: 'gemini' | 'vertex'` picks the adapter) and translates. A bare Node proxy in front of
 * the same upstream is the yardstick for the requests/s target, as in the gateway section.
 */
import { join } from 'node:path';
import { resolveTextModel } from '../../shared/inference/resolve.ts';
import { createTestServiceAccount } from '../../infra/local/simulators/vertex/service-account.ts';
import { startChild, type ChildService } from '../lib/child.ts';
import { createPool, timedRequest, timedStream, type HttpTarget } from '../lib/load.ts';
import { atLeast, atMost, exactly, metric, type Metric, type Section } from '../lib/section.ts';
import { round, roundSummary, type Summary } from '../lib/stats.ts';
import { BENCH_GEMINI_KEY, BENCH_VERTEX_TOKEN } from '../services/google-upstream.ts';
import { measureLatency, measureTtft, warmUp } from './gateway/latency.ts';
import { chatBody } from './gateway/targets.ts';
import { measureThroughput, type ThroughputResult } from './gateway/throughput.ts';

const MODEL = 'gemini-2.5-flash';
const PROVIDERS = ['gemini', 'vertex'] as const;
type Provider = (typeof PROVIDERS)[number];
const PROJECT = 'bench-project';
const LOCATION = 'us-central1';
const MB = 1024 * 1024;

const script = (name: string): string => join(import.meta.dirname, '..', 'services', `${name}.ts`);

/** The Chat Completions body the helpers build, as the generateContent body and path the provider's API takes. */
const toGoogle = (provider: Provider) => (body: string) => {
  const chat = JSON.parse(body) as { model: string; stream?: boolean; messages: Array<{ role: string; content: string }> };
  const method = chat.stream === true ? 'streamGenerateContent?alt=sse' : 'generateContent';
  const path =
    provider === 'gemini'
      ? `/v1beta/models/${chat.model}:${method}`
      : `/v1/projects/${PROJECT}/locations/${LOCATION}/publishers/google/models/${chat.model}:${method}`;
  return { path, body: JSON.stringify({ contents: chat.messages.map((m) => ({ role: 'user', parts: [{ text: m.content }] })) }) };
};

/** Adds `provider` to the Chat Completions body, so the catalog serves the model from that adapter. */
const withProvider = (provider: Provider) => (body: string) => ({ path: '/v1/chat/completions', body: JSON.stringify({ ...JSON.parse(body), provider }) });

/** One request of each kind per target, checked for content, before anything is timed. */
const preflight = async (targets: readonly HttpTarget[], model: string): Promise<void> => {
  for (const target of targets) {
    const { text } = await timedRequest(target, chatBody(model, false, 3, 0));
    if (!text.includes('[c0][c1][c2]')) throw new Error(`${target.name}: unexpected non-streamed answer ${text.slice(0, 300)}`);
    const streamed = await timedStream(target, chatBody(model, true, 3, 1), 3);
    if (streamed.arrivals.some(Number.isNaN)) throw new Error(`${target.name}: the stream did not carry all 3 chunks (${JSON.stringify(streamed)})`);
  }
};

export const gatewayGeminiSection: Section = {
  id: 'gateway-gemini',
  title: 'Gateway overhead through Gemini and Vertex',
  issue: 4,
  run: async ({ knobs, services, log }) => {
    for (const provider of PROVIDERS) {
      const served = resolveTextModel(MODEL, provider).provider;
      if (served !== provider) throw new Error(`${MODEL} with provider ${provider} resolves to ${served} in the catalog`);
    }
    const high = knobs.concurrency;
    // Capped so the section stays within about a minute in a full run (the gateway answers in ~10 ms here).
    const rpsMs = Math.min(knobs.rpsMs, 2_000);
    const samples = Math.min(knobs.samples, 600);
    const streams = Math.min(knobs.ttftStreams, 250);
    const children: ChildService[] = [];
    const pools: HttpTarget[] = [];
    try {
      const upstream = await startChild('google upstream', script('google-upstream'));
      children.push(upstream);
      const proxy = await startChild('bare proxy (google)', script('bare-proxy'), { args: [upstream.url] });
      children.push(proxy);
      const account = createTestServiceAccount({ projectId: PROJECT, tokenUri: `${upstream.url}/token` });
      const gateway = await services.customGateway('gateway (gemini, vertex)', {
        env: {
          GEMINI_API_KEY: BENCH_GEMINI_KEY,
          GEMINI_BASE_URL: `${upstream.url}/v1beta`,
          VERTEX_SERVICE_ACCOUNT_JSON: account.json,
          VERTEX_BASE_URL: upstream.url,
          VERTEX_PROJECT: PROJECT,
          VERTEX_LOCATION: LOCATION,
          VERTEX_TOKEN_URL: `${upstream.url}/token`,
        },
      });
      children.push(gateway);
      log(`  upstream pid ${upstream.pid}, bare proxy pid ${proxy.pid}, gateway pid ${gateway.pid}`);

      const json = { 'content-type': 'application/json' };
      const directHeaders = (provider: Provider) => ({ ...json, ...(provider === 'gemini' ? { 'x-goog-api-key': BENCH_GEMINI_KEY } : { authorization: `Bearer ${BENCH_VERTEX_TOKEN}` }) });
      const target = (name: string, url: string, headers: Record<string, string>, prepare: HttpTarget['prepare']): HttpTarget => {
        const t: HttpTarget = { name, pool: createPool(url, high), path: '/', headers, ...(prepare ? { prepare } : {}) };
        pools.push(t);
        return t;
      };
      const paths = Object.fromEntries(
        PROVIDERS.map((provider) => [
          provider,
          {
            direct: target(`${provider} direct`, upstream.url, directHeaders(provider), toGoogle(provider)),
            'bare proxy': target(`${provider} bare proxy`, proxy.url, directHeaders(provider), toGoogle(provider)),
            gateway: target(`${provider} gateway`, gateway.url, { ...json, authorization: String(gateway.info['authorization']) }, withProvider(provider)),
          },
        ]),
      ) as Record<Provider, Record<'direct' | 'bare proxy' | 'gateway', HttpTarget>>;

      const metrics: Metric[] = [];
      const details: Record<string, unknown> = { model: MODEL, rpsMs, samples, streams };
      let errors = 0;
      let firstError: string | undefined;
      for (const provider of PROVIDERS) {
        const { direct, gateway: viaGateway } = paths[provider];
        const pair = [direct, viaGateway];
        log(`  ${provider}: preflight and warm-up (model ${MODEL})`);
        await preflight([...pair, paths[provider]['bare proxy']], MODEL);
        await warmUp(pair, MODEL, knobs.quick ? 50 : 200);
        log(`  ${provider}: non-streamed latency, c=1: ${samples} requests per path`);
        const latency = (await measureLatency(pair, MODEL, samples)) as unknown as Record<string, Summary>;
        log(`  ${provider}: time to first token: ${streams} streams per path`);
        const ttft = (await measureTtft(pair, MODEL, streams)) as unknown as Record<string, Summary>;
        const [l, t] = [(name: HttpTarget) => latency[name.name]!, (name: HttpTarget) => ttft[name.name]!];

        const rps: Record<string, ThroughputResult> = {};
        const phases: Array<[HttpTarget, number, number | undefined]> = [
          [direct, 1, undefined],
          [viaGateway, 1, undefined],
          [direct, high, undefined],
          [paths[provider]['bare proxy'], high, proxy.pid],
          [viaGateway, high, gateway.pid],
        ];
        for (const [path, concurrency, pid] of phases) {
          log(`  ${provider}: requests/s, c=${concurrency}, ${path.name}: ${rpsMs} ms`);
          rps[`${path.name} c=${concurrency}`] = await measureThroughput(path, MODEL, concurrency, rpsMs, pid);
        }
        const r = (path: HttpTarget, c: number) => rps[`${path.name} c=${c}`]!;
        const gatewayHigh = r(viaGateway, high);
        const proxyHigh = r(paths[provider]['bare proxy'], high);
        for (const result of Object.values(rps)) {
          errors += result.load.errors;
          firstError ??= result.load.firstError;
        }
        const peak = gatewayHigh.memory?.hwm ?? gatewayHigh.memory?.sampled;
        metrics.push(
          metric(`${provider}: non-streamed latency c=1 p50, direct`, round(l(direct).p50), 'ms'),
          metric(`${provider}: non-streamed latency c=1 p50, gateway`, round(l(viaGateway).p50), 'ms'),
          metric(`${provider}: gateway added latency p50 vs direct`, round(l(viaGateway).p50 - l(direct).p50), 'ms', { target: atMost(1) }),
          metric(`${provider}: gateway added latency p99 vs direct`, round(l(viaGateway).p99 - l(direct).p99), 'ms', { target: atMost(3) }),
          metric(`${provider}: time to first token p50, direct`, round(t(direct).p50), 'ms'),
          metric(`${provider}: time to first token p50, gateway`, round(t(viaGateway).p50), 'ms'),
          metric(`${provider}: gateway TTFT overhead p50 vs direct`, round(t(viaGateway).p50 - t(direct).p50), 'ms', { target: atMost(1) }),
          metric(`${provider}: gateway TTFT overhead p99 vs direct`, round(t(viaGateway).p99 - t(direct).p99), 'ms'),
          metric(`${provider}: requests/s c=1, direct`, round(r(direct, 1).load.rps, 0), 'rps'),
          metric(`${provider}: requests/s c=1, gateway`, round(r(viaGateway, 1).load.rps, 0), 'rps'),
          metric(`${provider}: requests/s c=${high}, direct`, round(r(direct, high).load.rps, 0), 'rps'),
          metric(`${provider}: requests/s c=${high}, bare proxy`, round(proxyHigh.load.rps, 0), 'rps'),
          metric(`${provider}: requests/s c=${high}, gateway`, round(gatewayHigh.load.rps, 0), 'rps'),
          metric(`${provider}: gateway requests/s at c=${high} vs direct`, round(gatewayHigh.load.rps / r(direct, high).load.rps), 'ratio'),
          metric(`${provider}: gateway requests/s at c=${high} vs bare proxy`, round(gatewayHigh.load.rps / proxyHigh.load.rps), 'ratio', { target: atLeast(0.5) }),
          metric(`${provider}: gateway CPU per request at c=${high}`, round(gatewayHigh.cpuMsPerRequest ?? NaN), 'ms'),
          metric(`${provider}: gateway peak RSS at c=${high}`, peak === undefined ? null : round(peak / MB, 1), 'MB', {
            target: atMost(150),
            note: gatewayHigh.memory?.hwm === undefined ? 'max of 10 ms VmRSS samples (clear_refs refused)' : 'VmHWM over the phase (reset by clear_refs before it)',
          }),
        );
        details[provider] = {
          latencyC1: Object.fromEntries(Object.entries(latency).map(([k, v]) => [k, roundSummary(v)])),
          ttft: Object.fromEntries(Object.entries(ttft).map(([k, v]) => [k, roundSummary(v)])),
          throughput: Object.fromEntries(
            Object.entries(rps).map(([k, v]) => [k, { ...v.load, rps: round(v.load.rps, 1), latency: roundSummary(v.load.latency), memory: v.memory, cpuMsPerRequest: v.cpuMsPerRequest }]),
          ),
        };
      }
      metrics.push(metric('failed requests during requests/s phases', errors, 'count', { target: exactly(0) }));
      return {
        metrics,
        details,
        notes: [
          `Model ${MODEL}; the gateway is called with Chat Completions and \`provider\` set, "direct" calls the same loopback upstream (bench/services/google-upstream.ts) in Google's generateContent format (Gemini: /v1beta/models/…, x-goog-api-key; Vertex: /v1/projects/…/publishers/google/models/…, bearer token).`,
          'So the gateway figures include translating Chat Completions to generateContent and back (and SSE events to chat.completion.chunk), which is the adapters’ real work.',
          'Vertex: the gateway signs a service-account JWT (createTestServiceAccount) and exchanges it at the upstream’s /token, which accepts any assertion; the token is cached, so this cost falls in the warm-up, not in the timed requests.',
          'The gateway process is a separate local runtime from the gateway section’s (own stand-ins process: dynalite, s3rver, fauxqs); the bare proxy is bench/services/bare-proxy.ts in front of the Google upstream. Targets are the gateway section’s.',
          `Per provider and path: ${samples} non-streamed requests, ${streams} streams; requests/s phases of ${rpsMs} ms (BENCH_SAMPLES, BENCH_TTFT_STREAMS, BENCH_RPS_MS, capped at 600, 250 and 2 s here to keep the section short).`,
          ...(firstError ? [`First failure: ${firstError}`] : []),
        ],
      };
    } finally {
      await Promise.all(pools.map((p) => p.pool.close()));
      await Promise.all(children.reverse().map((c) => c.stop().catch(() => undefined)));
    }
  },
};
