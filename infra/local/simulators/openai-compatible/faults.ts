/**
 * Fault injection, the same vocabulary as the Gemini simulator: an `x-sim-fault` header, or a
 * `SIM_FAULT=<faults>` token in the last user message (for requests that pass through the gateway), or a
 * `+<faults>` suffix on the model id. Several faults are comma-separated. A `-once` fault fails the first
 * attempt of a request (keyed by `x-client-request-id`, else by the body) and lets its retry through.
 */
import { createHash } from 'node:crypto';

export interface Faults {
  /** Answer with this HTTP status and the flavor's error body. */
  readonly status?: number;
  readonly retryAfterSeconds?: number;
  /** Accept the request and never answer. */
  readonly timeout: boolean;
  /** Send 200 headers, then nothing. */
  readonly stall: boolean;
  /** Close the socket without an answer. */
  readonly drop: boolean;
  /** Applies to the status/timeout/stall/drop fault above. */
  readonly once: boolean;
  readonly slowMs?: number;
  readonly chunkDelayMs?: number;
  readonly midstreamError: boolean;
  readonly midstreamDrop: boolean;
  readonly malformedChunk: boolean;
  readonly truncate: boolean;
  /** Reject the prompt with the flavor's content-filter error. */
  readonly contentFilter: boolean;
  /** Start answering, then stop with finish_reason content_filter. */
  readonly contentFilterFinish: boolean;
  /** A 400 whose message carries the caller's key and internal URLs (to test redaction). */
  readonly leak: boolean;
  readonly chunks?: { readonly count: number; readonly size: number };
  /** Media streams: this many results past what was asked (images past `n`), as a provider that ignores it. */
  readonly overrun?: number;
}

export const NO_FAULTS: Faults = {
  timeout: false,
  stall: false,
  drop: false,
  once: false,
  midstreamError: false,
  midstreamDrop: false,
  malformedChunk: false,
  truncate: false,
  contentFilter: false,
  contentFilterFinish: false,
  leak: false,
};

const FAULT_TOKEN = /\bSIM_FAULT=([\w:.,-]+)/;

/** Splits `gpt-4o+429-once` into the model and its fault spec. */
export const splitModelFaults = (model: string): { readonly model: string; readonly spec: string | undefined } => {
  const at = model.indexOf('+');
  return at < 0 ? { model, spec: undefined } : { model: model.slice(0, at), spec: model.slice(at + 1) };
};

export const faultSpecs = (header: string | undefined, lastUserText: string, modelSpec: string | undefined): string =>
  [header, FAULT_TOKEN.exec(lastUserText)?.[1], modelSpec].filter((spec) => spec !== undefined && spec !== '').join(',');

const number = (text: string | undefined): number => Math.max(0, Number(text) || 0);

export const parseFaults = (spec: string): Faults => {
  const faults: { -readonly [K in keyof Faults]: Faults[K] } = { ...NO_FAULTS };
  for (const fault of spec.split(',').map((item) => item.trim().toLowerCase()).filter((item) => item !== '')) {
    const [name = '', value] = fault.split(':', 2);
    const once = name.endsWith('-once');
    const base = once ? name.slice(0, -'-once'.length) : name;
    if (/^[45]\d\d$/.test(base)) {
      faults.status = Number(base);
      faults.once = once;
      if (value !== undefined) faults.retryAfterSeconds = number(value);
    } else if (base === 'timeout' || base === 'stall' || base === 'drop') {
      faults[base] = true;
      faults.once = once;
    } else if (base === 'slow') faults.slowMs = number(value);
    else if (base === 'chunk-delay') faults.chunkDelayMs = number(value);
    else if (base === 'midstream-error') faults.midstreamError = true;
    else if (base === 'midstream-drop') faults.midstreamDrop = true;
    else if (base === 'malformed-chunk' || base === 'malformed') faults.malformedChunk = true;
    else if (base === 'truncate') faults.truncate = true;
    else if (base === 'content-filter') faults.contentFilter = true;
    else if (base === 'content-filter-finish') faults.contentFilterFinish = true;
    else if (base === 'leak') faults.leak = true;
    else if (base === 'overrun') faults.overrun = number(value);
    else if (base === 'chunks') {
      const match = /^(\d+)x(\d+)$/.exec(value ?? '');
      if (match) faults.chunks = { count: Number(match[1]), size: Math.max(1, Number(match[2])) };
    }
  }
  return faults;
};

/** Remembers which requests already spent their `-once` failure. State is per simulator instance. */
export class OnceTracker {
  readonly #seen = new Set<string>();

  /** True the first time this request is seen. */
  first(requestId: string | undefined, path: string, body: string): boolean {
    const key = requestId ?? createHash('sha256').update(path).update('\0').update(body).digest('hex');
    if (this.#seen.has(key)) return false;
    this.#seen.add(key);
    return true;
  }
}
