/**
 * The hold bounds the output. A text call holds the price of its input bound plus `cap` output tokens, and the
 * cap is sent upstream — but a provider may ignore it. This stage counts the output as it passes and cuts it at
 * the cap: what would go past it is neither delivered nor charged, the answer finishes as OpenAI's would at
 * its limit (`finish_reason: "length"`, Responses `incomplete` / `max_output_tokens`), and the caller stops
 * the provider.
 *
 * The count is the provider's own usage when it reports it mid-stream, else a conservative estimate of what
 * was delivered (`estimateTokens`): whichever is larger.
 */
import type { StreamPart, Usage } from '../../layers/providers/types.ts';

/** Han, kana and Hangul: about one token per character in every current tokenizer. */
const DENSE_SCRIPT = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u;
const DENSE_SCRIPTS = new RegExp(DENSE_SCRIPT.source, 'gu');
/** Two UTF-16 units that are one character (a lone surrogate is a character of its own, as `for…of` sees it). */
const SURROGATE_PAIR = /[\uD800-\uDBFF][\uDC00-\uDFFF]/g;
const CHARS_PER_TOKEN = 4;

/** A running estimate of tokens in text: four characters a token for Latin text, one per CJK character. */
export class TokenEstimate {
  #sparse = 0;
  #dense = 0;

  get tokens(): number {
    return Math.ceil(this.#sparse / CHARS_PER_TOKEN) + this.#dense;
  }

  /**
   * Adds `text` whole: its characters, the dense ones counted apart. Two scans by regular expression rather than
   * one test per character: every delta of every capped stream passes here.
   */
  add(text: string): void {
    const dense = text.match(DENSE_SCRIPTS)?.length ?? 0;
    const characters = text.length - (text.match(SURROGATE_PAIR)?.length ?? 0);
    this.#dense += dense;
    this.#sparse += characters - dense;
  }

  /** Adds as much of `text` as keeps the estimate within `limit` tokens; returns that prefix. */
  addWithin(text: string, limit: number): string {
    // No character is more than a token: a text that fits even so is taken whole (the usual case, far from the cap).
    if (this.tokens + text.length <= limit) {
      this.add(text);
      return text;
    }
    let taken = 0;
    for (const char of text) {
      const dense = DENSE_SCRIPT.test(char);
      const after = dense ? Math.ceil(this.#sparse / CHARS_PER_TOKEN) + this.#dense + 1 : Math.ceil((this.#sparse + 1) / CHARS_PER_TOKEN) + this.#dense;
      if (after > limit) break;
      this.#count(char, dense);
      taken += char.length;
    }
    return text.slice(0, taken);
  }

  #count(char: string, dense = DENSE_SCRIPT.test(char)): void {
    if (dense) this.#dense += 1;
    else this.#sparse += 1;
  }
}

export const estimateTokens = (text: string): number => {
  const estimate = new TokenEstimate();
  estimate.add(text);
  return estimate.tokens;
};

const LENGTH: StreamPart = { type: 'finish', finishReason: { unified: 'length', raw: 'max_output_tokens' } };

export interface OutputCap {
  /** The parts to deliver for `part`: itself, a cut prefix of it and the `length` finish, or nothing once cut. */
  pass(part: StreamPart): StreamPart[];
  /** True once the output reached the cap: the provider must be stopped. */
  readonly reached: boolean;
  /** Output tokens delivered so far, as counted (provider usage or estimate). */
  readonly delivered: number;
}

export const createOutputCap = (cap: number | undefined): OutputCap => {
  const estimate = new TokenEstimate();
  let reported = 0;
  let reached = false;
  const limit = cap ?? Number.POSITIVE_INFINITY;
  const delivered = () => Math.max(estimate.tokens, reported);

  const cut = (part: StreamPart | undefined): StreamPart[] => {
    reached = true;
    return [...(part ? [part] : []), LENGTH];
  };

  /** The delta's text within the cap, and whether it had to be cut. */
  const within = (text: string): { text: string; cut: boolean } => {
    if (reported >= limit) return { text: '', cut: text !== '' };
    const kept = estimate.addWithin(text, limit);
    return { text: kept, cut: kept.length < text.length };
  };

  return {
    get reached() {
      return reached;
    },
    get delivered() {
      return delivered();
    },
    pass(part) {
      if (cap === undefined) return [part];
      if (reached) {
        // A non-streamed answer still carries the provider's usage after the cut: its input counts, and its
        // output no more than was delivered.
        return part.type === 'usage' ? [{ type: 'usage', usage: clampOutput(part.usage, delivered()) }] : [];
      }
      switch (part.type) {
        case 'text-delta':
        case 'reasoning-delta': {
          const kept = within(part.delta);
          if (!kept.cut) return [part];
          return cut(kept.text ? { ...part, delta: kept.text } : undefined);
        }
        case 'tool-call-delta': {
          const kept = within((part.name ?? '') + part.argumentsDelta);
          if (!kept.cut) return [part];
          return cut(kept.text ? { ...part, argumentsDelta: part.argumentsDelta.slice(0, Math.max(0, kept.text.length - (part.name ?? '').length)) } : undefined);
        }
        case 'usage':
          reported = Math.max(reported, part.usage.outputTokens);
          return reported > limit ? cut({ type: 'usage', usage: clampOutput(part.usage, limit) }) : [part];
        default:
          return [part];
      }
    },
  };
};

/** Usage that claims more output than `limit`, brought down to it (reasoning, a part of output, too). */
export const clampOutput = (usage: Usage, limit: number): Usage =>
  usage.outputTokens <= limit
    ? usage
    : {
        ...usage,
        outputTokens: limit,
        ...(usage.totalTokens === undefined ? {} : { totalTokens: usage.inputTokens + limit }),
        ...(usage.reasoningTokens === undefined ? {} : { reasoningTokens: Math.min(usage.reasoningTokens, limit) }),
      };
