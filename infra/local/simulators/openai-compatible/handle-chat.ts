/**
 * One chat completions request, after routing and auth: faults first (as a flaky provider fails before it
 * looks at the body), then validation, then the reply, complete or streamed.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';
import { completionBody, pieces, type ResponseIdentity, type SimUsage } from './build-responses.ts';
import { composeReply, limitReply } from './compose-reply.ts';
import { faultSpecs, parseFaults, splitModelFaults, type Faults, type OnceTracker } from './faults.ts';
import type { Flavor } from './flavors.ts';
import { parseJson, sendJson } from './http-io.ts';
import { invalidRequest, statusError, type SimError } from './sim-error.ts';
import { isObject, lastUserText, type SimMessage, type SimRequest } from './sim-request.ts';
import { countPrompt, countText, type PromptCache } from './tokens.ts';
import { validateRequest } from './validate-request.ts';
import { writeStream } from './write-stream.ts';

export interface ChatContext {
  readonly flavor: Flavor;
  readonly once: OnceTracker;
  readonly cache: PromptCache;
  readonly requestId: string;
  readonly path: string;
  /** The model named by the path (Azure deployment). */
  readonly pathModel: string | undefined;
  readonly defaultChunks: Faults['chunks'];
}

const sendError = (res: ServerResponse, context: ChatContext, error: SimError): void =>
  sendJson(res, error.status, context.flavor.renderError(error, context.requestId), { 'x-request-id': context.requestId, ...error.headers });

/** Reads faults from the header, the last user message and a `+fault` model suffix, without validating. */
const readFaults = (req: IncomingMessage, body: unknown, model: string): { readonly faults: Faults; readonly model: string } => {
  const messages = isObject(body) && Array.isArray(body['messages']) ? (body['messages'].filter(isObject) as unknown as SimMessage[]) : [];
  const split = splitModelFaults(model);
  const header = req.headers['x-sim-fault'];
  return { faults: parseFaults(faultSpecs(typeof header === 'string' ? header : undefined, lastUserText(messages), split.spec)), model: split.model };
};

/** Answers a fault before the reply; true when the request is fully handled. */
const applyEarlyFault = async (req: IncomingMessage, res: ServerResponse, context: ChatContext, faults: Faults, rawBody: string): Promise<boolean> => {
  const blocking = faults.status !== undefined || faults.timeout || faults.stall || faults.drop;
  const clientRequestId = req.headers['x-client-request-id'];
  if (blocking && (!faults.once || context.once.first(typeof clientRequestId === 'string' ? clientRequestId : undefined, context.path, rawBody))) {
    if (faults.timeout) return true; // never answer; the client's timeout (or close()) ends it
    if (faults.drop) {
      req.socket.destroy();
      return true;
    }
    if (faults.stall) {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.flushHeaders();
      return true;
    }
    sendError(res, context, statusError(faults.status ?? 500, faults.retryAfterSeconds));
    return true;
  }
  if (faults.slowMs) await delay(faults.slowMs);
  if (faults.contentFilter) {
    sendError(res, context, context.flavor.contentFilterError());
    return true;
  }
  if (faults.leak) {
    const key = req.headers['authorization'] ?? req.headers['api-key'] ?? '';
    sendError(res, context, invalidRequest(`Upstream rejected the call to https://internal.sim.example.com/v1/route?key=abc using ${String(key)} (api-key: ${String(key)}).`));
    return true;
  }
  return false;
};

/** DashScope: thinking answers must be streamed. */
const providerRules = (context: ChatContext, request: SimRequest): SimError | undefined => {
  if (context.flavor.name !== 'alibaba' || request.stream) return undefined;
  if (request.enableThinking === true) return invalidRequest('parameter.enable_thinking must be set to false for non-streaming calls', null, 'invalid_parameter_error');
  if (/qwq|thinking/i.test(request.model)) return invalidRequest('This model only support stream mode, please enable the stream parameter to access the model.', null, 'invalid_parameter_error');
  return undefined;
};

const usageFor = (context: ChatContext, request: SimRequest, body: Record<string, unknown>, reasoning: string, output: string): SimUsage => {
  const messages = request.messages as unknown as Record<string, unknown>[];
  const promptTokens = countPrompt(messages, body['tools']);
  const reasoningTokens = countText(reasoning);
  return {
    promptTokens,
    completionTokens: countText(output) + reasoningTokens,
    reasoningTokens,
    cachedTokens: context.cache.cachedTokens(messages, body['tools'], promptTokens),
  };
};

export const handleChat = async (req: IncomingMessage, res: ServerResponse, context: ChatContext, rawBody: string): Promise<void> => {
  const parsed = parseJson(rawBody);
  if (!parsed.ok) return sendError(res, context, invalidRequest('We could not parse the JSON body of your request. The API expects a JSON payload.'));
  const body = isObject(parsed.value) ? { ...parsed.value } : parsed.value;
  const namedModel = context.pathModel ?? (isObject(body) && typeof body['model'] === 'string' ? body['model'] : '');
  const { faults, model } = readFaults(req, body, namedModel);
  if (await applyEarlyFault(req, res, context, faults, rawBody)) return;

  if (isObject(body) && context.pathModel === undefined && typeof body['model'] === 'string') body['model'] = model;
  const request = validateRequest(body, context.flavor, context.pathModel === undefined ? undefined : model);
  if ('status' in request) return sendError(res, context, request);
  const refused = context.flavor.unknownModel(request.model) ?? providerRules(context, request);
  if (refused) return sendError(res, context, refused);

  const limited = limitReply(composeReply(request, context.flavor.name, context.requestId), request, countText);
  // An explicit `chunks:` fault answers that many characters whatever the token limit says, streamed or not: a
  // provider that ignores `max_tokens` (the gateway must cut it at the cap it held for).
  const reply = !request.stream && faults.chunks && limited.content !== null ? { ...limited, content: pieces(limited.content, faults.chunks).join('') } : limited;
  const chunking = request.stream ? (faults.chunks ?? context.defaultChunks) : faults.chunks;
  // With load-test chunking the streamed text is synthetic; usage follows what is actually sent.
  const text = chunking !== undefined && reply.content !== null ? 'x'.repeat(chunking.count * chunking.size) : (reply.content ?? '');
  const output = text + reply.toolCalls.map((call) => call.name + call.arguments).join('');
  const usage = usageFor(context, request, body as Record<string, unknown>, reply.reasoning, output);
  const identity: ResponseIdentity = {
    id: `chatcmpl-${context.requestId}`,
    created: Math.floor(Date.now() / 1000),
    model: request.model,
    azure: context.flavor.name === 'azure',
  };
  if (!request.stream) return sendJson(res, 200, completionBody(identity, reply, usage), { 'x-request-id': context.requestId });
  await writeStream(res, identity, reply, usage, request.includeUsage, chunking ? { ...faults, chunks: chunking } : faults);
};

