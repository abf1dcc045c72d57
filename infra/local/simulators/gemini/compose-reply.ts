/**
 * What the simulated model answers. Deterministic, so tests can assert it:
 * - a prompt containing `SIM_BLOCK_PROMPT` (or the `content-filter` fault) is blocked
 *   (`promptFeedback.blockReason: SAFETY`); `SIM_BLOCK_RESPONSE` (or `content-filter-finish`) stops the
 *   answer with `finishReason: SAFETY`;
 * - the `chunks:<count>x<size>` fault answers with that many chunks of that many characters;
 * - after function responses: a text that reports them;
 * - with function declarations and a mode other than NONE: a call to the first allowed function (to every
 *   declared function when the prompt says "parallel"), with arguments sampled from its schema;
 * - JSON mode: a JSON text satisfying the response schema;
 * - otherwise `Echo: <last user text>`, noting attachments and the turn number.
 * Thinking models (2.5, 3) think unless the budget is 0; thoughts are returned when `includeThoughts`.
 */
import { randomBytes } from 'node:crypto';
import { sampleSchema } from './schema-sample.ts';
import type { SimContent, SimRequest } from './sim-request.ts';

export type OutputPart =
  | { readonly text: string; readonly thought?: true; readonly thoughtSignature?: string }
  | { readonly functionCall: { readonly name: string; readonly args: Record<string, unknown> }; readonly thoughtSignature?: string };

export type Reply =
  | { readonly kind: 'blocked'; readonly blockReason: 'SAFETY' }
  | { readonly kind: 'answer'; readonly thoughts: string; readonly thinkingTokens: number; readonly includeThoughts: boolean; readonly parts: readonly OutputPart[]; readonly finishReason: string };

export const isThinkingModel = (model: string): boolean => /gemini-(2\.5|3)/.test(model);

export const textOf = (content: SimContent | undefined): string =>
  (content?.parts ?? []).flatMap((part) => (part.text !== undefined && !part.thought ? [part.text] : [])).join(' ');

const allText = (request: SimRequest): string => request.contents.map(textOf).join('\n');

const lastUser = (request: SimRequest): SimContent | undefined => request.contents.findLast((content) => content.role !== 'model');

const attachmentsNote = (content: SimContent | undefined): string => {
  const notes = (content?.parts ?? []).flatMap((part) => {
    if (part.inlineData) return [`inline ${part.inlineData.mimeType}`];
    if (part.fileData) return [`file ${part.fileData.mimeType} ${part.fileData.fileUri}`];
    return [];
  });
  return notes.length > 0 ? ` [attachments: ${notes.join('; ')}]` : '';
};

const functionCalls = (request: SimRequest, prompt: string, withSignature: boolean): OutputPart[] | undefined => {
  const mode = request.toolConfig?.functionCallingConfig?.mode ?? 'AUTO';
  const declarations = (request.tools ?? []).flatMap((tool) => tool.functionDeclarations ?? []);
  if (mode === 'NONE' || declarations.length === 0) return undefined;
  const allowed = request.toolConfig?.functionCallingConfig?.allowedFunctionNames;
  const candidates = declarations.filter((declaration) => !allowed || allowed.includes(declaration.name ?? ''));
  const chosen = /\bparallel\b/i.test(prompt) ? candidates : candidates.slice(0, 1);
  return chosen.map((declaration, index) => {
    const schema = declaration.parameters ?? declaration.parametersJsonSchema;
    const args = schema ? (sampleSchema(schema) as Record<string, unknown>) : {};
    const functionCall = { name: declaration.name ?? 'unknown', args };
    // Thinking models sign the first call of a turn; the signature must come back with it.
    return withSignature && index === 0 ? { functionCall, thoughtSignature: randomBytes(24).toString('base64') } : { functionCall };
  });
};

const answerText = (request: SimRequest, prompt: string): string => {
  const last = request.contents.at(-1);
  const results = (last?.parts ?? []).filter((part) => part.functionResponse);
  if (results.length > 0) return `Tool results: ${results.map((part) => `${part.functionResponse?.name} returned ${JSON.stringify(part.functionResponse?.response)}`).join('; ')}.`;
  const config = request.generationConfig;
  if (config?.responseMimeType === 'application/json') {
    const schema = config.responseSchema ?? config.responseJsonSchema;
    return JSON.stringify(schema ? sampleSchema(schema) : { echo: prompt });
  }
  const turn = request.contents.filter((content) => content.role !== 'model').length;
  return `Echo: ${prompt}${attachmentsNote(lastUser(request))}${turn > 1 ? ` (turn ${turn})` : ''}`;
};

/** Cuts at the first stop sequence, then at `maxOutputTokens` words. */
const limit = (text: string, request: SimRequest): { text: string; finishReason: string } => {
  let cut = text;
  for (const stop of request.generationConfig?.stopSequences ?? []) {
    const at = cut.indexOf(stop);
    if (at >= 0) cut = cut.slice(0, at);
  }
  const max = request.generationConfig?.maxOutputTokens;
  const words = cut.split(/(?<=\s)/);
  if (max !== undefined && words.length > max) return { text: words.slice(0, max).join(''), finishReason: 'MAX_TOKENS' };
  return { text: cut, finishReason: 'STOP' };
};

export interface ReplyFaults {
  readonly contentFilter: boolean;
  readonly contentFilterFinish: boolean;
  readonly chunks?: { readonly count: number; readonly size: number };
}

export const composeReply = (request: SimRequest, model: string, faults: ReplyFaults): Reply => {
  if (faults.contentFilter || allText(request).includes('SIM_BLOCK_PROMPT')) return { kind: 'blocked', blockReason: 'SAFETY' };
  const prompt = textOf(lastUser(request));
  const thinking = request.generationConfig?.thinkingConfig;
  const thinks = isThinkingModel(model) && thinking?.thinkingBudget !== 0;
  const thoughts = thinks ? `**Reading the request**\nThe user wrote: "${prompt.slice(0, 80)}". I will answer directly.` : '';
  const budget = thinking?.thinkingBudget !== undefined && thinking.thinkingBudget > 0 ? thinking.thinkingBudget : Infinity;
  const base = { kind: 'answer', thoughts, thinkingTokens: thinks ? Math.min(budget, Math.ceil(thoughts.length / 4) * 3) : 0, includeThoughts: thinks && thinking?.includeThoughts === true } as const;

  if (faults.contentFilterFinish || prompt.includes('SIM_BLOCK_RESPONSE')) return { ...base, parts: [{ text: 'Echo:' }], finishReason: 'SAFETY' };
  const lastIsToolResult = (request.contents.at(-1)?.parts ?? []).some((part) => part.functionResponse);
  const calls = lastIsToolResult ? undefined : functionCalls(request, prompt, thinks);
  if (calls && calls.length > 0) return { ...base, parts: calls, finishReason: 'STOP' };
  if (faults.chunks) return { ...base, parts: [{ text: `${'x'.repeat(Math.max(0, faults.chunks.size - 1))} `.repeat(faults.chunks.count) }], finishReason: 'STOP' };
  const { text, finishReason } = limit(answerText(request, prompt), request);
  // A thinking model signs its answer's text as well as its calls (Google: "the last part" of a text answer).
  const signed = thinks ? { thoughtSignature: randomBytes(24).toString('base64') } : {};
  return { ...base, parts: text === '' ? [] : [{ text, ...signed }], finishReason };
};
