import type { CanonicalMessage, CanonicalRequest, StreamError, StreamPart } from '../../layers/providers/types.ts';
import type { Caller } from '../auth/caller.ts';
import { logMoneyFailure } from '../billing/log.ts';
import type { Payment, Settled } from '../billing/types.ts';
import { ClientClosedError, ComposeError, UpstreamError } from '../../layers/core/errors.ts';
import type { HttpRequest } from '../http/request.ts';
import { json, type HttpResult } from '../http/response.ts';
import type { ReceiptBody } from '../receipts/index.ts';
import { ABORTED, abortedBy, streamedBody } from '../../layers/core/sse/body.ts';
import { DONE_FRAME, HEARTBEAT_FRAME, SSE_HEADERS, eventFrame } from '../../layers/core/sse/encode.ts';
import { HEARTBEAT, withHeartbeat } from '../../layers/core/sse/heartbeat.ts';
import type { StoredStatus } from '../stores/responses.ts';
import { accumulate, createAccumulator, type Completion } from './accumulate.ts';
import { createChatChunkSerializer, toChatCompletion } from './chat/serialize.ts';
import { assistantTurn } from './conversation.ts';
import type { FrameSerializer } from './frames.ts';
import { newChatCompletionId, newResponseId } from './ids.ts';
import { logAbandonFailure } from '../calls/idempotent.ts';
import type { TextRequest } from './request/text-request.ts';
import { buildResponseObject, statusOf, type ResponseBase } from './responses/output.ts';
import { createResponsesEventSerializer } from './responses/serialize.ts';
import type { ResolvedModel, TextServices } from './services.ts';
import { composeEventsOn, diagnosticHeaders, streamErrorFrame, type Surface } from '../calls/surface.ts';
import { createOutputCap } from './output-cap.ts';
import { measuredUsage } from './usage-estimate.ts';
import { cleanupFailed, describeError, handledLater, logger, recordFirstByte, withSubsegment } from '../../layers/core/observability/index.ts';

import type { OnAbandoned, OnFinished } from '../calls/hooks.ts';
export type { OnAbandoned, OnFinished };

export interface TextCall {
  readonly http: HttpRequest;
  readonly request: TextRequest;
  readonly caller: Caller;
  readonly model: ResolvedModel;
  /** Earlier turns, from `previous_response_id`. */
  readonly history: readonly CanonicalMessage[];
  /** This request's own new messages. */
  readonly input: readonly CanonicalMessage[];
  readonly payment: Payment;
  /** The output cap the price was quoted for: sent upstream so usage can never exceed what was held. */
  readonly outputCap?: number;
  readonly onFinished?: OnFinished;
  readonly onAbandoned?: OnAbandoned;
  readonly surface: Surface;
}

class CancelledError extends Error {
  override readonly name = 'CancelledError';
}

/** The client hung up: the provider is stopped, and the call owes what was delivered. */
class HungUpError extends Error {
  override readonly name = 'HungUpError';
}

/** The output reached the cap the hold was quoted for: the provider is stopped, the answer ends at `length`. */
class OutputCapReached extends Error {
  override readonly name = 'OutputCapReached';
}

const CANCELLED: StreamError = { code: 'response_cancelled', message: 'The response was cancelled.' };

const toUpstreamError = (error: StreamError): UpstreamError => new UpstreamError(error.status && error.status >= 400 ? error.status : 502, error.code, error.message);

const routingHeaders = (model: ResolvedModel, attempts: number): Record<string, string> => ({
  'x-routing-primary-model': model.publicId,
  'x-routing-final-model': model.publicId,
  'x-routing-attempts': String(attempts),
  'x-routing-fallback-used': 'false',
});

/** Serves one text generation in the API shape the request came in, then settles and records it. */
export const serveText = async (call: TextCall, services: TextServices): Promise<HttpResult> => {
  const { request, caller, http, model, history, input, payment, surface } = call;
  const native = surface === 'native';
  const instructions: CanonicalMessage[] = request.instructions ? [{ role: 'system', content: request.instructions }] : [];
  const canonical: CanonicalRequest = {
    ...request.canonical,
    model: model.wireModel,
    ...(model.reasoning !== undefined ? { reasoningModel: model.reasoning } : {}),
    messages: [...instructions, ...history, ...input],
    ...(call.outputCap ? { maxOutputTokens: call.outputCap } : {}),
  };

  const id = request.api === 'responses' ? newResponseId() : newChatCompletionId();
  const created = Math.floor(Date.now() / 1000);
  const storing = request.api === 'responses' && request.store;
  // The in-progress record is written alongside the upstream call, not before it: it is not on the first-byte path.
  const began = storing ? services.responses.begin(id, caller.id, model.publicId) : undefined;
  began?.catch(handledLater);

  const base: ResponseBase = { id, created_at: created, model: model.publicId, ...request.echo };
  const record = async (completion: Completion, status: StoredStatus, response: Record<string, unknown>): Promise<boolean> => {
    if (!storing) return true;
    await began;
    return services.responses.complete(id, status, {
      response,
      inputItems: request.inputItems,
      conversation: [...history, ...input, assistantTurn(completion)],
    });
  };

  /**
   * Charges what was delivered: nothing for a failure, what reached the client before a cancel (as for a
   * hang-up), never output past the cap the hold was quoted for.
   */
  const settle = async (completion: Completion): Promise<Settled> => payment.finalize(outcomeOf(completion, 'finished'));
  const outcomeOf = (completion: Completion, end: 'finished' | 'abandoned') =>
    owes(completion, end) ? ({ kind: 'served', measured: [measuredUsage(completion, canonical, call.outputCap)] } as const) : ({ kind: 'failed' } as const);
  /** The outcome is claimed before it is charged, so a cancel either wins before the claim or is refused after it. */
  const claim = async (): Promise<boolean> => {
    try {
      await began;
      return await services.responses.finish(id);
    } catch (error) {
      // No record to cancel through: nothing can have cancelled it.
      return logRecordFailure(id, http.requestId)(error);
    }
  };
  const receiptField = (settled: Settled) => (native && settled.receipt ? (request.api === 'chat' ? { compose_receipt: settled.receipt } : { receipt: settled.receipt }) : {});

  let attempts = 1;
  const controller = new AbortController();
  // A cleared timer rather than AbortSignal.timeout, which would keep every finished request's signal alive
  // until its deadline (minutes) passed.
  const deadline = setTimeout(() => controller.abort(new DOMException('The generation exceeded its time limit.', 'TimeoutError')), services.settings.deadlineMs);
  deadline.unref();
  const signal = controller.signal;
  const money = { requestId: http.requestId, payer: payment.caller.id };
  // A client that hangs up stops the provider at once: nothing more is generated (or owed) for nobody.
  const hangUp = () => controller.abort(new HungUpError());
  http.clientGone?.addEventListener('abort', hangUp, { once: true });
  const stopWatching = () => {
    clearTimeout(deadline);
    http.clientGone?.removeEventListener('abort', hangUp);
  };
  const options = { signal, requestId: http.requestId, includeUsage: true, onRetry: () => void (attempts += 1) };
  const adapter = services.adapterFor(model.provider);
  const cap = createOutputCap(call.outputCap);

  const failBeforeFirstByte = async (error: unknown): Promise<never> => {
    stopWatching();
    const completion = { ...accumulate([]), error: { code: (error as UpstreamError).code ?? 'upstream_error', message: (error as Error).message } };
    await payment.finalize({ kind: 'failed' }).catch(logMoneyFailure(http, caller, 'release'));
    await record(completion, 'failed', buildResponseObject(base, completion, 'failed')).catch(logRecordFailure(id, http.requestId));
    // Nobody reads this answer; it must not pass for a gateway fault (a 5xx, logged as one) either.
    if (signal.reason instanceof HungUpError) throw new ClientClosedError({ cause: error });
    throw error;
  };

  if (!request.stream) {
    // A stored call can be cancelled while it runs: the cancel then wins (nothing delivered, nothing charged),
    // or, once the answer is claimed (`finish`), it is refused with a 409. Never both.
    const poll = storing ? watchForCancel(id, services, controller) : undefined;
    const generated = await withSubsegment(`provider:${model.provider}`, () => adapter.generate(canonical, options)).catch(async (error: unknown) => {
      poll?.stop();
      if (signal.reason instanceof CancelledError) return undefined;
      return failBeforeFirstByte(error);
    });
    poll?.stop();
    stopWatching();
    if (!generated || (storing && !(await claim()))) {
      controller.abort();
      await payment.finalize({ kind: 'failed' }).catch(logMoneyFailure(http, caller, 'release'));
      const completion = { ...accumulate([]), error: CANCELLED };
      const cancelled = buildResponseObject(base, completion, 'cancelled');
      await record(completion, 'cancelled', cancelled).catch(logRecordFailure(id, http.requestId));
      const result = json(200, cancelled, { 'x-compose-response-id': id, ...routingHeaders(model, attempts), ...diagnosticHeaders(surface, model) });
      // The outcome is final: a retry with the same idempotency key replays it rather than waiting on a lock.
      await call.onFinished?.({ statusCode: 200, headers: result.headers!, body: result.body as string });
      return result;
    }
    const parts = generated.flatMap((part) => cap.pass(part));
    const completion = accumulate(parts);
    if (completion.error) return failBeforeFirstByte(toUpstreamError(completion.error));
    const settled = await settle(completion);
    const headers = { 'x-compose-response-id': id, ...routingHeaders(model, attempts), ...diagnosticHeaders(surface, model), ...(native ? settled.headers : {}) };
    const status = statusOf(completion);
    const body =
      request.api === 'chat'
        ? { ...toChatCompletion({ id, created, model: model.publicId }, completion), ...receiptField(settled) }
        : buildResponseObject(base, completion, status, undefined, receiptField(settled));
    // Charged already: a record that cannot be written must not cost the caller the answer it paid for.
    await record(completion, status, body as Record<string, unknown>).catch(logRecordFailure(id, http.requestId));
    const result = json(200, body, headers);
    await call.onFinished?.({ statusCode: 200, headers: result.headers!, body: result.body as string });
    return result;
  }

  // Until the provider's first byte the answer can still be an HTTP error (and retries stay invisible). A provider
  // silent for a whole heartbeat interval (a model that thinks before it streams) would let an edge endpoint drop
  // the connection, so the response then commits to SSE and heartbeats; a failure after that is reported in-band.
  const started = Date.now();
  const upstream = withSubsegment(`provider:${model.provider}`, () => adapter.stream(canonical, options));
  upstream.then(() => recordFirstByte(Date.now() - started), handledLater);
  const firstByteIsLate = await beforeHeartbeat(upstream, services.settings.heartbeatMs).catch(failBeforeFirstByte);
  const parts: AsyncIterable<StreamPart> = firstByteIsLate ? whenReady(upstream) : await upstream;
  // The id goes out in the headers, so it must already name a record that cancel and retrieve can find. The
  // write ran alongside the upstream call; by the provider's first byte this wait is normally over.
  await began?.catch((error: unknown) => {
    stopWatching();
    controller.abort();
    throw error;
  });
  const serializer: FrameSerializer =
    request.api === 'chat' ? createChatChunkSerializer({ id, created, model: model.publicId }, request.includeUsage) : createResponsesEventSerializer(base);
  // Responses streams carry `compose.*` events only on request (their receipt is in `response.completed`).
  const events = composeEventsOn(surface, request.api, http.headers);
  const headers = { ...SSE_HEADERS, 'x-compose-response-id': id, ...routingHeaders(model, attempts), ...diagnosticHeaders(surface, model) };

  async function* frames(clientLeft: AbortSignal): AsyncGenerator<string> {
    const transcript: string[] | undefined = call.onFinished ? [] : undefined;
    const emit = function* (list: Iterable<string>) {
      for (const frame of list) {
        transcript?.push(frame);
        yield frame;
      }
    };
    // A write that failed (Lambda) or a socket that closed (locally) ends the provider call now, not at the
    // provider's next byte or the next heartbeat.
    const left = abortedBy(clientLeft);
    clientLeft.addEventListener('abort', hangUp, { once: true });
    const acc = createAccumulator();
    const poll = storing ? watchForCancel(id, services, controller) : undefined;
    let settled: Settled | undefined;
    try {
      yield* emit(serializer.start?.() ?? []);
      const deliver = function* (part: StreamPart) {
        for (const passed of cap.pass(part)) {
          acc.add(passed);
          yield* emit(serializer.part(passed));
        }
      };
      const fail = (error: StreamError): void => {
        const part: StreamPart = { type: 'error', error };
        acc.add(part);
        serializer.part(part);
      };
      // Only reading the provider is guarded: a client hang-up surfaces at a `yield` and must not pass for a
      // provider failure (a hung-up call still owes what was delivered, see below).
      const reader = withHeartbeat<StreamPart>(parts, services.settings.heartbeatMs);
      try {
        while (true) {
          let next: IteratorResult<StreamPart | typeof HEARTBEAT> | typeof ABORTED;
          try {
            next = await Promise.race([reader.next(), left]);
          } catch (error) {
            if (clientLeft.aborted) return;
            fail(signal.reason instanceof CancelledError ? CANCELLED : streamErrorOf(error, signal));
            break;
          }
          if (next === ABORTED) return;
          if (next.done) break;
          const part = next.value;
          if (part === HEARTBEAT) {
            yield HEARTBEAT_FRAME;
            continue;
          }
          yield* deliver(part);
          if (part.type === 'error') break;
          // Output past the cap would be neither held nor paid for: the provider is stopped here.
          if (cap.reached) {
            controller.abort(new OutputCapReached());
            break;
          }
        }
      } finally {
        void reader.return(undefined).catch(cleanupFailed('closing the provider stream'));
      }
      poll?.stop();
      // A cancel that came after the last delta still wins if it was recorded before the answer is claimed;
      // after the claim it is refused (409). Either way the call owes what it delivered.
      const cancelled = signal.reason instanceof CancelledError || (storing && !acc.result().error && !(await claim()));
      if (cancelled && acc.result().error !== CANCELLED) fail(CANCELLED);
      const completion = acc.result();
      settled = await settle(completion);
      // The receipt frame follows `[DONE]`: OpenAI SDKs stop reading there, parsers that read on accept it.
      const closing = [
        ...serializer.end(receiptField(settled)),
        ...(completion.error ? [streamErrorFrame(events ? 'native' : 'external', completion.error)] : []),
        DONE_FRAME,
        ...(events && settled.receipt ? [receiptFrame(request.api, settled.receipt)] : []),
      ];
      // Recorded before the stream says it is over: a client that retrieves on the terminal event (or on the
      // error, where SDKs stop reading) must find the final record, not the in-progress one.
      const status: StoredStatus = completion.error === CANCELLED ? 'cancelled' : statusOf(completion);
      await record(completion, status, buildResponseObject(base, completion, status, serializerIds(serializer), receiptField(settled))).catch(logRecordFailure(id, http.requestId));
      yield* emit(closing);
      await call.onFinished?.({ statusCode: 200, headers, body: transcript!.join('') });
    } finally {
      poll?.stop();
      clientLeft.removeEventListener('abort', hangUp);
      // A client that hangs up mid-stream owes what was delivered to it (the provider bills us for it), as a
      // cancel does; a failed call owes nothing. Decided before the abort below changes the signal.
      const partial = acc.result();
      // Whether finished, failed or abandoned: nothing upstream may keep running.
      stopWatching();
      controller.abort();
      if (!settled) {
        await call.onAbandoned?.().catch(logAbandonFailure(http.requestId));
        await payment.finalize(outcomeOf(partial, 'abandoned')).catch(logMoneyFailure(http, caller, 'settle'));
      }
    }
  }

  return { statusCode: 200, headers, body: streamedBody(frames, http.clientGone) };
};

/**
 * Sent after `[DONE]`, where OpenAI SDKs have stopped reading. Parsers that read on (the Vercel AI SDK) get a
 * chunk-shaped frame on chat streams (empty `choices`) and a typed event on Responses streams, which they skip.
 */
export const receiptFrame = (api: TextRequest['api'], receipt: ReceiptBody): string =>
  eventFrame('compose.receipt', api === 'chat' ? { object: 'compose.receipt', choices: [], ...receipt } : { type: 'compose.receipt', ...receipt });

const serializerIds = (serializer: FrameSerializer) => ('ids' in serializer ? (serializer.ids as import('./responses/output.ts').OutputIds) : undefined);

/** Resolves true when `call` has not settled within `ms` (it rejects as `call` does when that comes first). */
const beforeHeartbeat = (call: Promise<unknown>, ms: number): Promise<boolean> => {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), ms)));
  return Promise.race([call.then(() => false), late]).finally(() => clearTimeout(timer));
};

/** The provider's parts once its call has answered, so heartbeats can run while it has not. */
async function* whenReady(call: Promise<AsyncIterable<StreamPart>>): AsyncGenerator<StreamPart> {
  yield* await call;
}

/** A record that cannot be written after the charge is logged: the caller still gets the answer it paid for. */
export const logRecordFailure = (id: string, requestId?: string) => (error: unknown) => {
  logger.error('response record not written', { responseId: id, ...(requestId ? { requestId } : {}), error: describeError(error) });
  return true;
};

/**
 * Whether a call is charged: a finished call is (a cancelled one for what it delivered before the cancel); an
 * abandoned one (the client hung up) for what was delivered; a failed one never.
 */
const owes = (c: Completion, end: 'finished' | 'abandoned'): boolean => {
  if (c.error && c.error !== CANCELLED) return false;
  return end === 'finished' && !c.error ? true : generatedAnything(c);
};

const generatedAnything = (c: Completion): boolean => c.text !== '' || c.reasoning !== '' || c.toolCalls.length > 0 || c.usage !== undefined;

const streamErrorOf = (error: unknown, signal: AbortSignal): StreamError => {
  if (signal.aborted && signal.reason instanceof DOMException && signal.reason.name === 'TimeoutError') {
    return { code: 'generation_timeout', message: 'The generation exceeded its time limit.' };
  }
  // A provider call that failed after the response committed (see beforeHeartbeat) keeps its own code and message.
  if (error instanceof ComposeError && error.exposed) return { status: error.status, code: error.code, message: error.message };
  return { code: 'upstream_stream_error', message: 'The provider stream failed.' };
};

/** Lambda instances share nothing, so a cancel reaches the generating instance through the stored record. */
const watchForCancel = (id: string, services: TextServices, controller: AbortController) => {
  const timer = setInterval(() => {
    services.responses
      .status(id)
      .then((status) => {
        if (status === 'cancelled') controller.abort(new CancelledError());
      })
      .catch((error: unknown) => logger.warn('cancel poll failed', { responseId: id, error: describeError(error) }));
  }, services.settings.cancelPollMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
};
