/**
 * Stage two of a Gemini stream: parsed chunks (each a whole GenerateContentResponse) → canonical parts.
 * State lives in the closure; `flush` emits usage (the last chunk's cumulative counts) and `finish`.
 * Malformed chunks and in-stream error objects become `error` parts, never exceptions.
 */
import type { EventStage } from '../../core/sse/decode.ts';
import type { FinishReason, StreamPart } from '../types.ts';
import { UPSTREAM_CODES } from '../http/upstream-error.ts';
import { parseGoogleErrorBody, streamErrorFromBody } from './errors.ts';
import { mapFinishReason } from './finish-reason.ts';
import { newToolCallId } from './tool-call-id.ts';
import { convertUsage } from './usage.ts';
import { generateContentResponseSchema, type GenerateContentResponse, type GeminiResponsePart, type GeminiUsageMetadata } from './wire.ts';

/*
 * A hand-written check of a chunk against `generateContentResponseSchema`'s rules, run before zod on every chunk:
 * zod's generic walk (and its copy of every object) was the largest cost per chunk, the stage needs a yes or no and
 * reads only the fields the schema names. It only ever accepts: what it does not accept goes to the schema, which
 * stays the authority (test/unit/providers-gemini-chunk-check.test.ts pins that both agree).
 */
type Fields = Record<string, unknown>;
const isObject = (value: unknown): value is Fields => typeof value === 'object' && value !== null && !Array.isArray(value);
// `optional` in the schema: absent or undefined, never null.
const optionalString = (value: unknown): boolean => value === undefined || typeof value === 'string';
const optionalCount = (value: unknown): boolean => value === undefined || (Number.isSafeInteger(value) && (value as number) >= 0);
const allOf = (values: unknown, check: (value: unknown) => boolean): boolean => {
  if (!Array.isArray(values)) return false;
  for (let i = 0; i < values.length; i++) if (!check(values[i])) return false;
  return true;
};
const isFunctionCall = (value: unknown): boolean => isObject(value) && typeof value['name'] === 'string' && (value['args'] == null || isObject(value['args']));
const isPart = (value: unknown): boolean =>
  isObject(value) &&
  optionalString(value['text']) &&
  (value['thought'] === undefined || typeof value['thought'] === 'boolean') &&
  optionalString(value['thoughtSignature']) &&
  (value['functionCall'] === undefined || isFunctionCall(value['functionCall'])) &&
  (value['inlineData'] === undefined || (isObject(value['inlineData']) && typeof value['inlineData']['mimeType'] === 'string' && typeof value['inlineData']['data'] === 'string'));
const isContent = (value: unknown): boolean => value === undefined || (isObject(value) && optionalString(value['role']) && (value['parts'] === undefined || allOf(value['parts'], isPart)));
const isCandidate = (value: unknown): boolean =>
  isObject(value) &&
  isContent(value['content']) &&
  optionalString(value['finishReason']) &&
  optionalString(value['finishMessage']) &&
  (value['index'] === undefined || Number.isSafeInteger(value['index']));
const USAGE_COUNTS = ['promptTokenCount', 'candidatesTokenCount', 'thoughtsTokenCount', 'cachedContentTokenCount', 'toolUsePromptTokenCount', 'totalTokenCount'];
const isUsage = (value: unknown): boolean => value === undefined || (isObject(value) && USAGE_COUNTS.every((key) => optionalCount(value[key])));
const isFeedback = (value: unknown): boolean => value === undefined || (isObject(value) && optionalString(value['blockReason']) && optionalString(value['blockReasonMessage']));

/** True when `value` is certainly a chunk the schema accepts; the stage reads only the fields the schema names. */
export const isGenerateContentChunk = (value: unknown): value is GenerateContentResponse =>
  isObject(value) &&
  (value['candidates'] === undefined || allOf(value['candidates'], isCandidate)) &&
  isFeedback(value['promptFeedback']) &&
  isUsage(value['usageMetadata']) &&
  optionalString(value['modelVersion']) &&
  optionalString(value['responseId']) &&
  optionalString(value['createTime']);

const readChunk = (value: unknown): GenerateContentResponse | undefined => {
  if (isGenerateContentChunk(value)) return value;
  const parsed = generateContentResponseSchema().safeParse(value);
  return parsed.success ? parsed.data : undefined;
};

/** Only an object with an `error` key can be Google's error body: the rest skip its schema. */
const mayBeErrorBody = (value: unknown): boolean => typeof value === 'object' && value !== null && 'error' in value;

/**
 * The stage's transformer, which `decodeJsonSse` runs in place on a stream's body (no web-stream hop per chunk) and
 * `runEventStage` on a whole answer's one parsed body. `knownSecrets`: the credential in use, redacted from any
 * error message the provider streams.
 */
export const geminiStreamStage = (knownSecrets: readonly string[] = []): EventStage<unknown, StreamPart> => {
  let metadataSent = false;
  let toolCallCount = 0;
  let finishRaw: string | undefined;
  let blockReason: string | undefined;
  let failed = false;
  let usage: GeminiUsageMetadata | undefined;
  const warned = new Set<string>();

  const fail = (controller: TransformStreamDefaultController<StreamPart>, part: Extract<StreamPart, { type: 'error' }>): void => {
    failed = true;
    controller.enqueue(part);
  };

  const emitPart = (part: GeminiResponsePart, controller: TransformStreamDefaultController<StreamPart>): void => {
    if (part.functionCall) {
      controller.enqueue({
        type: 'tool-call-delta',
        index: toolCallCount++,
        id: newToolCallId(part.thoughtSignature),
        name: part.functionCall.name,
        argumentsDelta: JSON.stringify(part.functionCall.args ?? {}),
      });
      return;
    }
    if (part.text !== undefined && part.text !== '') {
      controller.enqueue(part.thought ? { type: 'reasoning-delta', delta: part.text } : { type: 'text-delta', delta: part.text });
    } else if (part.text === undefined) {
      const kind = part.inlineData ? 'inlineData' : part.executableCode ? 'executableCode' : part.codeExecutionResult ? 'codeExecutionResult' : undefined;
      if (kind && !warned.has(kind)) {
        warned.add(kind);
        controller.enqueue({ type: 'warning', message: `Gemini returned ${kind} output, which this API does not carry; it was dropped.` });
      }
    }
    // Text parts are signed too (often an empty last part carries it); the turn keeps it for the next call.
    if (part.thoughtSignature) controller.enqueue({ type: 'thought-signature', signature: part.thoughtSignature });
  };

  return {
    transform(event, controller) {
      if (!event.ok) {
        fail(controller, { type: 'error', error: { code: UPSTREAM_CODES.malformedChunk, message: 'The provider sent a chunk that is not valid JSON.' } });
        return;
      }
      const errorBody = mayBeErrorBody(event.value) ? parseGoogleErrorBody(event.value) : undefined;
      if (errorBody) {
        fail(controller, { type: 'error', error: streamErrorFromBody(errorBody, knownSecrets) });
        return;
      }
      const chunk = readChunk(event.value);
      if (chunk === undefined) {
        fail(controller, { type: 'error', error: { code: UPSTREAM_CODES.malformedChunk, message: 'The provider sent a chunk that does not match the generateContent format.' } });
        return;
      }
      if (!metadataSent && (chunk.responseId || chunk.modelVersion)) {
        metadataSent = true;
        const created = chunk.createTime ? Math.floor(Date.parse(chunk.createTime) / 1000) : Number.NaN;
        controller.enqueue({
          type: 'response-metadata',
          ...(chunk.responseId ? { id: chunk.responseId } : {}),
          ...(chunk.modelVersion ? { model: chunk.modelVersion } : {}),
          ...(Number.isFinite(created) ? { created } : {}),
        });
      }
      if (chunk.usageMetadata) usage = chunk.usageMetadata;
      if (chunk.promptFeedback?.blockReason) blockReason = chunk.promptFeedback.blockReason;
      const candidate = chunk.candidates?.find((c) => (c.index ?? 0) === 0);
      for (const part of candidate?.content?.parts ?? []) emitPart(part, controller);
      if (candidate?.finishReason) finishRaw = candidate.finishReason;
    },

    flush(controller) {
      if (usage) controller.enqueue({ type: 'usage', usage: convertUsage(usage) });
      let unified: FinishReason;
      let raw = finishRaw;
      if (failed) unified = 'error';
      else if (blockReason) {
        unified = 'content_filter';
        raw = blockReason;
      } else if (finishRaw === undefined) {
        // A stream that stops without a finish reason was cut off; closing it as a success would lie.
        controller.enqueue({ type: 'error', error: { code: UPSTREAM_CODES.truncated, message: 'The provider ended the stream before finishing the answer.' } });
        unified = 'error';
      } else unified = mapFinishReason(finishRaw, toolCallCount > 0);
      controller.enqueue({ type: 'finish', finishReason: { unified, ...(raw ? { raw } : {}) } });
    },
  };
};
