/**
 * Per-chunk forwarding: the upstream sends N content chunks a known gap apart; the client notes when each
 * chunk's marker arrives on each path. A chunk's forwarding delay is its arrival on a path minus its arrival on
 * the direct path (median over streams, per chunk index). A read that completes two markers means two upstream
 * chunks were merged on the way (coalesced).
 */
import { interleaved, timedStream, type HttpTarget, type StreamTiming } from '../../lib/load.ts';
import { percentile, round } from '../../lib/stats.ts';
import { chatBody, type PathName } from './targets.ts';

export interface ChunkStats {
  readonly streams: number;
  readonly chunks: number;
  /** Per chunk index: median / p99 arrival (ms after the request). */
  readonly p50ByIndex: readonly number[];
  readonly p99ByIndex: readonly number[];
  readonly reads: number;
  readonly contentReads: number;
  readonly coalescedReads: number;
  readonly missingChunks: number;
}

export interface ChunkComparison {
  /** Per chunk index: p50 arrival minus the direct path's. */
  readonly addedP50ByIndex: readonly number[];
  readonly worstAddedP50: number;
  readonly worstAddedP99: number;
  /** The worst per-chunk delay beyond what the first chunk already had (pure forwarding, TTFT excluded). */
  readonly worstAddedAfterFirst: number;
}

const column = (timings: readonly StreamTiming[], i: number): number[] =>
  timings.map((t) => t.arrivals[i]!).filter(Number.isFinite).sort((a, b) => a - b);

const statsOf = (timings: readonly StreamTiming[], chunks: number): ChunkStats => ({
  streams: timings.length,
  chunks,
  p50ByIndex: Array.from({ length: chunks }, (_, i) => round(percentile(column(timings, i), 50))),
  p99ByIndex: Array.from({ length: chunks }, (_, i) => round(percentile(column(timings, i), 99))),
  reads: timings.reduce((a, t) => a + t.reads, 0),
  contentReads: timings.reduce((a, t) => a + t.contentReads, 0),
  coalescedReads: timings.reduce((a, t) => a + t.coalescedReads, 0),
  missingChunks: timings.reduce((a, t) => a + t.arrivals.filter(Number.isNaN).length, 0),
});

export const compareChunks = (path: ChunkStats, direct: ChunkStats): ChunkComparison => {
  const added = path.p50ByIndex.map((v, i) => round(v - direct.p50ByIndex[i]!));
  const added99 = path.p99ByIndex.map((v, i) => v - direct.p99ByIndex[i]!);
  return {
    addedP50ByIndex: added,
    worstAddedP50: Math.max(...added),
    worstAddedP99: round(Math.max(...added99)),
    worstAddedAfterFirst: round(Math.max(...added.map((a) => a - added[0]!))),
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
