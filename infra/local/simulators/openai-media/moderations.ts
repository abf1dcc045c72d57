/**
 * POST /v1/moderations (omni-moderation): one result per input with OpenAI's thirteen categories. Deterministic:
 * an input containing `SIM_FLAG=<category>` is flagged in that category (score 0.98), everything else scores
 * 0.0001 everywhere. Text and `image_url` parts are accepted as OpenAI accepts them; images only apply to the
 * categories OpenAI scores images in.
 */
import { randomUUID } from 'node:crypto';
import { sendJson } from '../openai-compatible/http-io.ts';
import { onlyKnown, refuse, type MediaContext } from './context.ts';

const CATEGORIES = [
  'harassment',
  'harassment/threatening',
  'hate',
  'hate/threatening',
  'illicit',
  'illicit/violent',
  'self-harm',
  'self-harm/intent',
  'self-harm/instructions',
  'sexual',
  'sexual/minors',
  'violence',
  'violence/graphic',
] as const;

const IMAGE_CATEGORIES = new Set(['self-harm', 'self-harm/intent', 'self-harm/instructions', 'sexual', 'violence', 'violence/graphic']);

/** The model each alias answers as. */
const MODELS: Readonly<Record<string, string>> = {
  'omni-moderation-latest': 'omni-moderation-2024-09-26',
  'omni-moderation-2024-09-26': 'omni-moderation-2024-09-26',
  'text-moderation-latest': 'text-moderation-007',
  'text-moderation-stable': 'text-moderation-007',
};

type Part = { readonly type: 'text'; readonly text: string } | { readonly type: 'image_url'; readonly image_url: { readonly url: string } };

const partsOf = (input: unknown): Part[][] => {
  if (typeof input === 'string') return [[{ type: 'text', text: input }]];
  if (!Array.isArray(input) || input.length === 0) return refuse("'input' must be a string, an array of strings, or an array of content parts.", 'input', 'invalid_type');
  if (input.every((item) => typeof item === 'string')) return input.map((text: string) => [{ type: 'text', text }]);
  const parts = input.map((item: unknown): Part => {
    const part = item as Record<string, unknown>;
    if (part?.type === 'text' && typeof part.text === 'string') return { type: 'text', text: part.text };
    if (part?.type === 'image_url' && typeof (part.image_url as Record<string, unknown> | undefined)?.url === 'string') {
      return { type: 'image_url', image_url: { url: (part.image_url as { url: string }).url } };
    }
    return refuse('Invalid content part: expected {type: "text", text} or {type: "image_url", image_url: {url}}.', 'input', 'invalid_value');
  });
  // Multimodal parts are one input: OpenAI answers them with one result.
  return [parts];
};

const resultOf = (parts: readonly Part[]) => {
  const text = parts.flatMap((part) => (part.type === 'text' ? [part.text] : [])).join(' ');
  const hasImage = parts.some((part) => part.type === 'image_url');
  const flaggedAs = /SIM_FLAG=([a-z/-]+)/.exec(text)?.[1];
  const scores = Object.fromEntries(CATEGORIES.map((category) => [category, category === flaggedAs ? 0.98 : 0.0001]));
  const categories = Object.fromEntries(CATEGORIES.map((category) => [category, category === flaggedAs]));
  const applied = Object.fromEntries(
    CATEGORIES.map((category) => [category, [...(text ? ['text'] : []), ...(hasImage && IMAGE_CATEGORIES.has(category) ? ['image'] : [])]]),
  );
  return { flagged: flaggedAs !== undefined && (CATEGORIES as readonly string[]).includes(flaggedAs), categories, category_scores: scores, category_applied_input_types: applied };
};

export const handleModeration = (context: MediaContext, body: Record<string, unknown>): void => {
  onlyKnown(body, ['model', 'input']);
  const requested = body.model === undefined ? 'omni-moderation-latest' : body.model;
  if (typeof requested !== 'string' || !MODELS[requested]) {
    return refuse(`The model \`${String(requested)}\` does not exist or you do not have access to it.`, 'model', 'model_not_found');
  }
  if (body.input === undefined) return refuse("'input' is a required property", 'input', 'missing_required_parameter');
  const inputs = partsOf(body.input);
  if (requested.startsWith('text-') && inputs.some((parts) => parts.some((part) => part.type === 'image_url'))) {
    return refuse(`The model '${requested}' only accepts text input.`, 'input', 'invalid_value');
  }
  sendJson(context.res, 200, { id: `modr-${randomUUID().replaceAll('-', '')}`, model: MODELS[requested], results: inputs.map(resultOf) }, { 'x-request-id': context.requestId });
};
