/**
 * Responses requests that ask for media (`modalities` naming image, audio, embedding or video, or an
 * `image_url` sent to a vision model): which media call they are, and the spec's fields for it, checked with
 * one clear 400 each before any money moves. A field the chosen media call has no use for is refused
 * (`unsupported_parameter`, naming it), never silently dropped.
 */
import { InvalidRequestError } from '../../../layers/core/errors.ts';
import { getModel, modelSupports } from '../../catalog/index.ts';
import * as z from 'zod';
import { codesByKind, gatewayFields, numberIn, parseMediaBody, text, unset, type Body } from '../../media/fields.ts';
import { parseBody, readMetadata, STREAM_REFUSAL, streamSchema } from '../../calls/fields.ts';
import { readJsonObject, type HttpRequest } from '../../http/request.ts';

export const MEDIA_MODALITIES = ['image', 'audio', 'video', 'embedding'] as const;
export type MediaModality = (typeof MEDIA_MODALITIES)[number];
const MODALITIES = ['text', ...MEDIA_MODALITIES] as const;

/** What the response will produce: a catalog operation, chosen from the modality and the model's row. */
export type MediaResponseKind = 'image-generation' | 'speech' | 'embeddings' | 'vision' | 'video-generation';

export const VISION_OPERATIONS = ['object-detection', 'image-classification'] as const;

/** Fields every media response reads. `provider` is the Compose extension that picks a catalog row. */
const COMMON_FIELDS = ['model', 'provider', 'input', 'modalities', 'stream', 'store', 'metadata'];

/**
 * The fields each media call reads besides the common ones. `instructions` steers a speech model's voice;
 * `labels` are a zero-shot classifier's candidate classes (a Compose extension, as the catalog names them).
 */
const KIND_FIELDS: Readonly<Record<MediaResponseKind, readonly string[]>> = {
  'image-generation': ['n', 'size', 'quality', 'partial_images'],
  speech: ['voice', 'speed', 'language', 'instructions'],
  embeddings: [],
  vision: ['image_url', 'labels'],
  'video-generation': ['duration', 'aspect_ratio', 'resolution', 'size'],
};

const KIND_NAMES: Readonly<Record<MediaResponseKind, string>> = {
  'image-generation': 'image generation',
  speech: 'speech (audio)',
  embeddings: 'embedding',
  vision: 'detection and classification',
  'video-generation': 'video generation',
};

const MODALITIES_BODY = z.object({ modalities: z.array(z.enum(MODALITIES)).nullish() });

const readModalities = (body: Body): readonly string[] =>
  parseBody(MODALITIES_BODY, body, {
    modalities: () => ({ code: 'invalid_modalities', message: `'modalities' must be an array of ${MODALITIES.map((m) => `'${m}'`).join(', ')}.` }),
  }).modalities ?? [];

/** A catalog lookup that never throws: dispatch must not refuse what the text path would serve. */
const rowOf = (body: Body) => {
  try {
    return getModel(String(body.model), typeof body.provider === 'string' ? body.provider : undefined);
  } catch {
    return undefined;
  }
};

const isVisionModel = (body: Body): boolean => {
  const row = rowOf(body);
  return row !== undefined && VISION_OPERATIONS.some((operation) => modelSupports(row, operation));
};

/**
 * Whether a Responses body is a media call. Never throws (a malformed body is the text path's to refuse): a
 * non-text modality, or an `image_url` sent to a detection or classification model.
 */
export const isMediaResponseBody = (body: Body): boolean => {
  const modalities = Array.isArray(body.modalities) ? body.modalities : [];
  if (modalities.some((m) => (MEDIA_MODALITIES as readonly unknown[]).includes(m))) return true;
  return typeof body.image_url === 'string' && typeof body.model === 'string' && isVisionModel(body);
};

/** Whether a request's body is a media call; a body that is not a JSON object is the text path's to refuse. */
export const isMediaResponseRequest = (http: HttpRequest): boolean => {
  try {
    return isMediaResponseBody(readJsonObject(http));
  } catch {
    return false;
  }
};

/** The one media kind a body asks for. More than one media modality in one response is refused. */
export const mediaKindOf = (body: Body): MediaResponseKind => {
  const media = readModalities(body).filter((m): m is MediaModality => m !== 'text');
  if (media.length > 1) {
    throw new InvalidRequestError('unsupported_modalities', `One media modality per response; got ${media.map((m) => `'${m}'`).join(', ')}.`, { param: 'modalities' });
  }
  const modality = media[0];
  // `image` covers generation and, for detection or classification models, analysis of `image_url`.
  if (modality === undefined || (modality === 'image' && body.image_url !== undefined && isVisionModel(body))) return 'vision';
  return ({ image: 'image-generation', audio: 'speech', embedding: 'embeddings', video: 'video-generation' } as const)[modality];
};

/** 400 `unsupported_parameter` for the first field the media call has no use for (null counts as absent, as OpenAI's SDKs send it). */
const refuseInapplicable = (body: Body, kind: MediaResponseKind): void => {
  const applicable = new Set([...COMMON_FIELDS, ...KIND_FIELDS[kind]]);
  const field = Object.keys(body).find((name) => !applicable.has(name) && body[name] !== undefined && body[name] !== null);
  if (field === undefined) return;
  const where = Object.entries(KIND_FIELDS).find(([, fields]) => fields.includes(field))?.[0] as MediaResponseKind | undefined;
  throw new InvalidRequestError(
    'unsupported_parameter',
    `'${field}' does not apply to ${KIND_NAMES[kind]} responses${where ? ` (it is for ${KIND_NAMES[where]})` : ''}.`,
    { param: field },
  );
};

export interface MediaResponseRequest {
  readonly kind: MediaResponseKind;
  readonly model: string;
  readonly provider: string | undefined;
  /** The text of `input` (prompt, speech text, labels), or its strings for embeddings. */
  readonly texts: readonly string[];
  readonly inputItems: readonly Record<string, unknown>[];
  readonly stream: boolean;
  readonly n: number | undefined;
  readonly size: string | undefined;
  readonly quality: string | undefined;
  /** Partial images (0–3) before each finished one, on streams where the provider renders them. */
  readonly partialImages: number | undefined;
  readonly imageUrl: string | undefined;
  /** Candidate classes for zero-shot classifiers, as sent in `labels` (see `labelsOf` for the `input` form). */
  readonly labels: readonly string[] | undefined;
  readonly voice: string | undefined;
  readonly speed: number | undefined;
  readonly language: string | undefined;
  readonly instructions: string | undefined;
  /** Video fields, read by the video route's own rules (shared/videos/request.ts). */
  readonly duration: unknown;
  readonly aspectRatio: unknown;
  readonly resolution: unknown;
  readonly store: boolean;
  readonly metadata: Readonly<Record<string, unknown>>;
}

const textOfContent = (content: unknown): string[] => {
  if (typeof content === 'string') return [content];
  if (!Array.isArray(content)) return [];
  return content.flatMap((part) => (part && typeof part === 'object' && typeof (part as { text?: unknown }).text === 'string' ? [(part as { text: string }).text] : []));
};

/** `input` as a string, an array of strings (embeddings), or message items whose text parts are joined. */
const readTexts = (input: unknown): { texts: string[]; items: Record<string, unknown>[] } => {
  if (typeof input === 'string' && input !== '') return { texts: [input], items: [{ type: 'message', role: 'user', content: [{ type: 'input_text', text: input }] }] };
  if (Array.isArray(input) && input.length > 0 && input.every((i) => typeof i === 'string' && i !== '')) {
    return { texts: input as string[], items: (input as string[]).map((text) => ({ type: 'message', role: 'user', content: [{ type: 'input_text', text }] })) };
  }
  if (Array.isArray(input) && input.length > 0 && input.every((i) => i && typeof i === 'object')) {
    const texts = (input as Record<string, unknown>[]).flatMap((item) => textOfContent(item.content));
    if (texts.length > 0) return { texts: [texts.join('\n')], items: input as Record<string, unknown>[] };
  }
  throw new InvalidRequestError('missing_input', "'input' must be non-empty text (a string, strings, or messages with text).", { param: 'input' });
};

/**
 * The fields a media response reads, in the order they are checked (`input` is read apart: it may be text or
 * message items; `metadata` by OpenAI's rule, as on every route; the video fields by the video route's rules).
 * Which fields apply is decided first, by the media kind (`refuseInapplicable`), so this schema lets others through.
 */
const makeMediaResponseBody = () => z.looseObject({
  // Checked first (see parseMediaResponseRequest), with the input and the metadata between them.
  image_url: text(),
  store: z.boolean().nullish(),
  ...gatewayFields(),
  stream: streamSchema,
  n: numberIn('json', 1, 10, { integer: true }),
  size: text(),
  quality: text(),
  partial_images: numberIn('json', 0, 3, { integer: true }),
  labels: z.array(z.string().trim().min(1)).min(1).nullish(),
  voice: text(),
  speed: numberIn('json', 0.25, 4),
  language: text(),
  instructions: text(),
});

const makeSchemas = () => {
  const body = makeMediaResponseBody();
  return { body, imageUrlFirst: body.pick({ image_url: true }), storeNext: body.pick({ store: true }) };
};
let schemas: ReturnType<typeof makeSchemas> | undefined;
/** Built on the first media response: a text function's cold start (which only asks whether a body is one) does not. */
const mediaSchemas = (): ReturnType<typeof makeSchemas> => (schemas ??= makeSchemas());
export const mediaResponseBody = (): ReturnType<typeof makeMediaResponseBody> => mediaSchemas().body;

const MEDIA_RESPONSE_REFUSALS = {
  stream: STREAM_REFUSAL,
  speed: codesByKind({ too_small: 'invalid_speed', too_big: 'invalid_speed' }),
  labels: () => ({ code: 'invalid_labels', message: "'labels' must be a non-empty array of non-empty strings." }),
};

/**
 * A zero-shot classifier's labels: the `labels` array when sent, else the text of `input` split at commas and
 * line breaks ("cat, dog, bicycle"). Empty when neither names one.
 */
export const labelsOf = (request: MediaResponseRequest): readonly string[] =>
  request.labels ??
  request.texts
    .join('\n')
    .split(/[,\n]/)
    .map((label) => label.trim())
    .filter((label) => label !== '');

export const parseMediaResponseRequest = (body: Body): MediaResponseRequest => {
  const kind = mediaKindOf(body);
  refuseInapplicable(body, kind);
  // The image, the input, `store` and `metadata` are checked before the other fields, as they always were.
  const imageUrl = unset(parseMediaBody(mediaSchemas().imageUrlFirst, body).image_url);
  if (kind === 'vision' && imageUrl === undefined) throw new InvalidRequestError('missing_image_url', "'image_url' is required for detection and classification.", { param: 'image_url' });
  const { texts, items } = kind === 'vision' && (body.input === undefined || body.input === null) ? { texts: [], items: [] } : readTexts(body.input);
  parseMediaBody(mediaSchemas().storeNext, body);
  const metadata = readMetadata(body) ?? {};
  const fields = parseMediaBody(mediaSchemas().body, body, MEDIA_RESPONSE_REFUSALS);
  return {
    kind,
    model: fields.model,
    provider: unset(fields.provider),
    texts,
    inputItems: items,
    stream: fields.stream ?? false,
    n: unset(fields.n),
    size: unset(fields.size),
    quality: unset(fields.quality),
    partialImages: unset(fields.partial_images),
    imageUrl,
    labels: unset(fields.labels),
    voice: unset(fields.voice),
    speed: unset(fields.speed),
    language: unset(fields.language),
    instructions: unset(fields.instructions),
    duration: body.duration,
    aspectRatio: body.aspect_ratio,
    resolution: body.resolution,
    store: fields.store ?? true,
    metadata,
  };
};
