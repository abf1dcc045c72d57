/**
 * Fault injection for the media simulators, in the text simulators' vocabulary: an `x-sim-fault` header with
 * a status (`429`, `503`, `500:2` for a Retry-After of 2 s) fails the request with the provider's own error
 * body; `<status>-once` fails only the first attempt of an identical request, so a retry gets through.
 */
import type { IncomingMessage } from 'node:http';
import { parseFaults } from '../openai-compatible/faults.ts';

export interface InjectedFault {
  readonly status: number;
  readonly retryAfterSeconds: number | undefined;
}

export class FaultLatch {
  readonly #seen = new Set<string>();

  /** The fault to answer with, or undefined to serve normally. `key` identifies "the same request". */
  check(req: IncomingMessage, key: string): InjectedFault | undefined {
    const header = req.headers['x-sim-fault'];
    const spec = Array.isArray(header) ? header.join(',') : header;
    if (spec === undefined || spec === '') return undefined;
    const faults = parseFaults(spec);
    if (faults.status === undefined) return undefined;
    if (faults.once) {
      const id = `${spec}\0${key}`;
      if (this.#seen.has(id)) return undefined;
      this.#seen.add(id);
    }
    return { status: faults.status, retryAfterSeconds: faults.retryAfterSeconds };
  }
}
