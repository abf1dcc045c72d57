/**
 * One text generation (chat or Responses, stored or not, streamed or not), in steps: the answer is begun (its
 * id, the canonical request, its stored record), then either generated whole and answered once, or streamed
 * through the paid-stream engine (shared/calls/paid-stream.ts) with the text serializer (text-stream.ts).
 * Either way the payment is finalized with what was delivered and the answer kept for idempotent replays.
 */
import type { CallOptions, CanonicalMessage, CanonicalRequest, StreamError, StreamPart } from '../../layers/providers/types.ts';
import type { Caller } from '../auth/caller.ts';
import { logMoneyFailure } from '../billing/log.ts';
import { outcomeOf } from '../billing/lifecycle.ts';
import type { Payment, Settled } from '../billing/types.ts';
import { UpstreamError } from '../../layers/core/errors.ts';
import type { HttpRequest } from '../http/request.ts';
import { json, type HttpResult } from '../http/response.ts';
import type { ReceiptBody } from '../receipts/index.ts';
import { eventFrame } from '../../layers/core/sse/encode.ts';
import { accumulate, type Completion } from './accumulate.ts';
import { answerRecord, logRecordFailure, type AnswerRecord } from './answer-record.ts';
import { createChatChunkSerializer, toChatCompletion } from './chat/serialize.ts';
import type { FinalExtras } from './frames.ts';
import { newChatCompletionId, newResponseId } from './ids.ts';
import type { TextRequest } from './request/text-request.ts';
import { buildResponseObject, statusOf, type ResponseBase } from './responses/output.ts';
import { createResponsesEventSerializer } from './responses/serialize.ts';
import type { ResolvedModel, TextServices } from './services.ts';
import { composeEventsOn, type Surface } from '../calls/surface.ts';
import { receiptEventFrame, runPaidStream, type StreamErrors } from '../calls/paid-stream.ts';
import { answerHeaders, failBeforeAnswer, startProviderCall, watchForCancel, type ProviderCall } from '../calls/provider-call.ts';
import { createOutputCap } from './output-cap.ts';
import { textStream } from './text-stream.ts';
import { measuredUsage } from './usage-estimate.ts';
import type { Measured } from '../pricing/index.ts';
import { withSubsegment } from '../../layers/core/observability/index.ts';

import type { OnAbandoned, OnFinished } from '../calls/hooks.ts';
export type { OnAbandoned, OnFinished };
export { logRecordFailure };

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

const CANCELLED: StreamError = { code: 'response_cancelled', message: 'The response was cancelled.' };

/** How a text stream reports a failure after its first byte (an exposed provider error keeps its own). */
const TEXT_STREAM_ERRORS: StreamErrors = {
  timeout: { code: 'generation_timeout', message: 'The generation exceeded its time limit.' },
  lost: { code: 'upstream_stream_error', message: 'The provider stream failed.' },
};

/** A text answer once begun: who it is, what goes upstream, where it is stored. */
interface TextAnswer {
  readonly call: TextCall;
  readonly services: TextServices;
  readonly id: string;
  readonly created: number;
  readonly base: ResponseBase;
  readonly canonical: CanonicalRequest;
  readonly record: AnswerRecord;
}

/** Serves one text generation in the API shape the request came in, then settles and records it. */
export const serveText = async (call: TextCall, services: TextServices): Promise<HttpResult> => {
  const answer = beginAnswer(call, services);
  return call.request.stream ? streamAnswer(answer) : wholeAnswer(answer);
};

// Step 1: the answer's id, the canonical request, and its stored record (written alongside the provider call).

const beginAnswer = (call: TextCall, services: TextServices): TextAnswer => {
  const { request, model } = call;
  const id = request.api === 'responses' ? newResponseId() : newChatCompletionId();
  const created = Math.floor(Date.now() / 1000);
  return {
    call,
    services,
    id,
    created,
    base: { id, created_at: created, model: model.publicId, ...request.echo },
    canonical: canonicalRequest(call),
    record: answerRecord(id, call, services),
  };
};

const canonicalRequest = ({ request, model, history, input, outputCap }: TextCall): CanonicalRequest => {
  const instructions: CanonicalMessage[] = request.instructions ? [{ role: 'system', content: request.instructions }] : [];
  return {
    ...request.canonical,
    model: model.wireModel,
    ...(model.reasoning !== undefined ? { reasoningModel: model.reasoning } : {}),
    messages: [...instructions, ...history, ...input],
    ...(outputCap ? { maxOutputTokens: outputCap } : {}),
  };
};

// Money: what a text answer owes, and where its receipt goes.

/**
 * What a call is charged for: nothing for a failure, what reached the client before a cancel or a hang-up,
 * never output past the cap the hold was quoted for.
 */
const owed = (answer: TextAnswer, completion: Completion, end: 'finished' | 'abandoned'): readonly Measured[] =>
  owes(completion, end) ? [measuredUsage(completion, answer.canonical, answer.call.outputCap)] : [];

/**
 * Whether a call is charged: a finished call is (a cancelled one for what it delivered before the cancel); an
 * abandoned one (the client hung up) for what was delivered; a failed one never.
 */
const owes = (c: Completion, end: 'finished' | 'abandoned'): boolean => {
  if (c.error && c.error !== CANCELLED) return false;
  return end === 'finished' && !c.error ? true : generatedAnything(c);
};

const generatedAnything = (c: Completion): boolean => c.text !== '' || c.reasoning !== '' || c.toolCalls.length > 0 || c.usage !== undefined;

/** Natively the receipt is in the final object (chat: `compose_receipt`); never externally. */
const receiptField = ({ call }: TextAnswer, settled: Settled): FinalExtras =>
  call.surface === 'native' && settled.receipt ? (call.request.api === 'chat' ? { compose_receipt: settled.receipt } : { receipt: settled.receipt }) : {};

/** Records a call that failed before its answer (its hold is released already). */
const recordFailure = (answer: TextAnswer) => async (error: unknown) => {
  const completion = { ...accumulate([]), error: { code: (error as UpstreamError).code ?? 'upstream_error', message: (error as Error).message } };
  await answer.record.write(completion, 'failed', buildResponseObject(answer.base, completion, 'failed'));
};

/** The gateway always meters: streams are asked for their usage. */
const withUsage = (options: CallOptions): CallOptions => ({ ...options, includeUsage: true });

// Step 2a: `stream: false`. Generated whole, then answered once: completed, cancelled, or an HTTP error.

const wholeAnswer = async (answer: TextAnswer): Promise<HttpResult> => {
  const { call, services } = answer;
  const provider = startProviderCall(call.http, services.settings.deadlineMs);
  const generated = await generate(answer, provider);
  // A call cancellable while it runs (one with a record in progress, see answer-record.ts): the cancel then wins
  // (nothing delivered, nothing charged), or, once the answer is claimed (`finish`), it is refused with a 409.
  // Never both.
  if (!generated || !(await answer.record.claim())) return cancelledAnswer(answer, provider);
  const cap = createOutputCap(call.outputCap);
  const completion = accumulate(generated.flatMap((part) => cap.pass(part)));
  if (completion.error) return failBeforeAnswer(toUpstreamError(completion.error), provider, call, recordFailure(answer));
  return completedAnswer(answer, provider, completion);
};

/** The provider's whole answer; undefined when the call was cancelled while it ran. */
const generate = async (answer: TextAnswer, provider: ProviderCall): Promise<StreamPart[] | undefined> => {
  const { call, services, record, canonical } = answer;
  const poll = record.cancellable ? watchForCancel(provider, record.cancelRequested, services.settings.cancelPollMs, { responseId: answer.id }) : undefined;
  try {
    return await withSubsegment(`provider:${call.model.provider}`, () => services.adapterFor(call.model.provider).generate(canonical, withUsage(provider.options)));
  } catch (error) {
    if (provider.cancelled()) return undefined;
    return failBeforeAnswer(error, provider, call, recordFailure(answer));
  } finally {
    poll?.stop();
    provider.clearDeadline();
  }
};

const cancelledAnswer = async (answer: TextAnswer, provider: ProviderCall): Promise<HttpResult> => {
  const { call, base, id } = answer;
  provider.end();
  await call.payment.finalize({ kind: 'failed' }).catch(logMoneyFailure(call.http, call.caller, 'release'));
  const completion = { ...accumulate([]), error: CANCELLED };
  const cancelled = buildResponseObject(base, completion, 'cancelled');
  await answer.record.write(completion, 'cancelled', cancelled);
  const result = json(200, cancelled, { 'x-compose-response-id': id, ...answerHeaders(provider, call.surface, call.model) });
  // The outcome is final: a retry with the same idempotency key replays it rather than waiting on a lock.
  await call.onFinished?.({ statusCode: 200, headers: result.headers!, body: result.body as string });
  return result;
};

const completedAnswer = async (answer: TextAnswer, provider: ProviderCall, completion: Completion): Promise<HttpResult> => {
  const { call, id, created, base } = answer;
  const settled = await call.payment.finalize(outcomeOf(owed(answer, completion, 'finished')));
  const headers = { 'x-compose-response-id': id, ...answerHeaders(provider, call.surface, call.model), ...(call.surface === 'native' ? settled.headers : {}) };
  const status = statusOf(completion);
  const body =
    call.request.api === 'chat'
      ? { ...toChatCompletion({ id, created, model: call.model.publicId }, completion), ...receiptField(answer, settled) }
      : buildResponseObject(base, completion, status, undefined, receiptField(answer, settled));
  // Charged already: a record that cannot be written must not cost the caller the answer it paid for.
  await answer.record.write(completion, status, body as Record<string, unknown>);
  const result = json(200, body, headers);
  await call.onFinished?.({ statusCode: 200, headers: result.headers!, body: result.body as string });
  return result;
};

const toUpstreamError = (error: StreamError): UpstreamError => new UpstreamError(error.status && error.status >= 400 ? error.status : 502, error.code, error.message);

// Step 2b: `stream: true`. The paid-stream engine with the API's frames, the output cap and the stored record.

const streamAnswer = (answer: TextAnswer): Promise<HttpResult> => {
  const { call, services, record, id, created, base } = answer;
  const { request, http, model, surface } = call;
  const stream = textStream({
    frames: request.api === 'chat' ? createChatChunkSerializer({ id, created, model: model.publicId }, request.includeUsage) : createResponsesEventSerializer(base),
    cap: createOutputCap(call.outputCap),
    record,
    base,
    cancelled: CANCELLED,
    extras: (settled) => receiptField(answer, settled),
  });
  return runPaidStream<StreamPart>({
    http,
    payment: call.payment,
    model,
    surface,
    // Responses streams carry `compose.*` events only on request (their receipt is in `response.completed`).
    composeEvents: composeEventsOn(surface, request.api, http.headers),
    heartbeatMs: services.settings.heartbeatMs,
    deadlineMs: services.settings.deadlineMs,
    headers: { 'x-compose-response-id': id },
    open: (options) => services.adapterFor(model.provider).stream(answer.canonical, withUsage(options)),
    serializer: stream.serializer,
    meter: (end) => owed(answer, stream.completion(), end),
    errors: TEXT_STREAM_ERRORS,
    receiptFrame: (receipt) => receiptFrame(request.api, receipt),
    ...(record.cancellable
      ? { cancel: { requested: record.cancelRequested, claim: record.claim, pollMs: services.settings.cancelPollMs, error: CANCELLED, context: { responseId: id } } }
      : {}),
    openFailed: recordFailure(answer),
    // The id goes out in the headers, so it must already name a record that cancel and retrieve can find. The
    // write ran alongside the upstream call; by the provider's first byte this wait is normally over.
    ready: record.ready,
    onFinished: call.onFinished,
    onAbandoned: call.onAbandoned,
  });
};

/**
 * Sent after `[DONE]`, where OpenAI SDKs have stopped reading. Parsers that read on (the Vercel AI SDK) get a
 * chunk-shaped frame on chat streams (empty `choices`) and a typed event on Responses streams, which they skip.
 */
export const receiptFrame = (api: TextRequest['api'], receipt: ReceiptBody): string =>
  api === 'chat' ? eventFrame('compose.receipt', { object: 'compose.receipt', choices: [], ...receipt }) : receiptEventFrame(receipt);
