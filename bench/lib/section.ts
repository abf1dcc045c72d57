/**
 * A benchmark section measures one thing and returns metrics. Sections never fail on a timing: a metric may
 * carry a target, and the report says whether it was met. A section that throws is reported as broken.
 */
import type { Knobs } from './knobs.ts';
import type { Services } from './services.ts';

export type Unit = 'ms' | 'us' | 'bytes' | 'rps' | 'ratio' | 'count' | 'MB' | 'usd';

export interface Target {
  readonly op: '<=' | '>=' | '==';
  readonly value: number;
}

export interface Metric {
  readonly name: string;
  /** null when it could not be measured (the note says why). */
  readonly value: number | null;
  readonly unit: Unit;
  readonly target?: Target;
  readonly note?: string;
}

export type Verdict = 'met' | 'missed' | 'n/a';

export interface SectionResult {
  readonly metrics: readonly Metric[];
  /** Raw distributions and per-item data, written to .bench/results.json only. */
  readonly details?: Record<string, unknown>;
  /** Caveats a reader needs to interpret the numbers. */
  readonly notes?: readonly string[];
  /** Per-item tables beside the metrics (e.g. one row per function), printed and written as they are. */
  readonly tables?: readonly Table[];
}

export interface Table {
  readonly title: string;
  readonly columns: readonly string[];
  readonly rows: ReadonlyArray<readonly string[]>;
}

export interface BenchContext {
  readonly knobs: Knobs;
  /** Loopback processes shared between sections (upstream, bare proxy, gateway), started on first use. */
  readonly services: Services;
  readonly log: (message: string) => void;
}

export interface Section {
  /** Short id used by BENCH_SECTIONS. */
  readonly id: string;
  readonly title: string;
  /** The issue whose "Performance" requirements this section reports on. */
  readonly issue: number;
  run(ctx: BenchContext): Promise<SectionResult>;
}

export const verdictOf = (metric: Metric): Verdict => {
  if (!metric.target || metric.value === null || !Number.isFinite(metric.value)) return 'n/a';
  const { op, value } = metric.target;
  const ok = op === '<=' ? metric.value <= value : op === '>=' ? metric.value >= value : metric.value === value;
  return ok ? 'met' : 'missed';
};

export const metric = (name: string, value: number | null | undefined, unit: Unit, extra: { target?: Target; note?: string } = {}): Metric => ({
  name,
  value: value === undefined || (typeof value === 'number' && Number.isNaN(value)) ? null : value,
  unit,
  ...extra,
});

export const atMost = (value: number): Target => ({ op: '<=', value });
export const atLeast = (value: number): Target => ({ op: '>=', value });
export const exactly = (value: number): Target => ({ op: '==', value });
