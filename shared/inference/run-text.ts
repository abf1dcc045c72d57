import { Readable } from 'node:stream';
import type { CanonicalMessage, CanonicalRequest, StreamError, StreamPart } from '../../layers/providers/types.ts';
import type { Caller } from '../auth/caller.ts';
import { UpstreamError } from '../errors.ts';
import type { HttpRequest } from '../http/request.ts';
import { json, type HttpResult } from '../http/response.ts';
import { DONE_FRAME, HEARTBEAT_FRAME, SSE_HEADERS } from '../sse/encode.ts';
import { HEARTBEAT, withHeartbeat } from '../sse/heartbeat.ts';
import type { StoredStatus } from '../stores/responses.ts';
import { accumulate, createAccumulator, type Completion } from './accumulate.ts';
import { createChatChunkSerializer, toChatCompletion } from './chat/serialize.ts';
import { assistantTurn } from './conversation.ts';
import type { FrameSerializer } from './frames.ts';
import { newChatCompletionId, newResponseId } from './ids.ts';
import { fromInputItems } from './request/responses-input.ts';
import type { TextRequest } from './request/text-request.ts';
import { buildResponseObject, statusOf, type ResponseBase } from './responses/output.ts';
import { createResponsesEventSerializer } from './responses/serialize.ts';
import type { ResolvedModel, TextServices } from './services.ts';
import { diagnosticHeaders, streamErrorFrame, type Surface } from './surface.ts';

/** Called once with the whole answer when it is finished, e.g. to keep it for idempotent replays. */
export type OnFinished = (result: { statusCode: number; headers: Record<string, string>; body: string }) => Promise<void>;

export interface TextCall {
  readonly http: HttpRequest;
  readonly request: TextRequest;
  readonly caller: Caller;
  readonly onFinished?: OnFinished;
  /** Defaults to native. */
  readonly surface?: Surface;
}

class CancelledError extends Error {
  override readonly name = 'CancelledError';
}

const CANCELLED: StreamError = { code: 'response_cancelled', message: 'The response was cancelled.' };

const toUpstreamError = (error: StreamError): UpstreamError => new UpstreamError(error.status && error.status >= 400 ? error.status : 502, error.code, error.message);

const routingHeaders = (model: ResolvedModel, attempts: number): Record<string, string> => ({
  'x-routing-primary-model': model.publicId,
  'x-routing-final-model': model.publicId,
  'x-routing-attempts': String(attempts),
  'x-routing-fallback-used': 'false',
});

const clampTokens = (asked: number | undefined, limit: number | undefined): number | undefined =>
  asked === undefined ? undefined : limit ? Math.min(asked, limit) : asked;

/** Resolves the model, rebuilds history, and serves one text generation in the API shape the request came in. */
export const serveText = async (call: TextCall, services: TextServices): Promise<HttpResult> => {
  const { request, caller, http } = call;
  const surface = call.surface ?? 'native';
  const model = services.resolveTextModel(request.model, request.provider);
  const history = request.previousResponseId ? (await services.responses.get(request.previousResponseId, caller.id)).conversation : [];
  const input: readonly CanonicalMessage[] = request.api === 'responses' ? fromInputItems(request.inputItems) : request.canonical.messages;
  const instructions: CanonicalMessage[] = request.instructions ? [{ role: 'system', content: request.instructions }] : [];
  const canonical: CanonicalRequest = {
    ...request.canonical,
    model: model.wireModel,
    messages: [...instructions, ...history, ...input],
    maxOutputTokens: clampTokens(request.canonical.maxOutputTokens, model.maxOutputTokens),
  };

  const id = request.api === 'responses' ? newResponseId() : newChatCompletionId();
  const created = Math.floor(Date.now() / 1000);
  const storing = request.api === 'responses' && request.store;
  // The in-progress record is written alongside the upstream call, not before it: it is not on the first-byte path.
  const began = storing ? services.responses.begin(id, caller.id, model.publicId) : undefined;
  began?.catch(() => undefined);

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

  let attempts = 1;
  const controller = new AbortController();
  const signal = AbortSignal.any([controller.signal, AbortSignal.timeout(services.settings.deadlineMs)]);
  const options = { signal, requestId: http.requestId, includeUsage: true, onRetry: () => void (attempts += 1) };
  const adapter = services.adapterFor(model.provider);

  const failBeforeFirstByte = async (error: unknown): Promise<never> => {
    const completion = { ...accumulate([]), error: { code: (error as UpstreamError).code ?? 'upstream_error', message: (error as Error).message } };
    await record(completion, 'failed', buildResponseObject(base, completion, 'failed')).catch(() => undefined);
    throw error;
  };

  if (!request.stream) {
    const parts = await adapter.generate(canonical, options).catch(failBeforeFirstByte);
    const completion = accumulate(parts);
    if (completion.error) return failBeforeFirstByte(toUpstreamError(completion.error));
    const headers = { 'x-compose-response-id': id, ...routingHeaders(model, attempts), ...diagnosticHeaders(surface, model) };
    const status = statusOf(completion);
    const body = request.api === 'chat' ? toChatCompletion({ id, created, model: model.publicId }, completion) : buildResponseObject(base, completion, status);
    await record(completion, status, body as Record<string, unknown>);
    const result = json(200, body, headers);
    await call.onFinished?.({ statusCode: 200, headers: result.headers!, body: result.body as string });
    return result;
  }

  const parts = await adapter.stream(canonical, options).catch(failBeforeFirstByte);
  const serializer: FrameSerializer =
    request.api === 'chat' ? createChatChunkSerializer({ id, created, model: model.publicId }, request.includeUsage) : createResponsesEventSerializer(base);
  const headers = { ...SSE_HEADERS, 'x-compose-response-id': id, ...routingHeaders(model, attempts), ...diagnosticHeaders(surface, model) };

  async function* frames(): AsyncGenerator<string> {
    const transcript: string[] | undefined = call.onFinished ? [] : undefined;
    const emit = function* (list: Iterable<string>) {
      for (const frame of list) {
        transcript?.push(frame);
        yield frame;
      }
    };
    const acc = createAccumulator();
    const poll = storing ? watchForCancel(id, services, controller) : undefined;
    try {
      yield* emit(serializer.start?.() ?? []);
      const fail = (error: StreamError): void => {
        const part: StreamPart = { type: 'error', error };
        acc.add(part);
        serializer.part(part);
      };
      try {
        for await (const part of withHeartbeat<StreamPart>(parts, services.settings.heartbeatMs)) {
          if (part === HEARTBEAT) {
            yield HEARTBEAT_FRAME;
            continue;
          }
          acc.add(part);
          yield* emit(serializer.part(part));
          if (part.type === 'error') break;
        }
      } catch (error) {
        fail(controller.signal.reason instanceof CancelledError ? CANCELLED : streamErrorOf(error, signal));
      }
      if (controller.signal.reason instanceof CancelledError && acc.result().error !== CANCELLED) fail(CANCELLED);
      const completion = acc.result();
      yield* emit(serializer.end());
      if (completion.error) {
        yield* emit([streamErrorFrame(surface, completion.error)]);
      }
      yield* emit([DONE_FRAME]);
      const status: StoredStatus = completion.error === CANCELLED ? 'cancelled' : statusOf(completion);
      await record(completion, status, buildResponseObject(base, completion, status));
      await call.onFinished?.({ statusCode: 200, headers, body: transcript!.join('') });
    } finally {
      poll?.stop();
      // Whether finished, failed or abandoned by the client: nothing upstream may keep running.
      controller.abort();
    }
  }

  return { statusCode: 200, headers, body: Readable.from(frames(), { objectMode: false }) };
};

const streamErrorOf = (error: unknown, signal: AbortSignal): StreamError =>
  signal.aborted && signal.reason instanceof DOMException && signal.reason.name === 'TimeoutError'
    ? { code: 'generation_timeout', message: 'The generation exceeded its time limit.' }
    : { code: 'upstream_stream_error', message: 'The provider stream failed.' };

/** Lambda instances share nothing, so a cancel reaches the generating instance through the stored record. */
const watchForCancel = (id: string, services: TextServices, controller: AbortController) => {
  const timer = setInterval(() => {
    services.responses
      .status(id)
      .then((status) => {
        if (status === 'cancelled') controller.abort(new CancelledError());
      })
      .catch(() => undefined);
  }, services.settings.cancelPollMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
};
