/**
 * Issue 5, key path: how many DynamoDB round trips a Compose Key request makes before the gateway calls the
 * provider (target: at most one, the budget reservation), and in total. Measured on a traced gateway process
 * (bench/services/trace.ts logs its SDK and provider calls), one request at a time so every logged call
 * belongs to the request in flight.
 */
import { request } from 'undici';
import { createPool, timedRequest, timedStream, type HttpTarget } from '../../lib/load.ts';
import { atMost, metric, type Metric } from '../../lib/section.ts';
import type { Services } from '../../lib/services.ts';
import { round, roundSummary, summarize } from '../../lib/stats.ts';
import type { TraceEvent } from '../../services/trace.ts';
import { epochMs } from '../../services/upstream.ts';
import { chatBody, openaiModel } from '../gateway/targets.ts';

interface RequestTrace {
  readonly dynamoBeforeUpstream: readonly string[];
  readonly dynamoTotal: readonly string[];
  /** Time the DynamoDB calls before the provider call took, end to end (dynalite here). */
  readonly dynamoMsBeforeUpstream: number;
  readonly otherHttp: number;
  readonly upstreamCalls: number;
}

const readTrace = async (traceUrl: string, clear: boolean): Promise<TraceEvent[]> => {
  const { body } = await request(`${traceUrl}/trace${clear ? '?clear' : ''}`);
  return (await body.json()) as TraceEvent[];
};

/** The request's bookkeeping may finish after the client has its last byte: wait (bounded) until it settles. */
const settledTrace = async (traceUrl: string): Promise<TraceEvent[]> => {
  let last = -1;
  for (let i = 0; i < 50; i += 1) {
    await new Promise((r) => setTimeout(r, 10));
    const events = await readTrace(traceUrl, false);
    if (events.length === last && events.every((e) => e.end !== undefined)) return readTrace(traceUrl, true);
    last = events.length;
  }
  return readTrace(traceUrl, true);
};

/** Only calls made after the request was sent belong to it (a late write of the one before may still land). */
const analyse = (all: readonly TraceEvent[], sentAt: number): RequestTrace => {
  const events = all.filter((e) => e.start >= sentAt);
  const upstream = events.filter((e) => e.kind === 'provider');
  const firstUpstream = upstream[0]?.start ?? Number.POSITIVE_INFINITY;
  const dynamo = events.filter((e) => e.kind === 'dynamodb');
  const before = dynamo.filter((e) => e.start < firstUpstream);
  return {
    dynamoBeforeUpstream: before.map((e) => e.op),
    dynamoTotal: dynamo.map((e) => e.op),
    dynamoMsBeforeUpstream: before.length ? Math.max(...before.map((e) => e.end ?? e.start)) - Math.min(...before.map((e) => e.start)) : 0,
    otherHttp: events.filter((e) => e.kind === 'http').length,
    upstreamCalls: upstream.length,
  };
};

/** `UpdateItem (29/30); UpdateItem → GetItem (1/30)`: every sequence seen, most frequent first. */
const sequences = (patterns: readonly string[]): string => {
  const counts = new Map<string, number>();
  for (const p of patterns) counts.set(p, (counts.get(p) ?? 0) + 1);
  return [...counts]
    .sort((a, b) => b[1] - a[1])
    .map(([pattern, count]) => `${pattern || '(none)'} (${count}/${patterns.length})`)
    .join('; ');
};

export const measureKeyPath = async (services: Services, requests: number, log: (m: string) => void) => {
  const gateway = await services.tracedGateway();
  const traceUrl = String(gateway.info['traceUrl']);
  const target: HttpTarget = {
    name: 'traced gateway',
    pool: createPool(gateway.url, 1),
    path: '/v1/chat/completions',
    headers: { 'content-type': 'application/json', authorization: String(gateway.info['authorization']) },
  };
  const model = openaiModel();
  const kinds = {
    'non-streamed': () => timedRequest(target, chatBody(model, false, 1, 0)),
    streamed: () => timedStream(target, chatBody(model, true, 2, 1), 2),
  } as const;
  const traces: Record<keyof typeof kinds, RequestTrace[]> = { 'non-streamed': [], streamed: [] };
  try {
    log(`  key path: ${requests} traced requests of each kind on a separate gateway process`);
    for (const send of Object.values(kinds)) for (let i = 0; i < 3; i += 1) await send();
    await settledTrace(traceUrl);
    for (let i = 0; i < requests; i += 1) {
      for (const [kind, send] of Object.entries(kinds) as Array<[keyof typeof kinds, () => Promise<unknown>]>) {
        const sentAt = epochMs();
        await send();
        traces[kind].push(analyse(await settledTrace(traceUrl), sentAt));
      }
    }
  } finally {
    await target.pool.close();
  }

  const metrics: Metric[] = [];
  const details: Record<string, unknown> = { composeKey: gateway.info['composeKey'] === true };
  for (const [kind, list] of Object.entries(traces)) {
    const before = list.map((t) => t.dynamoBeforeUpstream.length);
    metrics.push(
      metric(`key path, ${kind}: DynamoDB round trips before the provider call (worst)`, Math.max(...before), 'count', {
        target: atMost(1),
        note: sequences(list.map((t) => t.dynamoBeforeUpstream.join(' → '))),
      }),
      metric(`key path, ${kind}: DynamoDB round trips per request (median)`, summarize(list.map((t) => t.dynamoTotal.length)).p50, 'count', {
        note: sequences(list.map((t) => t.dynamoTotal.join(' → '))),
      }),
      metric(`key path, ${kind}: time in DynamoDB before the provider call p50 (dynalite)`, round(summarize(list.map((t) => t.dynamoMsBeforeUpstream)).p50), 'ms'),
    );
    details[kind] = {
      dynamoBeforeUpstream: summarize(before),
      dynamoMsBeforeUpstream: roundSummary(summarize(list.map((t) => t.dynamoMsBeforeUpstream))),
      sequences: list.slice(0, 5),
      upstreamCallsPerRequest: summarize(list.map((t) => t.upstreamCalls)).p50,
      otherSdkCallsPerRequest: summarize(list.map((t) => t.otherHttp)).p50,
    };
  }
  await gateway.stop();
  return {
    metrics,
    details,
    notes: [
      gateway.info['composeKey'] === true
        ? 'Requests carry a Compose Key minted by the local runtime; DynamoDB is dynalite in the runtime’s stand-ins process (as under npm start), so its times are not DynamoDB’s.'
        : 'The local runtime could not mint a Compose Key (no mintDevKey): the key path was not exercised.',
      'Round trips are the AWS SDK’s HTTP requests to the DynamoDB endpoint (X-Amz-Target), logged by bench/services/trace.ts; "before the provider call" means started before the gateway’s fetch to the upstream.',
    ],
  };
};
