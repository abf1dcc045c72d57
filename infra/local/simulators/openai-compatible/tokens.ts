/**
 * Token accounting: about four characters a token, a few tokens of overhead per message, a flat rate per
 * image/audio/file part. Prompt caching as OpenAI does it: a prompt of at least 1024 tokens whose prefix (all
 * but the last message) was seen before reports that prefix as cached, in 128-token increments.
 */

export const MEDIA_PART_TOKENS = 85;
const MESSAGE_OVERHEAD = 4;
const CACHE_MINIMUM = 1024;
const CACHE_INCREMENT = 128;

export const countText = (text: string): number => Math.ceil(text.length / 4);

const countContent = (content: unknown): number => {
  if (typeof content === 'string') return countText(content);
  if (!Array.isArray(content)) return 0;
  return content.reduce<number>((sum, part: { type?: string; text?: string }) => sum + (part.type === 'text' ? countText(part.text ?? '') : MEDIA_PART_TOKENS), 0);
};

export const countMessages = (messages: readonly Record<string, unknown>[]): number =>
  messages.reduce<number>(
    (sum, message) => sum + MESSAGE_OVERHEAD + countContent(message['content']) + (message['tool_calls'] ? countText(JSON.stringify(message['tool_calls'])) : 0),
    0,
  );

export const countPrompt = (messages: readonly Record<string, unknown>[], tools: unknown): number =>
  countMessages(messages) + (tools ? countText(JSON.stringify(tools)) : 0) + 3;

const MAX_REMEMBERED = 500;

export class PromptCache {
  readonly #prefixes = new Set<string>();

  /** Cached tokens for this prompt; then remembers its prefix. */
  cachedTokens(messages: readonly Record<string, unknown>[], tools: unknown, promptTokens: number): number {
    const prefixMessages = messages.slice(0, -1);
    const prefix = JSON.stringify([tools ?? null, prefixMessages]);
    const seen = this.#prefixes.has(prefix);
    this.#prefixes.add(prefix);
    if (this.#prefixes.size > MAX_REMEMBERED) this.#prefixes.delete(this.#prefixes.values().next().value ?? '');
    if (!seen || promptTokens < CACHE_MINIMUM) return 0;
    const prefixTokens = countPrompt(prefixMessages, tools);
    return prefixTokens < CACHE_MINIMUM ? 0 : Math.floor(prefixTokens / CACHE_INCREMENT) * CACHE_INCREMENT;
  }
}
