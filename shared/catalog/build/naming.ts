/**
 * Family and owner for models.dev rows, which carry neither. Derived from the model id so a new model of a
 * known family needs no table edit; unknown ids fall back to their first name segment and the serving provider.
 */
const FAMILIES: readonly RegExp[] = [
  /^gpt-oss/,
  /^gpt-5/,
  /^gpt-4\.1/,
  /^gpt-4o/,
  /^gpt-4/,
  /^gpt-3\.5/,
  /^o\d/,
  /^codex/,
  /^gemini-\d\.\d/,
  /^gemma-\d/,
  /^llama-\d(\.\d)?/,
  /^qwen\d(\.\d)?/,
  /^qwq/,
  /^deepseek-(r1|v3)/,
  /^glm-\d(\.\d|p\d)?/,
  /^kimi-k\d/,
  /^mistral/,
];

const OWNERS: readonly (readonly [RegExp, string])[] = [
  [/^(gpt|o\d|codex|chatgpt)/, 'openai'],
  [/^(gemini|gemma)/, 'google'],
  [/^llama/, 'meta'],
  [/^(qwen|qwq)/, 'qwen'],
  [/^deepseek/, 'deepseek'],
  [/^glm/, 'zai'],
  [/^kimi/, 'moonshotai'],
  [/^mistral/, 'mistralai'],
];

/** The model's own name: the last path segment, lower-cased (`accounts/fireworks/models/glm-4p5` → `glm-4p5`). */
const baseName = (id: string): string => (id.split('/').pop() ?? id).toLowerCase();

export const familyOf = (id: string): string => {
  const name = baseName(id);
  const match = FAMILIES.map((pattern) => pattern.exec(name)?.[0]).find((found) => found !== undefined);
  return match ?? name.split('-')[0] ?? name;
};

export const ownerOf = (id: string, servingProvider: string): string =>
  OWNERS.find(([pattern]) => pattern.test(baseName(id)))?.[1] ?? servingProvider;
