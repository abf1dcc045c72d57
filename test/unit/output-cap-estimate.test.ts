/**
 * The output cap's token estimate: four characters a token for Latin text, one per Han, kana or Hangul character,
 * counted by character (an emoji or an astral Han character is one, a lone surrogate is one). Whole texts and
 * texts cut at a limit count as the character-by-character rule says.
 */
import { describe, expect, it } from 'vitest';
import { TokenEstimate } from '../../shared/inference/output-cap.ts';

const DENSE = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u;

/** The rule, one character at a time. */
const byCharacter = (texts: readonly string[], limit = Number.POSITIVE_INFINITY) => {
  let sparse = 0;
  let dense = 0;
  const tokens = () => Math.ceil(sparse / 4) + dense;
  const kept = texts.map((text) => {
    let taken = 0;
    for (const char of text) {
      const isDense = DENSE.test(char);
      const after = isDense ? Math.ceil(sparse / 4) + dense + 1 : Math.ceil((sparse + 1) / 4) + dense;
      if (after > limit) break;
      if (isDense) dense += 1;
      else sparse += 1;
      taken += char.length;
    }
    return text.slice(0, taken);
  });
  return { kept, tokens: tokens() };
};

const TEXTS = ['Hello, world', '漢字とかなと한국어', 'emoji 😀😀 and 𠀀 (astral Han)', 'lone \ud800 and \udc00 surrogates', '', 'x', 'mixed 中文 text, four chars a token'];

describe('the output token estimate', () => {
  it('counts whole texts as the character-by-character rule does', () => {
    const estimate = new TokenEstimate();
    for (const text of TEXTS) estimate.add(text);
    expect(estimate.tokens).toBe(byCharacter(TEXTS).tokens);
  });

  it.each([0, 1, 3, 5, 8, 13, 21, 1_000])('keeps the same prefixes within a limit of %i tokens', (limit) => {
    const estimate = new TokenEstimate();
    const kept = TEXTS.map((text) => estimate.addWithin(text, limit));
    const expected = byCharacter(TEXTS, limit);
    expect(kept).toEqual(expected.kept);
    expect(estimate.tokens).toBe(expected.tokens);
  });
});
