/**
 * The OpenAPI document is the reviewed contract; the zod schemas are what the gateway enforces. For every
 * request body the document declares, the two must agree: each documented property exists in zod with a type
 * zod accepts, enums are equal, required lists are equal, and zod has no property the document leaves out.
 * Where they differ on purpose the difference is listed below with its reason (and a listed difference that
 * is gone fails too, so the list stays true). Adding a field to one side only fails this test.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { textBody } from '../../shared/calls/fields.ts';
import { searchBodySchema } from '../../shared/catalog/validation.ts';
import { mediaResponseBody } from '../../shared/inference/media-responses/request.ts';
import { KNOWN } from '../../shared/inference/request/text-request.ts';
import { EMBEDDINGS_BODY } from '../../shared/media/embeddings/request.ts';
import { IMAGE_EDIT_BODY, IMAGE_GENERATION_BODY } from '../../shared/media/images/request.ts';
import { MODERATION_BODY } from '../../shared/media/moderation/serve.ts';
import { SPEECH_BODY } from '../../shared/media/speech/request.ts';
import { TRANSCRIPTION_BODY, TRANSLATION_BODY } from '../../shared/media/transcription/request.ts';
import { UPLOAD_BODY } from '../../shared/uploads/request.ts';
import { VIDEO_BODY } from '../../shared/videos/request.ts';

type Json = Record<string, unknown>;

const root = new URL('../..', import.meta.url).pathname;
const DOCUMENT = JSON.parse(readFileSync(join(root, 'openapi', 'generated', 'openapi.json'), 'utf8')) as {
  paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema: Json }> } }>>;
  components: { schemas: Record<string, Json> };
};

/** The zod schema that reads each documented request body (by its component name). */
const ZOD_SCHEMAS: Readonly<Record<string, z.core.$ZodType>> = {
  ModelSearchRequest: searchBodySchema(),
  ChatCompletionRequest: textBody().chat,
  // One route, two readers: text, or media when `modalities` asks for it (shared/inference/media-responses).
  ResponsesCreateRequest: textBody().responses.extend(mediaResponseBody().shape),
  EmbeddingsRequest: EMBEDDINGS_BODY.json,
  ImageGenerationRequest: IMAGE_GENERATION_BODY.json,
  ImageEditRequest: IMAGE_EDIT_BODY.form,
  ImageEditJsonRequest: IMAGE_EDIT_BODY.json,
  SpeechRequest: SPEECH_BODY.json,
  TranscriptionRequest: TRANSCRIPTION_BODY.form,
  TranscriptionJsonRequest: TRANSCRIPTION_BODY.json,
  TranslationRequest: TRANSLATION_BODY.form,
  TranslationJsonRequest: TRANSLATION_BODY.json,
  ModerationRequest: MODERATION_BODY,
  UploadCreateRequest: UPLOAD_BODY,
  VideoCreateRequest: VIDEO_BODY,
};

const CATALOG_PROVIDER = "the catalog judges `provider` once the body is read (400 invalid_enum_value, or 404 model_not_found), so the body's rule is any string";
const PRICED = 'priced values differ per model: checked against the catalog row after the body is read';
const FILE_ID_LATER = "`file_id` is required, but checked after every other field so its refusal (400 missing_file) can say how to upload";

/** Deliberate differences, `Component.property` (or `*.property` for every component), each with its reason. */
const EXCEPTIONS: Readonly<Record<string, string>> = {
  '*.provider': CATALOG_PROVIDER,
  'ChatCompletionRequest.attachment': 'the singular spelling of `attachments`, accepted and undocumented',
  'ChatCompletionRequest.n': "only n = 1 is served (400 unsupported_parameter otherwise); OpenAI's field, undocumented here",
  'ResponsesCreateRequest.required': '`input` may be left out when `previous_response_id` names the history (400 missing_input otherwise)',
  'ResponsesCreateRequest.modalities': "the text reader takes any strings (and passes them on); the media dispatcher holds them to the documented enum (400 invalid_modalities)",
  'ImageEditJsonRequest.required': FILE_ID_LATER,
  'TranscriptionJsonRequest.required': FILE_ID_LATER,
  'TranslationJsonRequest.required': FILE_ID_LATER,
  'TranscriptionRequest.timestamp_granularities[]':
    'a repeated multipart field: zod reads the last value as text, the route reads every value and refuses any but `segment` (400 unsupported_parameter)',
  'TranscriptionJsonRequest.timestamp_granularities[]': 'the multipart spelling, accepted in JSON too',
  'ImageEditRequest.image': 'a file part, read apart from the fields (a text field of that name is refused with missing_file)',
  'ImageEditRequest.image[]': 'the repeated spelling of `image`, a file part read apart from the fields',
  'ImageEditRequest.style': "OpenAI's image options, passed through to the provider (documented on generations)",
  'ImageEditRequest.moderation': "OpenAI's image options, passed through to the provider (documented on generations)",
  'ImageEditRequest.output_compression': "OpenAI's image options, passed through to the provider (documented on generations)",
  'ImageEditJsonRequest.user': "OpenAI's image options, passed through to the provider (documented on multipart edits)",
  'ImageEditJsonRequest.style': "OpenAI's image options, passed through to the provider (documented on generations)",
  'ImageEditJsonRequest.background': "OpenAI's image options, passed through to the provider (documented on multipart edits)",
  'ImageEditJsonRequest.moderation': "OpenAI's image options, passed through to the provider (documented on generations)",
  'ImageEditJsonRequest.output_format': "OpenAI's image options, passed through to the provider (documented on multipart edits)",
  'ImageEditJsonRequest.output_compression': "OpenAI's image options, passed through to the provider (documented on generations)",
  'ImageEditJsonRequest.input_fidelity': "OpenAI's image options, passed through to the provider (documented on multipart edits)",
  'ImageEditJsonRequest.partial_images': 'as on multipart edits (documented there)',
  'ImageGenerationRequest.input_fidelity': "an edit option OpenAI's SDK may send with generations too; passed through to the provider",
  'VideoCreateRequest.seconds': 'OpenAI\'s SDK sends it as text ("8"): the rule reads the number from the text first',
  ...Object.fromEntries(
    ['modalities', 'size', 'quality', 'image_url', 'voice', 'language', 'speed', 'duration', 'aspect_ratio', 'resolution'].map((name) => [
      `ChatCompletionRequest.${name}`,
      'typed on every text route because a Responses body dispatches on it to a media call; chat passes it on typed, undocumented',
    ]),
  ),
  'VideoCreateRequest.aspect_ratio': `${PRICED} (the provider's aspect ratios: 400 unsupported_aspect_ratio)`,
};

/** What one property accepts, as far as the contract speaks: JSON types, and the enum of it or its items. */
interface Summary {
  readonly types: ReadonlySet<string>;
  readonly enum?: readonly string[];
}

const deref = (schema: Json): Json => {
  const ref = schema.$ref as string | undefined;
  return ref ? deref(DOCUMENT.components.schemas[ref.split('/').at(-1)!]!) : schema;
};

const enumOf = (schema: Json): string[] | undefined => {
  if (Array.isArray(schema.enum)) return (schema.enum as unknown[]).map(String).sort();
  if (schema.const !== undefined) return [String(schema.const)];
  return undefined;
};

const summarize = (raw: Json): Summary => {
  const schema = deref(raw);
  const members = (schema.oneOf ?? schema.anyOf) as Json[] | undefined;
  if (members) {
    const parts = members.map(summarize);
    const enums = parts.flatMap((p) => p.enum ?? []);
    return { types: new Set(parts.flatMap((p) => [...p.types])), ...(enums.length ? { enum: [...new Set(enums)].sort() } : {}) };
  }
  const type = schema.type as string | string[] | undefined;
  const types = new Set(type === undefined ? (schema.const !== undefined ? [typeof schema.const] : ['any']) : Array.isArray(type) ? type : [type]);
  const own = enumOf(schema);
  const items = types.has('array') && schema.items ? summarize(schema.items as Json).enum : undefined;
  const values = own ?? items;
  return { types, ...(values ? { enum: values } : {}) };
};

/** Whether a value of each documented type gets past zod's type (`null` is every optional field's "unset"). */
const accepts = (zod: Summary, documented: Summary): boolean =>
  zod.types.has('any') ||
  // `{}` in the document promises nothing about the type: zod's rule is the whole word on it.
  documented.types.has('any') || [...documented.types].every((t) => t === 'null' || zod.types.has(t) || (t === 'integer' && zod.types.has('number')));

interface ObjectSummary {
  readonly properties: Readonly<Record<string, Summary>>;
  readonly required: readonly string[];
}

const documentedObject = (schema: Json): ObjectSummary => {
  const object = deref(schema);
  return {
    properties: Object.fromEntries(Object.entries((object.properties ?? {}) as Record<string, Json>).map(([name, p]) => [name, summarize(p)])),
    required: [...((object.required ?? []) as string[])].sort(),
  };
};

const zodObject = (schema: z.core.$ZodType): ObjectSummary => {
  // Output, so preprocessed multipart numbers show their rule; a field with a default is not required of the client.
  const json = z.toJSONSchema(schema, { unrepresentable: 'any', io: 'output' }) as Json;
  const properties = (json.properties ?? {}) as Record<string, Json>;
  const withDefault = new Set(Object.entries(properties).flatMap(([name, p]) => ('default' in p ? [name] : [])));
  return {
    // `{not: {}}` is a field refused whenever it is sent: the contract need not name it.
    properties: Object.fromEntries(Object.entries(properties).flatMap(([name, p]) => (JSON.stringify(p) === '{"not":{}}' ? [[name, { types: new Set(['never']) }]] : [[name, summarize(p)]]))),
    required: ((json.required ?? []) as string[]).filter((name) => !withDefault.has(name)).sort(),
  };
};

/** Every way the two disagree, each as `Component.property: what`. */
const driftBetween = (component: string, documented: ObjectSummary, zod: ObjectSummary): { key: string; problem: string }[] => {
  const problems: { key: string; problem: string }[] = [];
  for (const [name, doc] of Object.entries(documented.properties)) {
    const key = `${component}.${name}`;
    const enforced = zod.properties[name];
    if (!enforced) problems.push({ key, problem: 'documented, but no zod rule reads it' });
    else if (!accepts(enforced, doc)) problems.push({ key, problem: `documented as ${[...doc.types].join('|')}, zod takes ${[...enforced.types].join('|')}` });
    else if (JSON.stringify(doc.enum) !== JSON.stringify(enforced.enum) && !enforced.types.has('any') && !doc.types.has('any')) {
      problems.push({ key, problem: `enum ${JSON.stringify(doc.enum ?? null)} documented, zod has ${JSON.stringify(enforced.enum ?? null)}` });
    }
  }
  for (const [name, enforced] of Object.entries(zod.properties)) {
    // A field refused whenever it is sent (`z.never()`: OpenAI's, not served yet) need not be in the contract.
    if (!(name in documented.properties) && !enforced.types.has('never')) problems.push({ key: `${component}.${name}`, problem: 'read by zod, not documented' });
  }
  if (JSON.stringify(documented.required) !== JSON.stringify(zod.required)) {
    problems.push({ key: `${component}.required`, problem: `required ${JSON.stringify(documented.required)} documented, zod requires ${JSON.stringify(zod.required)}` });
  }
  return problems;
};

const excused = (key: string): boolean => key in EXCEPTIONS || `*.${key.split('.').slice(1).join('.')}` in EXCEPTIONS;

/** Each documented request body's component name, with the operations that take it. */
const documentedBodies = (): Map<string, string[]> => {
  const bodies = new Map<string, string[]>();
  for (const [path, item] of Object.entries(DOCUMENT.paths)) {
    for (const [method, operation] of Object.entries(item)) {
      for (const [type, content] of Object.entries(operation.requestBody?.content ?? {})) {
        const name = (content.schema.$ref as string | undefined)?.split('/').at(-1) ?? `${method} ${path} ${type}`;
        bodies.set(name, [...(bodies.get(name) ?? []), `${method.toUpperCase()} ${path} (${type})`]);
      }
    }
  }
  return bodies;
};

const driftOf = (component: string): { key: string; problem: string }[] =>
  driftBetween(component, documentedObject(DOCUMENT.components.schemas[component]!), zodObject(ZOD_SCHEMAS[component]!));

describe('the OpenAPI request schemas and the zod schemas that read them', () => {
  const bodies = documentedBodies();

  it('has a zod schema for every documented request body', () => {
    expect([...bodies.keys()].filter((name) => !ZOD_SCHEMAS[name])).toEqual([]);
  });

  it.each([...bodies.keys()])('%s: the document and zod agree, but for the listed exceptions', (component) => {
    const unexcused = driftOf(component).filter(({ key }) => !excused(key));
    expect(unexcused.map(({ key, problem }) => `${key}: ${problem}`)).toEqual([]);
  });

  it('composes, for the text routes, a rule for every field their readers model', () => {
    // The text readers check field by field (shared/inference/request/text-request.ts); TEXT_BODY is their rules
    // in one object, so a field modelled there but missing here would escape this test.
    const composed = new Set([...Object.keys(textBody().chat.shape), ...Object.keys(textBody().responses.shape)]);
    expect([...KNOWN].filter((name) => !composed.has(name))).toEqual([]);
  });

  it('lists no exception that is no longer needed', () => {
    const found = new Set([...bodies.keys()].flatMap((component) => driftOf(component).map(({ key }) => key)));
    const wildcards = new Set([...found].map((key) => `*.${key.split('.').slice(1).join('.')}`));
    expect(Object.keys(EXCEPTIONS).filter((key) => !found.has(key) && !wildcards.has(key))).toEqual([]);
  });
});

describe('the drift check itself', () => {
  const speech = (): { documented: ObjectSummary; zod: ObjectSummary } => ({
    documented: documentedObject(DOCUMENT.components.schemas.SpeechRequest!),
    zod: zodObject(SPEECH_BODY.json),
  });
  const keys = (problems: { key: string }[]) => problems.map(({ key }) => key).filter((key) => !excused(key));

  it('finds a field documented but not in zod', () => {
    const { documented, zod } = speech();
    const doc = { ...documented, properties: { ...documented.properties, pitch: { types: new Set(['number']) } } };
    expect(keys(driftBetween('SpeechRequest', doc, zod))).toEqual(['SpeechRequest.pitch']);
  });

  it('finds a field in zod but not documented', () => {
    expect(keys(driftBetween('SpeechRequest', speech().documented, zodObject(SPEECH_BODY.json.extend({ pitch: z.number().nullish() }))))).toEqual(['SpeechRequest.pitch']);
  });

  it('finds a type zod does not accept', () => {
    expect(keys(driftBetween('SpeechRequest', speech().documented, zodObject(SPEECH_BODY.json.extend({ speed: z.string().nullish() }))))).toEqual(['SpeechRequest.speed']);
  });

  it('finds enums that differ', () => {
    const zod = zodObject(SPEECH_BODY.json.extend({ response_format: z.enum(['mp3', 'wav']).nullish() }));
    expect(keys(driftBetween('SpeechRequest', speech().documented, zod))).toEqual(['SpeechRequest.response_format']);
  });

  it('finds required lists that differ', () => {
    expect(keys(driftBetween('SpeechRequest', speech().documented, zodObject(SPEECH_BODY.json.extend({ voice: z.string().nullish() }))))).toEqual(['SpeechRequest.required']);
    const { documented, zod } = speech();
    expect(keys(driftBetween('SpeechRequest', { ...documented, required: ['input', 'model'] }, zod))).toEqual(['SpeechRequest.required']);
  });

  it('takes an integer field where zod takes any number, and a nullable one', () => {
    const { documented } = speech();
    const doc = { ...documented, properties: { ...documented.properties, speed: { types: new Set(['integer', 'null']) } } };
    expect(keys(driftBetween('SpeechRequest', doc, speech().zod))).toEqual([]);
  });
});
