/**
 * Issue 2: catalog search latency over the full catalog. Server time is `searchModels` called in-process for
 * a mix of realistic queries (free text, modality, provider, operation, price and context filters, cursor
 * pages); the HTTP round trip is the same mix through the gateway's catalog function.
 */
import { getCatalog, searchModels } from '../../shared/catalog/index.ts';
import { meanCpuMs } from '../lib/cpu.ts';
import { createPool, timedRequest, type HttpTarget } from '../lib/load.ts';
import { atMost, metric, type Section } from '../lib/section.ts';
import { round, roundSummary, summarize } from '../lib/stats.ts';

type Query = Record<string, unknown>;

const BASE_QUERIES: ReadonlyArray<readonly [string, Query]> = [
  ['everything, first page', {}],
  ['everything, 200 rows', { limit: 200 }],
  ['q=gpt', { q: 'gpt' }],
  ['q=gpt-4o mini', { q: 'gpt-4o mini' }],
  ['q=llama instruct', { q: 'llama instruct' }],
  ['q with no match', { q: 'no such model anywhere' }],
  ['modality=image', { modality: 'image' }],
  ['provider=openai modality=text', { provider: 'openai', modality: 'text' }],
  ['provider+modality+operation', { provider: 'openai', modality: 'audio', operation: 'transcription' }],
  ['priceMaxPerMTok=0.5', { priceMaxPerMTok: 0.5 }],
  ['contextWindowMin=1M', { contextWindowMin: 1_000_000 }],
  ['operation=speech streaming', { operation: 'speech', streaming: true }],
  ['q=gemini modality=text price<=2', { q: 'gemini', modality: 'text', priceMaxPerMTok: 2 }],
];

/** Cursor pages need a real cursor from the page before. */
const withCursorPages = (): Array<readonly [string, Query]> => {
  const pages: Array<readonly [string, Query]> = [];
  const paged: ReadonlyArray<readonly [string, Query]> = [
    ['modality=text', { modality: 'text', limit: 10 }],
    ['q=gemini', { q: 'gemini', limit: 7 }],
  ];
  for (const [label, query] of paged) {
    const first = searchModels(query);
    if (!first.next_cursor) continue;
    pages.push([`${label}, page 2`, { ...query, cursor: first.next_cursor }]);
    const second = searchModels({ ...query, cursor: first.next_cursor });
    if (second.next_cursor) pages.push([`${label}, page 3`, { ...query, cursor: second.next_cursor }]);
  }
  return pages;
};

export const catalogSection: Section = {
  id: 'catalog',
  title: 'Catalog search',
  issue: 2,
  run: async ({ knobs, services, log }) => {
    const catalog = getCatalog();
    const queries = [...BASE_QUERIES, ...withCursorPages()];
    const perQuery = new Map<string, number[]>(queries.map(([label]) => [label, []]));
    const withJson: number[] = [];

    log(`  in-process: ${knobs.catalogRounds} rounds of ${queries.length} queries over ${catalog.entries.length} models`);
    for (let i = 0; i < Math.min(200, knobs.catalogRounds); i += 1) for (const [, q] of queries) JSON.stringify(searchModels(q));
    for (let round = 0; round < knobs.catalogRounds; round += 1) {
      for (const [label, query] of queries) {
        const t = performance.now();
        const result = searchModels(query);
        const searched = performance.now();
        JSON.stringify(result);
        withJson.push(performance.now() - t);
        perQuery.get(label)!.push(searched - t);
      }
    }
    const server = summarize([...perQuery.values()].flat());
    // CPU is only meaningful summed: a separate pass of searches alone, averaged.
    const cpuMean = await meanCpuMs(knobs.catalogRounds * queries.length, (i) => searchModels(queries[i % queries.length]![1]));
    const byQuery = Object.fromEntries([...perQuery].map(([label, samples]) => [label, roundSummary(summarize(samples))]));
    const [slowestLabel, slowest] = Object.entries(byQuery).sort((a, b) => b[1].p99 - a[1].p99)[0]!;

    const gateway = await services.gateway();
    const target: HttpTarget = { name: 'gateway', pool: createPool(gateway.url, 1), path: '/v1/models/search', headers: { 'content-type': 'application/json' } };
    const http: number[] = [];
    try {
      log(`  HTTP through the gateway: ${knobs.catalogHttpRounds} rounds`);
      for (const [, query] of queries) await timedRequest(target, JSON.stringify(query));
      for (let round = 0; round < knobs.catalogHttpRounds; round += 1) {
        for (const [, query] of queries) http.push((await timedRequest(target, JSON.stringify(query))).ms);
      }
    } finally {
      await target.pool.close();
    }
    const httpSummary = summarize(http);

    return {
      metrics: [
        metric('catalog size', catalog.entries.length, 'count'),
        metric('search server time p50 (searchModels, in-process)', round(server.p50 * 1000, 1), 'us'),
        metric('search server time p99 (searchModels, in-process)', round(server.p99, 4), 'ms', { target: atMost(1) }),
        metric('search server CPU time, mean (load-resistant estimate)', round(cpuMean * 1000, 1), 'us'),
        metric('search server time max', round(server.max, 3), 'ms'),
        metric(`slowest query p99 (${slowestLabel})`, round(slowest.p99, 4), 'ms'),
        metric('search + JSON.stringify p99', round(summarize(withJson).p99, 4), 'ms'),
        metric('search HTTP round trip p50 (via gateway, c=1)', round(httpSummary.p50), 'ms'),
        metric('search HTTP round trip p99 (via gateway, c=1)', round(httpSummary.p99), 'ms'),
      ],
      details: {
        queries: Object.fromEntries(queries),
        serverTime: roundSummary(server),
        serverCpuMeanMs: round(cpuMean, 4),
        serverTimeByQuery: byQuery,
        serverTimeWithJson: roundSummary(summarize(withJson)),
        http: roundSummary(httpSummary),
      },
      notes: [
        `Server time: ${queries.length} queries (free text, filters, cursor pages) × ${knobs.catalogRounds} rounds, after a warm-up, timed around searchModels only; JSON encoding is reported separately.`,
        'The HTTP round trip goes through the local runtime (API Gateway emulation + the catalog function), so it includes event building and response encoding.',
      ],
    };
  },
};
