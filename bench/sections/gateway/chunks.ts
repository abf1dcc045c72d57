/**
 * Per-chunk forwarding: the upstream sends N content chunks a known gap apart, each stamped with the wall-clock
 * time it was written; the client notes when each arrives. A chunk's delivery time (arrival minus stamp) on a
 * path, minus the direct path's, is what that path adds to it: its forwarding delay. Pre-upstream work (auth,
 * the budget reservation) does not count here; it is in the time to first token. A read that completes two
 * markers means two upstream chunks were merged on the way (coalesced).
 */
import { interleaved, timedStream, type HttpTarget, type StreamTiming } from '../../lib/load.ts';
import { percentile, round, roundSummary, summarize, type Summary } from '../../lib/stats.ts';
import { chatBody, type PathName } from './targets.ts';

export interface ChunkStats {
  readonly streams: number;
  readonly chunks: number;
  /** Delivery time (upstream write → client read) over every chunk of every stream. */
  readonly delivery: Summary;
  /** Per chunk index: median delivery time. */
  readonly deliveryP50ByIndex: readonly number[];
  /** Per chunk index: median arrival after the request was sent. */
  readonly arrivalP50ByIndex: readonly number[];
  readonly reads: number;
  readonly contentReads: number;
  readonly coalescedReads: number;
  readonly missingChunks: number;
}

export interface ChunkComparison {
  /** Median delivery time minus the direct path's. */
  readonly addedP50: number;
  readonly addedP99: number;
  /** The chunk index whose median delivery gains most over the direct path, and by how much. */
  readonly worstIndex: number;
  readonly worstIndexAddedP50: number;
  readonly addedP50ByIndex: readonly number[];
}

const column = (values: ReadonlyArray<readonly number[]>, i: number): number[] =>
  values.map((v) => v[i]!).filter(Number.isFinite).sort((a, b) => a - b);

const statsOf = (timings: readonly StreamTiming[], chunks: number): ChunkStats => ({
  streams: timings.length,
  chunks,
  delivery: roundSummary(summarize(timings.flatMap((t) => t.delivery))),
  deliveryP50ByIndex: Array.from({ length: chunks }, (_, i) => round(percentile(column(timings.map((t) => t.delivery), i), 50))),
  arrivalP50ByIndex: Array.from({ length: chunks }, (_, i) => round(percentile(column(timings.map((t) => t.arrivals), i), 50))),
  reads: timings.reduce((a, t) => a + t.reads, 0),
  contentReads: timings.reduce((a, t) => a + t.contentReads, 0),
  coalescedReads: timings.reduce((a, t) => a + t.coalescedReads, 0),
  missingChunks: timings.reduce((a, t) => a + t.arrivals.filter(Number.isNaN).length, 0),
});

export const compareChunks = (path: ChunkStats, direct: ChunkStats): ChunkComparison => {
  const added = path.deliveryP50ByIndex.map((v, i) => round(v - direct.deliveryP50ByIndex[i]!));
  const worstIndex = added.indexOf(Math.max(...added));
  return {
    addedP50: round(path.delivery.p50 - direct.delivery.p50),
    addedP99: round(path.delivery.p99 - direct.delivery.p99),
    worstIndex,
    worstIndexAddedP50: added[worstIndex]!,
    addedP50ByIndex: added,
  };
};

export const measureChunks = async (
  targets: readonly HttpTarget[],
  model: string,
  streams: number,
  chunks: number,
  gapMs: number,
): Promise<Record<PathName, ChunkStats>> => {
  const body = chatBody(model, true, chunks, gapMs);
  const results = await interleaved(targets, streams, 5, (t) => timedStream(t, body, chunks));
  return Object.fromEntries([...results].map(([name, timings]) => [name, statsOf(timings, chunks)])) as Record<PathName, ChunkStats>;
};
