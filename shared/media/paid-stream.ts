/**
 * A paid media call answered as Server-Sent Events, with the text streams' rules:
 * - until the provider answers, a failure is an HTTP error and nothing is charged; a provider silent for a
 *   whole heartbeat interval commits the answer to SSE (keep-alive comments), after which failures are in-band;
 * - frames go to the client as the provider produces them, with keep-alives while it is silent;
 * - when the stream ends, however it ends (finished, failed, client gone), what it delivered is charged —
 *   nothing when it delivered nothing; a client that hung up also owes the unfinished work it already
 *   holds (see `StreamServed.measured`) — and the hold's remainder is released;
 * - it closes with the in-band error, if any (`event: compose.error` natively, OpenAI's `data: {"error"}`
 *   externally), or else the stream's closing frames (a Responses stream's terminal event, receipt inside),
 *   then `data: [DONE]`, then `event: compose.receipt` (natively, where OpenAI SDKs have stopped reading);
 * - the finished transcript (keep-alives aside) is what an idempotent replay sends again, free.
 */
import type { StreamError } from '../../layers/providers/types.ts';
import type { Caller } from '../auth/caller.ts';
import { logMoneyFailure } from '../billing/log.ts';
import type { Payment, Settled } from '../billing/types.ts';
import { ComposeError } from '../../layers/core/errors.ts';
import type { HttpResult } from '../http/response.ts';
import { logAbandonFailure } from '../calls/idempotent.ts';
import type { OnAbandoned, OnFinished } from '../calls/hooks.ts';
import { streamErrorFrame } from '../calls/surface.ts';
import type { Measured } from '../pricing/index.ts';
import type { ReceiptBody } from '../receipts/index.ts';
import { ABORTED, abortedBy, streamedBody } from '../../layers/core/sse/body.ts';
import { DONE_FRAME, HEARTBEAT_FRAME, SSE_HEADERS, eventFrame } from '../../layers/core/sse/encode.ts';
import { HEARTBEAT, withHeartbeat } from '../../layers/core/sse/heartbeat.ts';
import type { PaidCall, ServeStream, StreamServed } from './paid.ts';
import { deadlineError, routingHeaders, startProviderCall, surfaceHeaders, timedOut, withDiagnostics } from './provider-call.ts';
import { cleanupFailed, handledLater, recordFirstByte, withSubsegment } from '../../layers/core/observability/index.ts';

/** API Gateway drops a stream idle for 30 s; a keep-alive well inside that. */
export const DEFAULT_HEARTBEAT_MS = 15_000;

/** OpenAI SDKs hand every data frame to the caller, named event or not: the `type` lets code skip it. */
export const mediaReceiptFrame = (receipt: ReceiptBody): string => eventFrame('compose.receipt', { type: 'compose.receipt', ...receipt });

const streamErrorOf = (error: unknown, signal: AbortSignal): StreamError => {
  if (timedOut(signal)) return { status: 504, code: 'upstream_timeout', message: 'The provider did not finish in time.' };
  if (error instanceof ComposeError && error.exposed) return { status: error.status, code: error.code, message: error.message };
  return { status: 502, code: 'upstream_connection_lost', message: 'The provider stream failed.' };
};

/** Resolves true when `call` has not settled within `ms` (it rejects as `call` does when that comes first). */
const isLate = (call: Promise<unknown>, ms: number): Promise<boolean> => {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), ms)));
  return Promise.race([call.then(() => false), late]).finally(() => clearTimeout(timer));
};

const outcomeOf = (measured: readonly Measured[]) => (measured.length > 0 ? ({ kind: 'served', measured } as const) : ({ kind: 'failed' } as const));

export const runStream = async (
  call: PaidCall,
  payment: Payment,
  caller: Caller,
  serve: ServeStream,
  onFinished: OnFinished | undefined,
  onAbandoned?: OnAbandoned,
): Promise<HttpResult> => {
  const events = call.composeEvents ?? call.surface === 'native';
  const heartbeatMs = call.heartbeatMs ?? DEFAULT_HEARTBEAT_MS;
  const provider = startProviderCall(call.http, call.deadlineMs);
  const started = Date.now();
  const opening = withSubsegment(`provider:${call.model.provider}`, () => serve(provider.options, caller));
  opening.then(() => recordFirstByte(Date.now() - started), handledLater);
  const late = await isLate(opening, heartbeatMs).catch(async (error: unknown) => {
    provider.end();
    await payment.finalize({ kind: 'failed' }).catch(logMoneyFailure(call.http, caller, 'release'));
    throw withDiagnostics(deadlineError(error, provider.signal), call.surface, call.model);
  });
  const served: { current?: StreamServed } = late ? {} : { current: await opening };
  const headers = { ...SSE_HEADERS, ...routingHeaders(call.model, provider.attempts()), ...surfaceHeaders(call.surface, call.model) };

  async function* providerFrames(): AsyncGenerator<string> {
    served.current ??= await opening;
    yield* served.current.frames;
  }

  async function* body(clientLeft: AbortSignal): AsyncGenerator<string> {
    const transcript: string[] = [];
    let settled: Settled | undefined;
    // A write that failed (Lambda) or a socket that closed (locally) ends the provider call now, not at the
    // provider's next byte or the next heartbeat.
    const left = abortedBy(clientLeft);
    try {
      let failure: StreamError | undefined;
      const reader = withHeartbeat(providerFrames(), heartbeatMs);
      try {
        while (true) {
          let next: IteratorResult<string | typeof HEARTBEAT> | typeof ABORTED;
          try {
            next = await Promise.race([reader.next(), left]);
          } catch (error) {
            if (clientLeft.aborted) return;
            failure = streamErrorOf(error, provider.signal);
            break;
          }
          if (next === ABORTED) return;
          if (next.done) break;
          if (next.value === HEARTBEAT) {
            yield HEARTBEAT_FRAME;
            continue;
          }
          transcript.push(next.value);
          yield next.value;
        }
      } finally {
        void reader.return(undefined).catch(cleanupFailed('closing the provider stream'));
      }
      settled = await payment.finalize(outcomeOf(served.current?.measured() ?? []));
      await served.current?.onSettled?.(settled);
      const closing = [
        ...(failure ? [streamErrorFrame(events ? 'native' : 'external', failure)] : []),
        ...(failure ? [] : (served.current?.closing?.(settled) ?? [])),
        DONE_FRAME,
        // After `[DONE]`, where OpenAI SDKs have stopped reading.
        ...(events && settled.receipt ? [mediaReceiptFrame(settled.receipt)] : []),
      ];
      transcript.push(...closing);
      yield* closing;
      await onFinished?.({ statusCode: 200, headers, body: transcript.join('') });
    } finally {
      // Finished, failed or abandoned: nothing upstream keeps running, and a client that hung up still owes
      // what it was served (the provider bills for it), nothing more.
      provider.end();
      if (!settled) {
        await onAbandoned?.().catch(logAbandonFailure(call.http.requestId));
        await payment.finalize(outcomeOf(served.current?.measured('abandoned') ?? [])).catch(logMoneyFailure(call.http, caller, 'settle'));
      }
    }
  }

  return { statusCode: 200, headers, body: streamedBody(body, call.http.clientGone) };
};
