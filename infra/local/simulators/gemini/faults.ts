/**
 * Fault injection, the same vocabulary as the OpenAI-compatible simulator: an `x-sim-fault` header (or a
 * `SIM_FAULT=<fault>` token in the last user message, for requests that pass through the gateway), several
 * faults comma-separated. `-once` faults fail the first request with a given body and let its retry through.
 */
import { createHash } from 'node:crypto';

export interface Faults {
  readonly status?: 429 | 500 | 503;
  readonly once: boolean;
  readonly slowMs?: number;
  readonly midstreamError: boolean;
  readonly malformedChunk: boolean;
  readonly truncate: boolean;
  readonly contentFilter: boolean;
}

const NO_FAULTS: Faults = { once: false, midstreamError: false, malformedChunk: false, truncate: false, contentFilter: false };

const FAULT_TOKEN = /\bSIM_FAULT=([\w:,-]+)/;

export const faultSpec = (header: string | undefined, lastUserText: string): string | undefined => header ?? FAULT_TOKEN.exec(lastUserText)?.[1];

export const parseFaults = (spec: string | undefined): Faults => {
  if (!spec) return NO_FAULTS;
  let faults: { -readonly [K in keyof Faults]: Faults[K] } = { ...NO_FAULTS };
  for (const fault of spec.split(',').map((item) => item.trim().toLowerCase())) {
    const status = /^(429|500|503)(-once)?$/.exec(fault);
    if (status) faults = { ...faults, status: Number(status[1]) as 429 | 500 | 503, once: status[2] !== undefined };
    else if (fault.startsWith('slow:')) faults.slowMs = Math.max(0, Number(fault.slice(5)) || 0);
    else if (fault === 'midstream-error') faults.midstreamError = true;
    else if (fault === 'malformed-chunk') faults.malformedChunk = true;
    else if (fault === 'truncate') faults.truncate = true;
    else if (fault === 'content-filter') faults.contentFilter = true;
  }
  return faults;
};

/** Remembers which request bodies already spent their `-once` failure. */
export class OnceTracker {
  readonly #seen = new Set<string>();

  /** True the first time this request is seen. */
  first(path: string, body: string): boolean {
    const key = createHash('sha256').update(path).update('\0').update(body).digest('hex');
    if (this.#seen.has(key)) return false;
    this.#seen.add(key);
    return true;
  }
}
