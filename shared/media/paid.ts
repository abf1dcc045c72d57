/**
 * Every paid media call runs through here, in the order that keeps money safe (as the text path does): prove
 * the payer, hold the worst-case quote, run at most once per `x-idempotency-key`, call the provider under a
 * deadline, charge what was measured (receipt headers on native routes), and release the hold on any failure.
 * A replay is free: the hold is released and the stored answer (bytes included, or a stream's transcript)
 * comes back as it was. Reusable by any paid operation that answers once (vision, video submission), and by
 * streamed ones (`servePaidStream`).
 */
import type { CallOptions, ProviderId } from '../../layers/providers/types.ts';
import type { Caller } from '../auth/caller.ts';
import type { Billing, Payment, PriceContext, Settled, Surface } from '../billing/types.ts';
import type { HttpRequest } from '../http/request.ts';
import type { HttpResult } from '../http/response.ts';
import { paidIdempotently } from '../calls/idempotent.ts';
import type { OnAbandoned, OnFinished } from '../calls/hooks.ts';
import type { Measured } from '../pricing/index.ts';
import { FAMILIES } from '../routes.ts';
import type { IdempotencyStore } from '../stores/idempotency.ts';
import { fromStored, toHttpResult, toStored, withHeaders, withReceipt, type MediaAnswer } from './answer.ts';
import { DEFAULT_HEARTBEAT_MS, runPaidStream, type StreamErrors } from '../calls/paid-stream.ts';
import { answerHeaders, failBeforeAnswer, startProviderCall } from '../calls/provider-call.ts';
import { withSubsegment } from '../../layers/core/observability/index.ts';

export interface PaidModel {
  readonly publicId: string;
  readonly provider: ProviderId;
  readonly wireModel: string;
}

export interface PaidCall {
  readonly http: HttpRequest;
  readonly billing: Billing;
  readonly surface: Surface;
  readonly idempotency: IdempotencyStore;
  readonly model: PaidModel;
  readonly price: PriceContext;
  /** The request as it matters for idempotency (parsed fields, file digests): the same call always gives the same text. */
  readonly fingerprint: string;
  readonly deadlineMs: number;
  /** Streams only: how long the provider may be silent before the stream sends a keep-alive comment. */
  readonly heartbeatMs?: number;
  /** Streams only: whether `compose.*` events are sent (default: natively). Responses streams send them on request. */
  readonly composeEvents?: boolean;
}

export interface Served {
  readonly answer: MediaAnswer;
  /** What the call consumed; each must stay within the quote's bounds. */
  readonly measured: readonly Measured[];
}

export type Serve = (options: CallOptions, caller: Caller) => Promise<Served>;

/** A call answered as a stream of SSE frames, opened once the provider has answered. */
export interface StreamServed {
  /** The frames for the client, in order, as the provider produces them. A throw ends the stream in-band. */
  readonly frames: AsyncIterable<string>;
  /**
   * What the client has been served so far, charged however the stream ends; empty: nothing is charged.
   * `abandoned`: the client hung up mid-stream. What it already holds of unfinished work (partial images,
   * audio) is then owed too, as on text streams: the provider bills the gateway for it, and otherwise output
   * could be taken free by disconnecting just before the end.
   */
  measured(end?: 'abandoned'): readonly Measured[];
  /** Once the charge is final, before the closing frames: e.g. to record the answer (Responses). Never throws. */
  onSettled?(settled: Settled): Promise<void>;
  /** Frames that need the final charge (a Responses stream's terminal event, receipt inside), before `[DONE]`. */
  closing?(settled: Settled): string[];
}

/** Resolves once the provider has answered (a refusal rejects: an HTTP error, nothing charged). */
export type ServeStream = (options: CallOptions, caller: Caller) => Promise<StreamServed>;

/** Whether the answering function streams its response (then bytes go out as a stream, not base64). */
const streams = (surface: Surface): boolean => (surface === 'external' ? FAMILIES.external.streaming : FAMILIES.media.streaming);

const run = async (call: PaidCall, payment: Payment, caller: Caller, serve: Serve): Promise<MediaAnswer> => {
  const provider = startProviderCall(call.http, call.deadlineMs);
  let served: Served;
  try {
    served = await withSubsegment(`provider:${call.model.provider}`, () => serve(provider.options, caller));
  } catch (error) {
    return failBeforeAnswer(error, provider, { ...call, payment });
  } finally {
    provider.clearDeadline();
  }
  const settled = await payment.finalize({ kind: 'served', measured: served.measured });
  const native = call.surface === 'native';
  // Natively the receipt is in the headers of every answer, and in the body of JSON ones; never externally.
  const answer = native && settled.receipt ? withReceipt(served.answer, settled.receipt) : served.answer;
  return withHeaders(answer, { ...answerHeaders(provider, call.surface, call.model), ...(native ? settled.headers : {}) });
};

/** Runs the call once it is paid for: `onFinished` keeps its whole answer for idempotent replays. */
type PaidRunner = (payment: Payment, caller: Caller, onFinished: OnFinished | undefined, onAbandoned: OnAbandoned | undefined) => Promise<HttpResult>;

const payOnce = async (call: PaidCall, runPaid: PaidRunner): Promise<HttpResult> => {
  const { http, surface } = call;
  const payer = await call.billing.identify(http, surface);
  // The text path's order (hold, run at most once per key, release on a replay or a failure); stored answers
  // are text, so a replay's bytes are decoded back here.
  const result = await paidIdempotently(http, payer, call.price, call.fingerprint, call.idempotency, (payment, onFinished, onAbandoned) => runPaid(payment, payer.caller, onFinished, onAbandoned));
  return result.headers?.['idempotent-replayed'] === 'true' ? toHttpResult(fromStored(result as { statusCode: number; headers: Record<string, string>; body: string }), streams(surface)) : result;
};

/** A call that answers once: the whole answer, its receipt in the headers (natively). */
export const servePaid = (call: PaidCall, serve: Serve): Promise<HttpResult> =>
  payOnce(call, async (payment, caller, onFinished) => {
    const answer = await run(call, payment, caller, serve);
    await onFinished?.(toStored(answer));
    return toHttpResult(answer, streams(call.surface));
  });

/** How a media stream reports a failure after its first byte. */
const MEDIA_STREAM_ERRORS: StreamErrors = {
  timeout: { status: 504, code: 'upstream_timeout', message: 'The provider did not finish in time.' },
  lost: { status: 502, code: 'upstream_connection_lost', message: 'The provider stream failed.' },
};

/** A media stream through the paid-stream engine: its frames are the provider's, already serialized. */
const runStream = (call: PaidCall, payment: Payment, caller: Caller, serve: ServeStream, onFinished: OnFinished | undefined, onAbandoned: OnAbandoned | undefined): Promise<HttpResult> => {
  let served: StreamServed | undefined;
  return runPaidStream<string>({
    http: call.http,
    payment,
    model: call.model,
    surface: call.surface,
    composeEvents: call.composeEvents ?? call.surface === 'native',
    heartbeatMs: call.heartbeatMs ?? DEFAULT_HEARTBEAT_MS,
    deadlineMs: call.deadlineMs,
    errors: MEDIA_STREAM_ERRORS,
    open: async (options) => {
      served = await serve(options, caller);
      return served.frames;
    },
    serializer: {
      part: (frame) => [frame],
      close: async (settled, failure) => {
        await served?.onSettled?.(settled);
        return failure ? [] : (served?.closing?.(settled) ?? []);
      },
    },
    meter: (end) => served?.measured(end === 'abandoned' ? end : undefined) ?? [],
    onFinished,
    onAbandoned,
  });
};

/**
 * A streamed call (SSE): the hold is taken as for one answer; what the stream delivered is charged when it
 * ends, and the receipt is an event after `[DONE]` (natively). See shared/calls/paid-stream.ts.
 */
export const servePaidStream = (call: PaidCall, serve: ServeStream): Promise<HttpResult> =>
  payOnce(call, (payment, caller, onFinished, onAbandoned) => runStream(call, payment, caller, serve, onFinished, onAbandoned));
