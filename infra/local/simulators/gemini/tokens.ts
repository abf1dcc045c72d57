/**
 * Token accounting: about four characters a token for text and 258 tokens for each image, audio or file
 * part (Gemini's flat rate for an image tile). Plus implicit caching, as Gemini 2.5 does it: when a prompt
 * starts with the whole prompt of an earlier request, those tokens are reported as cached.
 */
import type { SimContent, SimPart, SimRequest } from './sim-request.ts';

export const MEDIA_PART_TOKENS = 258;

export const countText = (text: string): number => Math.ceil(text.length / 4);

export const countParts = (parts: readonly SimPart[]): number =>
  parts.reduce((sum, part) => {
    if (part.inlineData || part.fileData) return sum + MEDIA_PART_TOKENS;
    if (part.text !== undefined) return sum + countText(part.text);
    return sum + countText(JSON.stringify(part.functionCall ?? part.functionResponse ?? {}));
  }, 0);

const countContents = (contents: readonly SimContent[]): number => contents.reduce((sum, content) => sum + countParts(content.parts), 0);

export const countPrompt = (request: SimRequest): number =>
  countParts(request.systemInstruction?.parts ?? []) + countContents(request.contents) + (request.tools ? countText(JSON.stringify(request.tools)) : 0);

const MAX_REMEMBERED = 200;

export class PromptCache {
  readonly #prompts: { readonly prefix: string; readonly contents: readonly string[] }[] = [];

  /** Tokens of the longest earlier prompt this one extends (0 when none); then remembers this prompt. */
  cachedTokens(request: SimRequest): number {
    const prefix = JSON.stringify({ system: request.systemInstruction ?? null, tools: request.tools ?? null });
    const contents = request.contents.map((content) => JSON.stringify(content));
    let best = 0;
    for (const earlier of this.#prompts) {
      const extendsEarlier = earlier.prefix === prefix && earlier.contents.length < contents.length && earlier.contents.every((content, index) => content === contents[index]);
      if (extendsEarlier) best = Math.max(best, countPrompt({ ...request, contents: request.contents.slice(0, earlier.contents.length) }));
    }
    this.#prompts.push({ prefix, contents });
    if (this.#prompts.length > MAX_REMEMBERED) this.#prompts.shift();
    return best;
  }
}
