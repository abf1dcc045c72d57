/**
 * The chat simulator's fault vocabulary on the media endpoints: an `x-sim-fault` header, or a `SIM_FAULT=…`
 * token in the prompt or input text (for calls made through the gateway). A `-once` fault fails the first
 * attempt of a request (keyed by `x-client-request-id`) and lets its retry through.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';
import { faultSpecs, parseFaults, type OnceTracker } from '../openai-compatible/faults.ts';
import { statusError, type SimError } from '../openai-compatible/sim-error.ts';

/** Answers a fault before the real answer; true when the request is fully handled. */
export const applyMediaFaults = async (
  req: IncomingMessage,
  res: ServerResponse,
  once: OnceTracker,
  text: string,
  fail: (error: SimError) => void,
  contentFilter: () => SimError,
): Promise<boolean> => {
  const header = req.headers['x-sim-fault'];
  const faults = parseFaults(faultSpecs(typeof header === 'string' ? header : undefined, text, undefined));
  const blocking = faults.status !== undefined || faults.timeout || faults.drop;
  const clientRequestId = req.headers['x-client-request-id'];
  if (blocking && (!faults.once || once.first(typeof clientRequestId === 'string' ? clientRequestId : undefined, req.url ?? '', text))) {
    if (faults.timeout) return true;
    if (faults.drop) {
      req.socket.destroy();
      return true;
    }
    fail(statusError(faults.status ?? 500, faults.retryAfterSeconds));
    return true;
  }
  if (faults.slowMs) await delay(faults.slowMs);
  if (faults.contentFilter) {
    fail(contentFilter());
    return true;
  }
  if (faults.leak) {
    // A provider echoing the caller's key and its internal endpoints: the gateway must redact both.
    const key = /^Bearer\s+(.+)$/i.exec(String(req.headers.authorization ?? ''))?.[1] ?? 'none';
    fail({ status: 400, message: `Request rejected for api_key=${key} by https://internal.openai.example/v1/audio (see org-abcdef1234567890).`, type: 'invalid_request_error', code: 'invalid_value' });
    return true;
  }
  return res.writableEnded;
};
