/**
 * A hand-written check of a stream chunk against `chatChunkSchema`'s rules, run before zod on every chunk of
 * every stream. zod's generic object walk (a result object and an issue list per field, a copy of every object)
 * was the largest cost per chunk left in the stream, several microseconds a chunk on a warm instance and far more
 * on a cold one, and the stream needs only a yes or no. The check only ever accepts: a value it does not accept
 * goes to the schema, which stays the authority, so a gap in this check can cost time but never let a chunk the
 * schema rejects through (test/unit/providers-openai-compatible-chunk-check.test.ts pins that both agree).
 */
import type { ChatChunk } from './chat-response-schema.ts';

type Record_ = Record<string, unknown>;

const isObject = (value: unknown): value is Record_ => typeof value === 'object' && value !== null && !Array.isArray(value);
// zod's number rejects the infinities JSON.parse makes of `1e999`.
const nullishNumber = (value: unknown): boolean => value == null || (typeof value === 'number' && Number.isFinite(value));
const nullishString = (value: unknown): boolean => value == null || typeof value === 'string';

const usageDetail = (value: unknown, key: string): boolean => value == null || (isObject(value) && nullishNumber(value[key]));

const isUsage = (value: unknown): boolean =>
  value == null ||
  (isObject(value) &&
    nullishNumber(value['prompt_tokens']) &&
    nullishNumber(value['completion_tokens']) &&
    nullishNumber(value['total_tokens']) &&
    usageDetail(value['prompt_tokens_details'], 'cached_tokens') &&
    usageDetail(value['completion_tokens_details'], 'reasoning_tokens'));

/** A loop, not `every`: `every` skips the holes of a sparse array, which the schema rejects. */
const allOf = (values: unknown, check: (value: unknown) => boolean): boolean => {
  if (!Array.isArray(values)) return false;
  for (let i = 0; i < values.length; i++) if (!check(values[i])) return false;
  return true;
};

const isToolCall = (value: unknown): boolean => {
  if (!isObject(value) || !nullishNumber(value['index']) || !nullishString(value['id'])) return false;
  const fn = value['function'];
  return fn == null || (isObject(fn) && nullishString(fn['name']) && nullishString(fn['arguments']));
};

const isDelta = (value: unknown): boolean => {
  if (value == null) return true;
  if (!isObject(value)) return false;
  if (!nullishString(value['content']) || !nullishString(value['reasoning_content']) || !nullishString(value['reasoning']) || !nullishString(value['refusal'])) return false;
  const calls = value['tool_calls'];
  return calls == null || allOf(calls, isToolCall);
};

const isChoice = (value: unknown): boolean =>
  isObject(value) && nullishNumber(value['index']) && nullishString(value['finish_reason']) && isDelta(value['delta']);

/** True when `value` is certainly a chunk `chatChunkSchema` accepts, as it is (the schema keeps unknown keys). */
export const isChatChunk = (value: unknown): value is ChatChunk => {
  if (!isObject(value)) return false;
  if (!nullishString(value['id']) || !nullishString(value['model']) || !nullishNumber(value['created'])) return false;
  const choices = value['choices'];
  if (choices != null && !allOf(choices, isChoice)) return false;
  return isUsage(value['usage']);
};
