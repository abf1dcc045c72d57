/**
 * One generateContent or streamGenerateContent call, shared by the Gemini and Vertex simulators:
 * parse → validate → model checks → faults → reply → JSON, a JSON array, or SSE (`data: {response}` per
 * chunk, no `[DONE]`). Fault vocabulary: the OpenAI-compatible simulator's (see README.md).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { dataFrame } from '../../../../layers/core/sse/encode.ts';
import { faultSpecs, OnceTracker, parseFaults, type Faults } from '../openai-compatible/faults.ts';
import { buildResponses } from './build-responses.ts';
import { composeReply, isThinkingModel, textOf } from './compose-reply.ts';
import { googleError, isGoogleError, statusError } from './google-error.ts';
import { delay, sendGoogleError, sendJson } from './http-io.ts';
import { camelizeRequest, type SimRequest } from './sim-request.ts';
import { countPrompt, PromptCache } from './tokens.ts';
import { validateRequest } from './validate-request.ts';

export interface RecordedRequest {
  readonly path: string;
  readonly model: string;
  readonly body: unknown;
}

export class SimulatorState {
  readonly once = new OnceTracker();
  readonly cache = new PromptCache();
  readonly requests: RecordedRequest[] = [];
}

export interface GenerateContentCall {
  readonly req: IncomingMessage;
  readonly path: string;
  readonly model: string;
  /** Faults named by a `+<faults>` suffix on the model id. */
  readonly modelFaults: string | undefined;
  readonly stream: boolean;
  /** `alt=sse`; without it a stream is a JSON array written as it grows. */
  readonly sse: boolean;
  readonly rawBody: string;
  /** The caller's key or token, echoed only by the `leak` fault. */
  readonly credential: string;
  readonly dialect: 'gemini' | 'vertex';
  readonly notFoundMessage: string;
}

const checkModel = (call: GenerateContentCall, request: SimRequest): void => {
  if (!/^gemini-[\w.-]+$/.test(call.model)) throw googleError(404, call.notFoundMessage);
  if (call.model.includes('-pro') && isThinkingModel(call.model) && request.generationConfig?.thinkingConfig?.thinkingBudget === 0) {
    throw googleError(400, 'Budget 0 is invalid. This model only works in thinking mode.');
  }
};

const parse = (call: GenerateContentCall, state: SimulatorState): SimRequest => {
  let raw: unknown;
  try {
    raw = JSON.parse(call.rawBody);
  } catch {
    throw googleError(400, 'Invalid JSON payload received. Unexpected token.');
  }
  const body = camelizeRequest(raw);
  state.requests.push({ path: call.path, model: call.model, body });
  const request = validateRequest(body, { roleRequired: call.dialect === 'vertex', signaturesRequired: /gemini-3/.test(call.model) });
  checkModel(call, request);
  return request;
};

/** Faults that end the exchange before any answer. True when the response is already dealt with. */
const answerFailure = async (res: ServerResponse, call: GenerateContentCall, faults: Faults, firstAttempt: boolean): Promise<boolean> => {
  const failing = !faults.once || firstAttempt;
  if (failing && faults.drop) {
    call.req.socket.destroy();
    return true;
  }
  if (failing && (faults.timeout || faults.stall)) {
    if (faults.stall) res.writeHead(200, { 'content-type': call.sse ? 'text/event-stream' : 'application/json; charset=UTF-8' }).flushHeaders();
    await new Promise((resolve) => res.once('close', resolve));
    return true;
  }
  if (failing && faults.status !== undefined) throw statusError(faults.status, faults.retryAfterSeconds);
  if (faults.leak) {
    throw googleError(400, `Request to https://${call.dialect === 'vertex' ? 'us-central1-aiplatform' : 'generativelanguage'}.googleapis.com${call.path} with key ${call.credential} was rejected.`);
  }
  return false;
};

const writeStream = async (res: ServerResponse, chunks: readonly unknown[], sse: boolean, faults: Faults): Promise<void> => {
  res.writeHead(200, sse ? { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' } : { 'content-type': 'application/json; charset=UTF-8' });
  const frame = (chunk: unknown, index: number): string => (sse ? dataFrame(chunk) : `${index === 0 ? '[' : ',\r\n'}${JSON.stringify(chunk)}`);
  const broken = faults.midstreamError || faults.malformedChunk || faults.midstreamDrop;
  const sent = broken ? chunks.slice(0, 1) : faults.truncate ? chunks.slice(0, Math.max(1, chunks.length - 1)) : chunks;
  for (const [index, chunk] of sent.entries()) {
    if (res.destroyed) return;
    res.write(frame(chunk, index));
    if (faults.chunkDelayMs) await delay(faults.chunkDelayMs, res);
    else await new Promise((resolve) => setImmediate(resolve));
  }
  if (faults.midstreamDrop) return void res.socket?.destroy();
  if (faults.midstreamError) res.write(dataFrame(statusError(500, undefined).body));
  if (faults.malformedChunk) res.write('data: {"candidates": [{"content": \n\n');
  if (!sse && !broken && !faults.truncate) res.write(']');
  res.end();
};

export const handleGenerateContent = async (res: ServerResponse, call: GenerateContentCall, state: SimulatorState): Promise<void> => {
  try {
    const request = parse(call, state);
    const header = call.req.headers['x-sim-fault'];
    const faults = parseFaults(faultSpecs(typeof header === 'string' ? header : undefined, textOf(request.contents.at(-1)), call.modelFaults));
    const requestId = call.req.headers['x-client-request-id'];
    const firstAttempt = !faults.once || state.once.first(typeof requestId === 'string' ? requestId : undefined, call.path, call.rawBody);
    if (faults.slowMs) await delay(faults.slowMs, res);
    if (res.destroyed || (await answerFailure(res, call, faults, firstAttempt))) return;
    if (!call.stream && faults.midstreamError) throw statusError(500, undefined);

    const reply = composeReply(request, call.model, faults);
    const context = {
      model: call.model,
      promptTokens: countPrompt(request),
      cachedTokens: state.cache.cachedTokens(request),
      ...(call.dialect === 'vertex' ? { createTime: new Date().toISOString() } : {}),
      ...(faults.chunks ? { wordsPerChunk: 1 } : {}),
    };
    const chunks = buildResponses(reply, context, call.stream);
    if (call.stream) await writeStream(res, chunks, call.sse, faults);
    else sendJson(res, 200, chunks[0]);
  } catch (error) {
    if (res.headersSent) res.destroy();
    else if (isGoogleError(error)) sendGoogleError(res, error);
    else sendGoogleError(res, googleError(500, 'An internal error has occurred.'));
  }
};
