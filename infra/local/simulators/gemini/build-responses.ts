/**
 * A reply → GenerateContentResponse bodies: one for generateContent, several for a stream (thoughts, then
 * the answer a few words at a time, usage complete only on the last chunk, as the real API reports it).
 */
import { randomBytes } from 'node:crypto';
import type { OutputPart, Reply } from './compose-reply.ts';
import { countParts } from './tokens.ts';

export interface ResponseContext {
  readonly model: string;
  readonly promptTokens: number;
  readonly cachedTokens: number;
  /** Vertex stamps each response with its creation time. */
  readonly createTime?: string;
  /** How many words each streamed text chunk carries. */
  readonly wordsPerChunk?: number;
}

type Body = Record<string, unknown>;

const SAFETY_RATINGS = [
  { category: 'HARM_CATEGORY_HATE_SPEECH', probability: 'NEGLIGIBLE' },
  { category: 'HARM_CATEGORY_DANGEROUS_CONTENT', probability: 'HIGH', blocked: true },
  { category: 'HARM_CATEGORY_HARASSMENT', probability: 'NEGLIGIBLE' },
  { category: 'HARM_CATEGORY_SEXUALLY_EXPLICIT', probability: 'NEGLIGIBLE' },
];

const splitText = (text: string, wordsPerChunk: number): string[] => {
  const words = text.split(/(?<=\s)/);
  const chunks: string[] = [];
  for (let i = 0; i < words.length; i += wordsPerChunk) chunks.push(words.slice(i, i + wordsPerChunk).join(''));
  return chunks;
};

export const buildResponses = (reply: Reply, context: ResponseContext, stream: boolean): Body[] => {
  const envelope = { modelVersion: context.model, responseId: randomBytes(12).toString('base64url'), ...(context.createTime ? { createTime: context.createTime } : {}) };
  const promptUsage = {
    promptTokenCount: context.promptTokens,
    totalTokenCount: context.promptTokens,
    ...(context.cachedTokens > 0 ? { cachedContentTokenCount: context.cachedTokens } : {}),
  };
  if (reply.kind === 'blocked') return [{ promptFeedback: { blockReason: reply.blockReason, safetyRatings: SAFETY_RATINGS }, usageMetadata: promptUsage, ...envelope }];

  const candidatesTokens = countParts(reply.parts);
  const usage = {
    ...promptUsage,
    candidatesTokenCount: candidatesTokens,
    ...(reply.thinkingTokens > 0 ? { thoughtsTokenCount: reply.thinkingTokens } : {}),
    totalTokenCount: context.promptTokens + candidatesTokens + reply.thinkingTokens,
  };
  const thoughtParts: OutputPart[] = reply.includeThoughts && reply.thoughts ? [{ text: reply.thoughts, thought: true }] : [];
  const finish = { finishReason: reply.finishReason, ...(reply.finishReason === 'SAFETY' ? { safetyRatings: SAFETY_RATINGS } : {}) };
  const candidate = (parts: readonly OutputPart[], last: boolean): Body => ({
    ...(parts.length > 0 ? { content: { role: 'model', parts } } : {}),
    ...(last ? finish : {}),
    index: 0,
  });

  if (!stream) return [{ candidates: [candidate([...thoughtParts, ...reply.parts], true)], usageMetadata: usage, ...envelope }];

  const pieces: OutputPart[][] = thoughtParts.map((part) => [part]);
  const calls = reply.parts.filter((part) => 'functionCall' in part);
  if (calls.length > 0) pieces.push(calls);
  for (const part of reply.parts) {
    if (!('text' in part)) continue;
    const chunks = splitText(part.text, context.wordsPerChunk ?? 3).map((text): OutputPart[] => [{ text }]);
    // Streamed, the signature rides on a last part of its own with empty text, as Gemini sends it.
    if (part.thoughtSignature) chunks.push([{ text: '', thoughtSignature: part.thoughtSignature }]);
    pieces.push(...chunks);
  }
  if (pieces.length === 0) pieces.push([]);
  return pieces.map((parts, index) => {
    const last = index === pieces.length - 1;
    return { candidates: [candidate(parts, last)], usageMetadata: last ? usage : promptUsage, ...envelope };
  });
};

