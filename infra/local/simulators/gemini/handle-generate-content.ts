/**
 * One generateContent or streamGenerateContent call, shared by the Gemini and Vertex simulators:
 * parse → validate → model checks → faults → reply → JSON, a JSON array, or SSE (`data: {response}` per
 * chunk, no `[DONE]`).
 */
import type { ServerResponse } from 'node:http';
import { dataFrame } from '../../../../shared/sse/encode.ts';
import { buildResponses } from './build-responses.ts';
import { composeReply, isThinkingModel, textOf } from './compose-reply.ts';
import { faultSpec, OnceTracker, parseFaults } from './faults.ts';
import { googleError, isGoogleError, retryInfo, type GoogleError } from './google-error.ts';
import { delay, sendGoogleError, sendJson } from './http-io.ts';
import { camelizeRequest, type SimRequest } from './sim-request.ts';
import { countPrompt, PromptCache } from './tokens.ts';
import { validateRequest, type ValidationRules } from './validate-request.ts';

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
  readonly path: string;
  readonly model: string;
  readonly stream: boolean;
  /** `alt=sse`; without it a stream is a JSON array written as it grows. */
  readonly sse: boolean;
  readonly rawBody: string;
  readonly faultHeader: string | undefined;
  readonly dialect: 'gemini' | 'vertex';
  readonly notFoundMessage: string;
}

const FAULT_ERRORS: Record<429 | 500 | 503, () => GoogleError> = {
  429: () => googleError(429, 'Resource has been exhausted (e.g. check quota).', [retryInfo('0s')]),
  500: () => googleError(500, 'An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting'),
  503: () => googleError(503, 'The model is overloaded. Please try again later.'),
};

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
  const request = validateRequest(body, { roleRequired: call.dialect === 'vertex', signaturesRequired: /gemini-3/.test(call.model) } satisfies ValidationRules);
  checkModel(call, request);
  return request;
};

const writeStream = async (res: ServerResponse, chunks: readonly unknown[], sse: boolean, faults: ReturnType<typeof parseFaults>): Promise<void> => {
  res.writeHead(200, sse ? { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' } : { 'content-type': 'application/json; charset=UTF-8' });
  const frame = (chunk: unknown, index: number): string => (sse ? dataFrame(chunk) : `${index === 0 ? '[' : ',\r\n'}${JSON.stringify(chunk)}`);
  const broken = faults.midstreamError || faults.malformedChunk;
  const sent = broken ? chunks.slice(0, 1) : faults.truncate ? chunks.slice(0, Math.max(1, chunks.length - 1)) : chunks;
  for (const [index, chunk] of sent.entries()) {
    res.write(frame(chunk, index));
    await new Promise((resolve) => setImmediate(resolve));
  }
  if (faults.midstreamError) res.write(dataFrame(FAULT_ERRORS[500]().body));
  if (faults.malformedChunk) res.write('data: {"candidates": [{"content": \n\n');
  if (!sse && !broken && !faults.truncate) res.write(']');
  res.end();
};

export const handleGenerateContent = async (res: ServerResponse, call: GenerateContentCall, state: SimulatorState): Promise<void> => {
  try {
    const request = parse(call, state);
    const faults = parseFaults(faultSpec(call.faultHeader, textOf(request.contents.at(-1))));
    if (faults.slowMs) await delay(faults.slowMs, res);
    if (res.destroyed) return;
    if (faults.status && (!faults.once || state.once.first(call.path, call.rawBody))) throw FAULT_ERRORS[faults.status]();
    if (!call.stream && faults.midstreamError) throw FAULT_ERRORS[500]();

    const reply = composeReply(request, call.model, faults.contentFilter);
    const context = {
      model: call.model,
      promptTokens: countPrompt(request),
      cachedTokens: state.cache.cachedTokens(request),
      ...(call.dialect === 'vertex' ? { createTime: new Date().toISOString() } : {}),
    };
    const chunks = buildResponses(reply, context, call.stream);
    if (call.stream) await writeStream(res, chunks, call.sse, faults);
    else sendJson(res, 200, chunks[0]);
  } catch (error) {
    if (isGoogleError(error)) sendGoogleError(res, error);
    else sendGoogleError(res, googleError(500, 'An internal error has occurred.'));
  }
};
