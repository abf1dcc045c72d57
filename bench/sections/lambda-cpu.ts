/**
 * Issue 15, items 3 and 6: CPU per Compose Key call as Lambda runs it, and what memory size that justifies.
 *
 * The inference function's esbuild bundle (built as deployed) runs alone in a plain-JavaScript process behind the
 * API Gateway emulation (bench/services/lambda-host.ts). dynalite and s3rver run in another process with a
 * loopback proxy in front of dynalite that holds every request 4 ms (the round trip to DynamoDB in a region) and
 * counts them by operation; the provider is the bench's instant OpenAI-compatible upstream, in a third. Calls go
 * one at a time, as a Lambda instance serves them. The function's CPU is its process's `process.cpuUsage()`
 * (read over a side channel outside the emulation) before and after N calls of one kind.
 *
 * Then the cost table: for each memory size, the measured CPU stretched by Lambda's CPU share (modeled added
 * latency) and the price of a million 8-second streamed Compose Key chat calls (bench/lib/lambda-cost.ts).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { build } from 'esbuild';
import { request } from 'undici';
import { ensureTables } from '../../infra/local/standins/dynamodb.ts';
import { ensureDevSigningKey, mintKey, publicJwks } from '../../shared/keys/index.ts';
import { parseUsd } from '../../shared/pricing/decimal.ts';
import { FAMILIES, FAMILY_NODE_OPTIONS } from '../../shared/routes.ts';
import { ENTRY_FILE, functionBuildOptions } from '../../infra/lib/function-bundle.ts';
import { PROVIDER_SECRETS_ENV } from '../../layers/providers/credentials.ts';
import { LAYER_NODE_MODULES } from '../../infra/lib/layer-packages.ts';
import { layerBuildOptions } from '../../infra/lib/layer-bundle.ts';
import { buildFunctionBundle, buildLayer, buildScript } from '../bundles/build.ts';
import { lambdaEnv } from '../bundles/lambda-env.ts';
import type { ChildService } from '../lib/child.ts';
import { cheapestSize, estimateSize, MEMORY_SIZES_MB, type CallProfile } from '../lib/lambda-cost.ts';
import { createPool, interleaved, timedRequest, timedStream, type HttpTarget } from '../lib/load.ts';
import { readCpuMs, readMemory } from '../lib/proc.ts';
import { atMost, metric, type Metric, type Section, type Table } from '../lib/section.ts';
import { round, summarize } from '../lib/stats.ts';
import { COUNTS_PATH, type DynamoCounts } from '../services/latency-proxy.ts';
import { chatBody, openaiModel } from './gateway/targets.ts';

const DYNAMODB_LATENCY_MS = 4;
const STREAM_CHUNKS = 20;
const STREAM_GAP_MS = 1;
const MB = 1024 * 1024;
/** The call the cost table prices: an 8-second streamed chat completion. */
const PRICED_CALL_MS = 8_000;
/** One instance start per this many calls, for the amortized init in the price (an assumption, not a measurement). */
const CALLS_PER_COLD_START = 1_000;
const LATENCY_BUDGET_MS = 10;
/**
 * The functions run with the heap limits Lambda gives a 256 MB function: the smallest size a text function's
 * process (about 110 MB after init) can live in. Its peak RSS then says whether that size fits; larger sizes
 * have more room (their V8 may grow further into it, which costs nothing), and their CPU per call is, if anything,
 * a little lower (fewer collections) than measured here.
 */
const SIZING_HEAP_MB = 256;
const COST_GOAL = 35;
const LOCAL_CREDENTIALS = { AWS_ACCESS_KEY_ID: 'local', AWS_SECRET_ACCESS_KEY: 'local', AWS_SESSION_TOKEN: '' };

const TARGETS = { chat: 1, stream: 1.5, responses: 2, addedP50: 1, ttft: 1 } as const;

/**
 * The V8 heap limits Lambda's Node.js bootstrap derives from the function's memory (a tenth for the young
 * generation, split in two semi-spaces, the rest for the old one); the function's NODE_OPTIONS come after and win.
 * Without them V8 sizes its heap for this machine's memory, and RSS says little about a small Lambda.
 */
const lambdaHeapFlags = (memoryMB: number): string[] => [`--max-semi-space-size=${Math.floor(memoryMB / 20)}`, `--max-old-space-size=${memoryMB - Math.floor(memoryMB / 10)}`];

const json = async <T>(url: string): Promise<T> => (await (await request(url)).body.json()) as T;

interface Phase {
  readonly cpuMsPerCall: number;
  /** The kernel's share of it (socket writes and reads, on loopback both ends of the connection). */
  readonly systemMsPerCall: number;
  readonly writeItemsPerCall: number;
  readonly requestsPerCall: Readonly<Record<string, number>>;
}

/** A Responses API body: a stored response (the default), answered whole. */
const responsesBody = (model: string): string => JSON.stringify({ model, input: 'bench chunks=1 gap=0', store: true });

export const lambdaCpuSection: Section = {
  id: 'lambda-cpu',
  title: 'CPU per Compose Key call as Lambda runs it, and the memory size it justifies',
  issue: 15,
  run: async ({ knobs, services, log }) => {
    const calls = knobs.cpuCalls;
    const upstream = await services.upstream();
    const standins = await services.delayedStandIns(DYNAMODB_LATENCY_MS);
    const delayed = String(standins.info['dynamodbDelayed']);
    const buildDir = mkdtempSync(join(tmpdir(), 'compose-bench-cpu-'));
    const keysDir = mkdtempSync(join(tmpdir(), 'compose-bench-cpu-keys-'));
    let fn: ChildService | undefined;
    const pools: HttpTarget[] = [];
    try {
      const setup = new DynamoDBClient({ endpoint: String(standins.info['dynamodb']), region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
      await ensureTables(setup, 'bench');
      setup.destroy();
      const signingKey = await ensureDevSigningKey(keysDir);
      const key = await mintKey({ signingKey, budget: parseUsd('100000.000000') });
      const model = openaiModel();

      log('  building the inference bundle and the host that runs it');
      const host = await buildScript(join(import.meta.dirname, '..', 'services', 'lambda-host.ts'), join(buildDir, 'lambda-host.mjs'));
      // Profiling (BENCH_FUNCTION_NODE_ARGS): the same build with readable names, so the profile names functions.
      const bundle = knobs.functionBundle
        ? { file: knobs.functionBundle }
        : knobs.functionNodeArgs.length
        ? await buildReadable(buildDir)
        : await buildFunctionBundle('inference', buildDir);
      const { [PROVIDER_SECRETS_ENV]: _secret, ...stackEnv } = lambdaEnv('inference', { jwks: JSON.stringify(publicJwks(keysDir)) });
      const env = {
        ...stackEnv,
        ...LOCAL_CREDENTIALS,
        AWS_ENDPOINT_URL_DYNAMODB: delayed,
        AWS_ENDPOINT_URL_S3: String(standins.info['s3']),
        OPENAI_API_KEY: 'sk-bench',
        OPENAI_BASE_URL: `${upstream.url}/v1`,
        ...(JSON.parse(process.env['BENCH_FUNCTION_ENV'] || '{}') as Record<string, string>),
      };
      const nodeArgs = [...lambdaHeapFlags(SIZING_HEAP_MB), ...(FAMILY_NODE_OPTIONS['inference'] ?? '').split(' ').filter(Boolean), ...knobs.functionNodeArgs];
      fn = await services.lambdaHost('inference function', host, 'inference', bundle.file, env, nodeArgs);
      const statsUrl = String(fn.info['statsUrl']);

      const target = (name: string, url: string, authorization: string, path = '/v1/chat/completions'): HttpTarget => {
        const t = { name, pool: createPool(url, 1), path, headers: { 'content-type': 'application/json', authorization } };
        pools.push(t);
        return t;
      };
      const direct = target('direct', upstream.url, 'Bearer sk-bench');
      const gateway = target('function', fn.url, `Bearer ${key.token}`);
      const responses = target('function (responses)', fn.url, `Bearer ${key.token}`, '/v1/responses');

      const cpuUs = async (url = statsUrl): Promise<number> => (await json<{ cpuUs: number }>(url)).cpuUs;
      const systemUs = async (): Promise<number> => (await json<{ systemUs: number }>(statsUrl)).systemUs;
      const counts = (): Promise<DynamoCounts> => json<DynamoCounts>(`${delayed}${COUNTS_PATH}`);
      /** `n` calls of one kind, one at a time: the function's CPU and the DynamoDB requests per call. */
      const phase = async (n: number, call: () => Promise<unknown>): Promise<Phase> => {
        const [cpu0, sys0, count0] = [await cpuUs(), await systemUs(), await counts()];
        for (let i = 0; i < n; i += 1) await call();
        const [cpu1, sys1, count1] = [await cpuUs(), await systemUs(), await counts()];
        const ops = new Set([...Object.keys(count0.requests), ...Object.keys(count1.requests)]);
        return {
          cpuMsPerCall: (cpu1 - cpu0) / 1000 / n,
          systemMsPerCall: (sys1 - sys0) / 1000 / n,
          writeItemsPerCall: (count1.writeItems - count0.writeItems) / n,
          requestsPerCall: Object.fromEntries([...ops].map((op) => [op, round(((count1.requests[op] ?? 0) - (count0.requests[op] ?? 0)) / n, 3)]).filter(([, v]) => v !== 0)),
        };
      };

      const chat = chatBody(model, false, 1, 0);
      const stream = chatBody(model, true, STREAM_CHUNKS, STREAM_GAP_MS);
      const stored = responsesBody(model);
      log('  preflight and warm-up');
      const first = await timedRequest(gateway, chat);
      if (!first.text.includes('[c0]')) throw new Error(`unexpected chat answer: ${first.text.slice(0, 300)}`);
      const firstStream = await timedStream(gateway, stream, STREAM_CHUNKS);
      if (firstStream.arrivals.some(Number.isNaN) || !firstStream.doneSeen) throw new Error(`the stream lost chunks: ${JSON.stringify(firstStream).slice(0, 300)}`);
      const firstStored = await timedRequest(responses, stored);
      if (!firstStored.text.includes('"status":"completed"')) throw new Error(`unexpected Responses answer: ${firstStored.text.slice(0, 300)}`);
      const warm = Math.max(20, Math.round(calls / 4));
      for (let i = 0; i < warm; i += 1) {
        await timedRequest(gateway, chat);
        await timedStream(gateway, stream, STREAM_CHUNKS);
        await timedRequest(responses, stored);
      }

      log(`  CPU per call: ${calls} calls of each kind, one at a time`);
      const chatPhase = await phase(calls, () => timedRequest(gateway, chat));
      const streamPhase = await phase(calls, () => timedStream(gateway, stream, STREAM_CHUNKS));
      const storedPhase = await phase(calls, () => timedRequest(responses, stored));
      // Batched writes (leases, batched settlement) land after the calls that caused them: let them flush.
      await new Promise((resolve) => setTimeout(resolve, 200));

      log(`  latency: ${knobs.samples} non-streamed calls and ${knobs.ttftStreams} streams per path, interleaved`);
      const latency = await interleaved([direct, gateway], knobs.samples, 50, async (t) => (await timedRequest(t, chat)).ms);
      const ttftBody = chatBody(model, true, 2, 1);
      const ttft = await interleaved([direct, gateway], knobs.ttftStreams, 25, async (t) => (await timedStream(t, ttftBody, 2)).arrivals[0]!);
      const lat = { direct: summarize(latency.get('direct')!), fn: summarize(latency.get('function')!) };
      const first_ = { direct: summarize(ttft.get('direct')!), fn: summarize(ttft.get('function')!) };
      const memory = readMemory(fn.pid);
      await fn.stop();

      // The external function serves the same text pipeline to external clients (Compose Key only): its own bundle.
      log('  the external function: the same chat calls through its own bundle');
      const externalBundle = await buildFunctionBundle('external', buildDir);
      const externalFn = await services.lambdaHost(
        'external function',
        host,
        'external',
        externalBundle.file,
        { ...env, ...lambdaEnv('external', { jwks: JSON.stringify(publicJwks(keysDir)) }), ...LOCAL_CREDENTIALS, AWS_ENDPOINT_URL_DYNAMODB: delayed, AWS_ENDPOINT_URL_S3: String(standins.info['s3']), [PROVIDER_SECRETS_ENV]: '' },
        lambdaHeapFlags(SIZING_HEAP_MB),
      );
      let external: { chat: Phase; stream: Phase; peakRssMB: number | null };
      try {
        const ext = target('external function', externalFn.url, `Bearer ${key.token}`, '/external/v1/chat/completions');
        const extStats = String(externalFn.info['statsUrl']);
        const extCpu = async (n: number, call: () => Promise<unknown>): Promise<Phase> => {
          const [cpu0, count0] = [await cpuUs(extStats), await counts()];
          for (let i = 0; i < n; i += 1) await call();
          const [cpu1, count1] = [await cpuUs(extStats), await counts()];
          return { cpuMsPerCall: (cpu1 - cpu0) / 1000 / n, systemMsPerCall: Number.NaN, writeItemsPerCall: (count1.writeItems - count0.writeItems) / n, requestsPerCall: {} };
        };
        const firstExt = await timedRequest(ext, chat);
        if (!firstExt.text.includes('[c0]')) throw new Error(`unexpected external chat answer: ${firstExt.text.slice(0, 300)}`);
        for (let i = 0; i < warm; i += 1) {
          await timedRequest(ext, chat);
          await timedStream(ext, stream, STREAM_CHUNKS);
        }
        const extChat = await extCpu(calls, () => timedRequest(ext, chat));
        const extStream = await extCpu(calls, () => timedStream(ext, stream, STREAM_CHUNKS));
        const extMemory = readMemory(externalFn.pid);
        external = { chat: extChat, stream: extStream, peakRssMB: extMemory ? round(extMemory.hwm / MB, 1) : null };
      } finally {
        await externalFn.stop();
      }

      log(`  the host alone: ${calls} calls of a handler that does nothing`);
      const noopHost = await services.lambdaHost('lambda host (no-op handler)', host, 'inference', '--noop', {}, lambdaHeapFlags(SIZING_HEAP_MB));
      let hostCpuMsPerCall: number;
      try {
        const noop = target('no-op function', noopHost.url, 'Bearer none');
        const noopStats = String(noopHost.info['statsUrl']);
        for (let i = 0; i < 20; i += 1) await noop.pool.request({ method: 'POST', path: '/v1/chat/completions', headers: noop.headers, body: chat }).then((r) => r.body.text());
        const before = await cpuUs(noopStats);
        for (let i = 0; i < calls; i += 1) await noop.pool.request({ method: 'POST', path: '/v1/chat/completions', headers: noop.headers, body: chat }).then((r) => r.body.text());
        hostCpuMsPerCall = ((await cpuUs(noopStats)) - before) / 1000 / calls;
      } finally {
        await noopHost.stop();
      }
      // The yardstick for the I/O every streamed call pays: a bare Node proxy (node:http in and out, chunks piped,
      // nothing parsed) serving the same calls, its CPU read from /proc (10 ms ticks: enough over this many calls).
      log(`  the bare proxy: ${calls} streams and ${calls} non-streamed calls`);
      const bareProxy = await services.bareProxy();
      const bare = target('bare proxy', bareProxy.url, 'Bearer sk-bench');
      for (let i = 0; i < 20; i += 1) await timedStream(bare, stream, STREAM_CHUNKS);
      const bareCpu = async (call: () => Promise<unknown>): Promise<number | null> => {
        const before = readCpuMs(bareProxy.pid);
        for (let i = 0; i < calls; i += 1) await call();
        const after = readCpuMs(bareProxy.pid);
        return before === undefined || after === undefined ? null : (after - before) / calls;
      };
      const bareStreamCpuMs = await bareCpu(() => timedStream(bare, stream, STREAM_CHUNKS));
      const bareChatCpuMs = await bareCpu(() => timedRequest(bare, chat));
      const peakRssMB = memory ? round(memory.hwm / MB, 1) : null;
      const initMs = Number(fn.info['initMs']);
      const initCpuMs = Number(fn.info['initCpuMs']);

      // Item 6: the cost table, from what was just measured.
      const priced: CallProfile = {
        wallMs: PRICED_CALL_MS,
        cpuMs: streamPhase.cpuMsPerCall,
        writeUnits: streamPhase.writeItemsPerCall,
        initCpuMs,
        coldStartsPerCall: 1 / CALLS_PER_COLD_START,
      };
      // Added latency is the non-streamed call's CPU (all of it on the critical path), the stream is priced by its own.
      const estimates = MEMORY_SIZES_MB.map((mb) => ({ ...estimateSize(priced, mb), addedLatencyMs: (chatPhase.cpuMsPerCall * 1769) / Math.min(mb, 1769) }));
      const choice = peakRssMB === null ? undefined : cheapestSize(estimates, { latencyBudgetMs: LATENCY_BUDGET_MS, peakRssMB });
      const deployed = FAMILIES.inference.memoryMB;
      const externalEstimates = MEMORY_SIZES_MB.map((mb) => ({
        ...estimateSize({ ...priced, cpuMs: external.stream.cpuMsPerCall, writeUnits: external.stream.writeItemsPerCall }, mb),
        addedLatencyMs: (external.chat.cpuMsPerCall * 1769) / Math.min(mb, 1769),
      }));
      const externalChoice = external.peakRssMB === null ? undefined : cheapestSize(externalEstimates, { latencyBudgetMs: LATENCY_BUDGET_MS, peakRssMB: external.peakRssMB });
      const costTable: Table = {
        title: `Inference function by memory size (modeled: CPU × 1769 / MB; $ per million ${PRICED_CALL_MS / 1000}-second streamed Compose Key chat calls at AWS list prices)`,
        columns: ['memory', 'vCPU share', 'added latency (non-streamed call)', 'init', 'Lambda duration', 'Lambda requests', 'API Gateway', 'DynamoDB writes', 'total $ / million', 'peak RSS fits'],
        rows: estimates.map((e) => [
          `${e.memoryMB} MB${e.memoryMB === choice?.memoryMB ? ' (cheapest within budget)' : ''}${e.memoryMB === deployed ? ' (deployed)' : ''}`,
          (Math.min(e.memoryMB, 1769) / 1769).toFixed(3),
          `${e.addedLatencyMs.toFixed(2)} ms`,
          `${e.initMs.toFixed(0)} ms`,
          `$${e.dollarsPerMillion.lambdaDuration.toFixed(2)}`,
          `$${e.dollarsPerMillion.lambdaRequests.toFixed(2)}`,
          `$${e.dollarsPerMillion.apiGateway.toFixed(2)}`,
          `$${e.dollarsPerMillion.dynamoWrites.toFixed(2)}`,
          `$${e.dollarsPerMillion.total.toFixed(2)}`,
          peakRssMB === null ? '?' : peakRssMB <= e.memoryMB * 0.8 ? 'yes' : 'no',
        ]),
      };
      const atDeployed = estimates.find((e) => e.memoryMB === deployed);

      const requestsNote = (p: Phase): string =>
        `DynamoDB per call: ${Object.entries(p.requestsPerCall).map(([op, n]) => `${op} ${n}`).join(', ') || 'none'}; ${round(p.writeItemsPerCall, 3)} item writes`;
      const metrics: Metric[] = [
        metric('CPU per non-streamed chat completion', round(chatPhase.cpuMsPerCall), 'ms', { target: atMost(TARGETS.chat), note: requestsNote(chatPhase) }),
        metric(`CPU per ${STREAM_CHUNKS}-chunk streamed chat completion`, round(streamPhase.cpuMsPerCall), 'ms', { target: atMost(TARGETS.stream), note: requestsNote(streamPhase) }),
        metric('CPU per stored Responses call', round(storedPhase.cpuMsPerCall), 'ms', { target: atMost(TARGETS.responses), note: requestsNote(storedPhase) }),
        metric('of the non-streamed call’s CPU: kernel (system) time', round(chatPhase.systemMsPerCall), 'ms', { note: 'socket reads and writes; on loopback the kernel also does the receiving end’s work' }),
        metric('CPU per call of the host alone (the API Gateway emulation around a handler that does nothing)', round(hostCpuMsPerCall), 'ms', {
          note: 'part of every figure above; in Lambda the runtime client does this work instead (fetch the event, post the response)',
        }),
        metric(`CPU per ${STREAM_CHUNKS}-chunk stream through a bare Node proxy (this machine's floor for a stream's I/O)`, bareStreamCpuMs === null ? null : round(bareStreamCpuMs), 'ms', {
          note: `node:http in and out, chunks piped, nothing parsed: a read and a write per chunk; a streamed call through the function pays this too. Non-streamed: ${bareChatCpuMs === null ? '?' : round(bareChatCpuMs)} ms`,
        }),
        metric('DynamoDB item writes per streamed chat call', round(streamPhase.writeItemsPerCall, 3), 'count', { note: 'counted at the latency proxy; one write unit each (items under 1 KB)' }),
        metric('DynamoDB item writes per stored Responses call', round(storedPhase.writeItemsPerCall, 3), 'count'),
        metric('non-streamed latency c=1 p50, direct', round(lat.direct.p50), 'ms'),
        metric('non-streamed latency c=1 p50, function', round(lat.fn.p50), 'ms'),
        metric('function added latency p50 vs direct', round(lat.fn.p50 - lat.direct.p50), 'ms', { target: atMost(TARGETS.addedP50), note: `p99: ${round(lat.fn.p99 - lat.direct.p99)} ms` }),
        metric('time to first token p50, direct', round(first_.direct.p50), 'ms'),
        metric('time to first token p50, function', round(first_.fn.p50), 'ms'),
        metric('function TTFT overhead p50 vs direct', round(first_.fn.p50 - first_.direct.p50), 'ms', { target: atMost(TARGETS.ttft) }),
        metric('inference function module init (import)', round(initMs, 1), 'ms', { note: `${round(initCpuMs, 1)} ms CPU` }),
        metric('inference function peak RSS (VmHWM since start: init and every call of this section)', peakRssMB, 'MB', {
          note: `with the V8 heap limits Lambda's bootstrap sets for ${SIZING_HEAP_MB} MB (${lambdaHeapFlags(SIZING_HEAP_MB).join(' ')})`,
        }),
        metric('external function: CPU per non-streamed chat completion', round(external.chat.cpuMsPerCall), 'ms', { target: atMost(TARGETS.chat) }),
        metric(`external function: CPU per ${STREAM_CHUNKS}-chunk streamed chat completion`, round(external.stream.cpuMsPerCall), 'ms', { target: atMost(TARGETS.stream) }),
        metric('external function peak RSS (VmHWM since start)', external.peakRssMB, 'MB', {
          note: `with the V8 heap limits Lambda's bootstrap sets for ${SIZING_HEAP_MB} MB`,
        }),
        metric(`external function: cheapest memory size with modeled added latency ≤ ${LATENCY_BUDGET_MS} ms`, externalChoice?.memoryMB ?? null, 'MB', {
          note: `deployed: ${FAMILIES.external.memoryMB} MB; $ per million at that size: ${externalChoice ? externalChoice.estimate.dollarsPerMillion.total.toFixed(2) : '—'}`,
        }),
        metric(`cheapest memory size with modeled added latency ≤ ${LATENCY_BUDGET_MS} ms (peak RSS under 80% of it)`, choice?.memoryMB ?? null, 'MB', {
          note: `deployed: ${deployed} MB (shared/routes.ts FAMILIES)`,
        }),
        metric(`$ per million ${PRICED_CALL_MS / 1000}-second streamed Compose Key chat calls at that size`, choice ? round(choice.estimate.dollarsPerMillion.total, 2) : null, 'usd', {
          target: atMost(COST_GOAL),
          note: atDeployed ? `at the deployed ${deployed} MB: $${atDeployed.dollarsPerMillion.total.toFixed(2)}` : undefined,
        }),
      ];
      return {
        metrics,
        tables: [costTable],
        details: {
          model,
          calls,
          dynamodbLatencyMs: DYNAMODB_LATENCY_MS,
          phases: { chat: chatPhase, stream: streamPhase, responses: storedPhase },
          external,
          hostCpuMsPerCall,
          bareProxy: { streamCpuMs: bareStreamCpuMs, chatCpuMs: bareChatCpuMs },
          latency: lat,
          ttft: first_,
          init: { ms: initMs, cpuMs: initCpuMs },
          memory,
          estimates,
        },
        notes: [
          `The inference function's bundle (as deployed, with its NODE_OPTIONS) runs alone in a plain-JavaScript process behind the API Gateway emulation (bench/services/lambda-host.ts); its CPU therefore includes the emulation's HTTP server and event building, where Lambda has its runtime client instead. dynalite and s3rver run in another process behind a proxy that delays each DynamoDB request by ${DYNAMODB_LATENCY_MS} ms and counts it; the provider is the bench's instant upstream.`,
          `Both functions run with the V8 heap limits Lambda's Node.js bootstrap derives from a ${SIZING_HEAP_MB} MB function (--max-semi-space-size = MB/20, --max-old-space-size = 0.9 × MB): their peak RSS is what that size would hold; a larger size's V8 may use more of its room, which costs nothing. The external function's figures come from this tree's bundle even when BENCH_FUNCTION_BUNDLE swaps the inference one.`,
          `CPU per call: process.cpuUsage() of the function's process over ${calls} calls of each kind, one at a time, after a warm-up; streams carry ${STREAM_CHUNKS} content chunks ${STREAM_GAP_MS} ms apart. Write counts are DynamoDB item writes seen at the proxy per call (batched writes counted when they are sent, amortized over the calls).`,
          `Cost model (bench/lib/lambda-cost.ts): Lambda's CPU share is memory / 1,769 MB; modeled added latency is the non-streamed call's CPU stretched by it. A streamed call is billed for its ${PRICED_CALL_MS / 1000} s wall time plus its stretched CPU plus init amortized at one cold start per ${CALLS_PER_COLD_START} calls; prices: Lambda arm64 $0.0000133334 per GB-s and $0.20 per million requests, API Gateway REST $3.50 per million, DynamoDB on-demand $0.625 per million write units. This machine's core is not an arm64 Lambda core: the stretch is a model, not a measurement.`,
        ],
      };
    } finally {
      await Promise.all(pools.map((p) => p.pool.close()));
      await fn?.stop();
      await standins.stop();
      // Profiling: keep the build, so the profile's chunk lines can be read.
      if (knobs.functionNodeArgs.length) log(`  the profiled bundle stays in ${buildDir}`);
      else rmSync(buildDir, { recursive: true, force: true });
      rmSync(keysDir, { recursive: true, force: true });
    }
  },
};

/**
 * The inference function and the project's layer packages built without minifying, for a profile with readable
 * names. The deployed layer is built first (its AWS SDK packages stay as deployed); the project's packages are then
 * rebuilt over it unminified (their entry files replaced; the AWS SDK they import is bundled into their chunks).
 */
const buildReadable = async (buildDir: string): Promise<{ file: string }> => {
  buildLayer(buildDir);
  await build({ ...layerBuildOptions(join(buildDir, 'opt', LAYER_NODE_MODULES)), minify: false });
  await build({ ...functionBuildOptions('inference', join(buildDir, 'inference')), minify: false });
  return { file: join(buildDir, 'inference', ENTRY_FILE) };
};
