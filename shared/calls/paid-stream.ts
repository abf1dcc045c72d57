/**
 * The paid-stream engine: every paid answer sent as Server-Sent Events (chat and Responses text, stored
 * Responses, speech, image and transcription streams, media Responses) runs through `runPaidStream`, which
 * keeps these rules. A stream is given by an opener (the provider call), a frame serializer (the client's frames
 * from the provider's parts, and how the answer closes) and a meter (what it owes).
 *
 * - Until the provider's first byte the answer can still be an HTTP error (and retries stay invisible): the
 *   hold is released and nothing is charged. A provider silent for a whole heartbeat interval (a model that
 *   thinks before it streams) would let an edge endpoint drop the connection, so the response then commits to
 *   SSE and sends keep-alive comments; a failure after that is reported in-band.
 * - Frames go to the client as the provider produces them, with keep-alives whenever it is silent.
 * - A client that hangs up stops the provider at once (nothing more is generated, or owed, for nobody) and owes
 *   what was delivered to it, as the meter says for `abandoned`. A cancel (stored Responses) ends the stream
 *   in-band and owes what was delivered before it; once the answer is claimed a cancel is refused. Never both.
 * - The payment is finalized exactly once, however the stream ends: what the meter says, or a release when it
 *   says nothing.
 * - It closes with the serializer's closing frames (the receipt inside), the in-band error if any
 *   (`event: compose.error` natively, OpenAI's `data: {"error"}` externally), `data: [DONE]`, then
 *   `event: compose.receipt` when the stream carries `compose.*` events (after `[DONE]`, where OpenAI SDKs have
 *   stopped reading).
 * - The finished transcript (keep-alives aside) is what an idempotent replay sends again, free.
 */
import type { CallOptions, StreamError } from '../../layers/providers/types.ts';
import { ComposeError } from '../../layers/core/errors.ts';
import { streamedBody } from '../../layers/core/sse/body.ts';
import { DONE_FRAME, HEARTBEAT_FRAME, SSE_HEADERS, eventFrame } from '../../layers/core/sse/encode.ts';
import { HEARTBEAT, HUNG_UP, heartbeatReader, type HeartbeatRead } from '../../layers/core/sse/heartbeat.ts';
import { cleanupFailed, handledLater, recordFirstByte, withSubsegment } from '../../layers/core/observability/index.ts';
import { logMoneyFailure } from '../billing/log.ts';
import { outcomeOf } from '../billing/lifecycle.ts';
import type { Payment, Settled } from '../billing/types.ts';
import type { HttpRequest } from '../http/request.ts';
import type { HttpResult } from '../http/response.ts';
import type { Measured } from '../pricing/index.ts';
import type { ReceiptBody } from '../receipts/index.ts';
import type { OnAbandoned, OnFinished } from './hooks.ts';
import { logAbandonFailure } from './idempotent.ts';
import { answerHeaders, failBeforeAnswer, startProviderCall, timedOut, watchForCancel, type CalledModel, type ProviderCall } from './provider-call.ts';
import { streamErrorFrame, type Surface } from './surface.ts';

/** API Gateway drops a stream idle for 30 s; a keep-alive well inside that. */
export const DEFAULT_HEARTBEAT_MS = 15_000;

/** OpenAI SDKs hand every data frame to the caller, named event or not: the `type` lets code skip it. */
export const receiptEventFrame = (receipt: ReceiptBody): string => eventFrame('compose.receipt', { type: 'compose.receipt', ...receipt });

/** How a failure after the first byte is reported in-band, when it is not an exposed error (kept as it is). */
export interface StreamErrors {
  /** The call's deadline fired. */
  readonly timeout: StreamError;
  /** Anything else: the provider stream failed. */
  readonly lost: StreamError;
}

/** The client's frames, from the provider's parts, and how the answer closes. */
export interface StreamSerializer<T> {
  /** Frames that open the stream, before the provider's first part. */
  start?(): Iterable<string>;
  /** The frames for one part, in order. A throw while reading the provider ends the stream in-band. */
  part(part: T): Iterable<string>;
  /** Asked after each part: the answer is over (an error part, the output cap): the provider is stopped there. */
  ended?(): boolean;
  /** The stream failed in-band (the provider, the deadline, a cancel): fold it into the answer. */
  fail?(error: StreamError): void;
  /** The answer's own error, when it carries one (a provider's error part); otherwise the engine's. */
  error?(): StreamError | undefined;
  /**
   * Once the charge is final: record what needs recording and give the frames that close the answer (a
   * Responses stream's terminal event, receipt inside), before the error frame and `[DONE]`. Never throws.
   */
  close?(settled: Settled, failure: StreamError | undefined): Promise<Iterable<string>>;
}

/**
 * What the stream owes when it ends: `finished` however it ended (failed, cancelled, done), `abandoned` when
 * its client hung up. Nothing: the hold is released.
 */
export type StreamMeter = (end: 'finished' | 'abandoned') => readonly Measured[];

/** A stream that can be cancelled through its stored record. */
export interface StreamCancel {
  /** Whether a cancel was recorded (polled every `pollMs`). */
  requested(): Promise<boolean>;
  /** Claims the outcome once the answer is whole: false when a cancel got there first. Never throws. */
  claim(): Promise<boolean>;
  readonly pollMs: number;
  /** The in-band error a cancelled answer ends with. */
  readonly error: StreamError;
  /** For the log line of a poll that failed. */
  readonly context: Readonly<Record<string, unknown>>;
}

export interface PaidStream<T> {
  readonly http: Pick<HttpRequest, 'requestId' | 'clientGone'>;
  /** Held; the engine finalizes it exactly once. */
  readonly payment: Payment;
  readonly model: CalledModel;
  readonly surface: Surface;
  /** Whether `compose.*` events (the receipt after `[DONE]`, `compose.error`) are sent. */
  readonly composeEvents: boolean;
  readonly heartbeatMs: number;
  readonly deadlineMs: number;
  /** Headers of the answer besides SSE's and the routing ones (e.g. the response id). */
  readonly headers?: Readonly<Record<string, string>>;
  /** Calls the provider: resolves at its first byte (a rejection is an HTTP error, nothing charged). */
  readonly open: (options: CallOptions) => Promise<AsyncIterable<T>>;
  readonly serializer: StreamSerializer<T>;
  readonly meter: StreamMeter;
  readonly errors: StreamErrors;
  /** The receipt after `[DONE]` (default: `receiptEventFrame`). */
  readonly receiptFrame?: (receipt: ReceiptBody) => string;
  readonly cancel?: StreamCancel;
  /** The provider failed before its first byte; the hold is already released. Never throws. */
  readonly openFailed?: (error: unknown) => Promise<void>;
  /** Once the provider has answered (or is late), before the answer commits: a throw is an HTTP error. */
  readonly ready?: () => Promise<void>;
  readonly onFinished?: OnFinished;
  readonly onAbandoned?: OnAbandoned;
}

/** Resolves true when `call` has not settled within `ms` (it rejects as `call` does when that comes first). */
const beforeHeartbeat = (call: Promise<unknown>, ms: number): Promise<boolean> => {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), ms)));
  return Promise.race([call.then(() => false), late]).finally(() => clearTimeout(timer));
};

/** The provider's parts once its call has answered, so heartbeats can run while it has not. */
async function* whenReady<T>(call: Promise<AsyncIterable<T>>): AsyncGenerator<T> {
  yield* await call;
}

const streamErrorOf = (error: unknown, signal: AbortSignal, errors: StreamErrors): StreamError => {
  if (timedOut(signal)) return errors.timeout;
  // A provider call that failed after the response committed keeps its own code and message when they are safe.
  if (error instanceof ComposeError && error.exposed) return { status: error.status, code: error.code, message: error.message };
  return errors.lost;
};

const release = (stream: PaidStream<unknown>) => stream.payment.finalize({ kind: 'failed' }).catch(logMoneyFailure(stream.http, stream.payment.caller, 'release'));

/** Opens the provider call and answers as SSE once it has answered or is late; see the module's rules. */
export const runPaidStream = async <T>(stream: PaidStream<T>): Promise<HttpResult> => {
  const provider = startProviderCall(stream.http, stream.deadlineMs);
  const upstream = openProvider(stream, provider);
  const late = await beforeHeartbeat(upstream, stream.heartbeatMs).catch((error: unknown) => failBeforeAnswer(error, provider, stream, stream.openFailed));
  const parts = late ? whenReady(upstream) : await upstream;
  await stream.ready?.().catch(async (error: unknown) => {
    provider.end();
    await release(stream);
    throw error;
  });
  const headers = { ...SSE_HEADERS, ...stream.headers, ...answerHeaders(provider, stream.surface, stream.model) };
  return { statusCode: 200, headers, body: streamedBody((clientLeft) => frames(stream, provider, parts, headers, clientLeft), stream.http.clientGone) };
};

const openProvider = <T>(stream: PaidStream<T>, provider: ProviderCall): Promise<AsyncIterable<T>> => {
  const started = Date.now();
  const upstream = withSubsegment(`provider:${stream.model.provider}`, () => stream.open(provider.options));
  upstream.then(() => recordFirstByte(Date.now() - started), handledLater);
  return upstream;
};

/** One stream's state while it runs: what it sent (for the replay) and how it failed in-band, if it did. */
interface Session<T> {
  readonly stream: PaidStream<T>;
  readonly provider: ProviderCall;
  /** The frames sent, keep-alives aside: what an idempotent replay sends again. Kept only when it is stored. */
  readonly transcript: string[] | undefined;
  /** The stream failed in-band: the serializer folds it into the answer. */
  fail(error: StreamError): void;
  /** How the answer ended, if not well: the serializer's word (a provider's error part), else the engine's. */
  error(): StreamError | undefined;
}

const session = <T>(stream: PaidStream<T>, provider: ProviderCall): Session<T> => {
  let failure: StreamError | undefined;
  return {
    stream,
    provider,
    transcript: stream.onFinished ? [] : undefined,
    fail: (error) => {
      failure = error;
      stream.serializer.fail?.(error);
    },
    error: () => stream.serializer.error?.() ?? failure,
  };
};

function* emit(run: Session<unknown>, frames: Iterable<string>): Generator<string> {
  for (const frame of frames) {
    run.transcript?.push(frame);
    yield frame;
  }
}

async function* frames<T>(stream: PaidStream<T>, provider: ProviderCall, parts: AsyncIterable<T>, headers: Record<string, string>, clientLeft: AbortSignal): AsyncGenerator<string> {
  const { payment, cancel } = stream;
  const run = session(stream, provider);
  // A write that failed (Lambda) or a socket that closed (locally) stops the provider now, not at its next byte.
  clientLeft.addEventListener('abort', provider.hangUp, { once: true });
  const poll = cancel ? watchForCancel(provider, cancel.requested, cancel.pollMs, cancel.context) : undefined;
  let settled: Settled | undefined;
  let ended: RelayEnd | undefined;
  try {
    yield* emit(run, stream.serializer.start?.() ?? []);
    ended = yield* relay(run, parts, clientLeft);
    if (ended === 'hung up') return;
    poll?.stop();
    await cancelledLate(run);
    settled = await payment.finalize(outcomeOf(stream.meter('finished')));
    yield* emit(run, await closing(run, settled));
    await stream.onFinished?.({ statusCode: 200, headers, body: run.transcript!.join('') });
  } finally {
    poll?.stop();
    clientLeft.removeEventListener('abort', provider.hangUp);
    // What an abandoned stream owes is read before anything else can change it.
    const owed = settled ? undefined : stream.meter('abandoned');
    // Finished, failed or abandoned: nothing upstream keeps running. A provider read to its end has nothing left
    // to abort (an abort would only cost an event, ~10 us, per stream).
    if (ended === 'drained') provider.clearDeadline();
    else provider.end();
    if (owed) await abandon(stream, owed);
  }
}

/** How the relay ended: the provider's answer read to its end, over before it (failed, or no more wanted), or the client left. */
type RelayEnd = 'drained' | 'over' | 'hung up';

/**
 * The provider's parts as frames, with keep-alives while it is silent, until it ends, fails (in-band), the
 * serializer says the answer is over, or the client hangs up.
 */
async function* relay<T>(run: Session<T>, parts: AsyncIterable<T>, clientLeft: AbortSignal): AsyncGenerator<string, RelayEnd> {
  const { stream, provider, transcript } = run;
  const reader = heartbeatReader(parts, stream.heartbeatMs, clientLeft);
  try {
    while (true) {
      // Only reading the provider is guarded: a client hang-up surfaces at a `yield` and must not pass for a
      // provider failure (a hung-up call still owes what was delivered, see `abandon`).
      let next: HeartbeatRead<T>;
      try {
        next = await reader.next();
      } catch (thrown) {
        if (clientLeft.aborted) return 'hung up';
        run.fail(stream.cancel && provider.cancelled() ? stream.cancel.error : streamErrorOf(thrown, provider.signal, stream.errors));
        return 'over';
      }
      if (next === HUNG_UP) return 'hung up';
      if (next === HEARTBEAT) {
        yield HEARTBEAT_FRAME;
        continue;
      }
      if (next.done) return 'drained';
      // The hot loop of every stream: the frames are yielded here rather than through `emit`'s generator.
      for (const frame of stream.serializer.part(next.value)) {
        transcript?.push(frame);
        yield frame;
      }
      // What would follow was neither held nor paid for, or is past the answer's end: the provider stops here.
      if (stream.serializer.ended?.()) {
        // An adapter reports its read cut by the call's abort as an error part of its own (`request_aborted`, "The
        // request was cancelled."): when the deadline fired, the client is told it was the provider's slowness.
        if (run.error() && timedOut(provider.signal)) run.fail(stream.errors.timeout);
        provider.stop();
        return 'over';
      }
    }
  } finally {
    void reader.return().catch(cleanupFailed('closing the provider stream'));
  }
}

/**
 * A cancel that came after the last part still wins if it was recorded before the answer is claimed; after
 * the claim it is refused (409). Either way the call owes what it delivered.
 */
const cancelledLate = async (run: Session<unknown>): Promise<void> => {
  const { cancel } = run.stream;
  if (!cancel) return;
  const cancelled = run.provider.cancelled() || (!run.error() && !(await cancel.claim()));
  if (cancelled && run.error() !== cancel.error) run.fail(cancel.error);
};

/** The serializer's closing frames (receipt inside), the in-band error, `[DONE]`, then the receipt event. */
const closing = async (run: Session<unknown>, settled: Settled): Promise<string[]> => {
  const { stream } = run;
  const error = run.error();
  return [
    ...((await stream.serializer.close?.(settled, error)) ?? []),
    ...(error ? [streamErrorFrame(stream.composeEvents ? 'native' : 'external', error)] : []),
    DONE_FRAME,
    ...(stream.composeEvents && settled.receipt ? [(stream.receiptFrame ?? receiptEventFrame)(settled.receipt)] : []),
  ];
};

/**
 * The client hung up before the stream settled: its idempotency key is freed (nothing worth replaying), and it
 * owes what was delivered to it (the provider bills the gateway for it), nothing more.
 */
const abandon = async (stream: PaidStream<unknown>, owed: readonly Measured[]): Promise<void> => {
  const { http, payment } = stream;
  await stream.onAbandoned?.().catch(logAbandonFailure(http.requestId));
  await payment.finalize(outcomeOf(owed)).catch(logMoneyFailure(http, payment.caller, 'settle'));
};
