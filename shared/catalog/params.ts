/**
 * Generation-parameter metadata (`/v1/models/{model}/params`), derived from what a row already says about
 * itself: its operations, capabilities, output limit and price keys. Curated rows add model-specific
 * parameters (voices, durations) as overrides, so the common ones are written once.
 */
import type { Capabilities, OperationCapability, ParamSpec } from './types.ts';

type Params = Record<string, ParamSpec>;

interface ParamSource {
  readonly operations: readonly OperationCapability[];
  readonly capabilities: Capabilities;
  readonly maxOutputTokens?: number;
}

const textGeneration = ({ capabilities: caps, maxOutputTokens }: ParamSource): Params => ({
  ...(caps.temperature
    ? { temperature: { type: 'number', minimum: 0, maximum: 2, default: 1, description: 'Sampling temperature; higher is more random.' } }
    : {}),
  top_p: { type: 'number', minimum: 0, maximum: 1, default: 1, description: 'Nucleus sampling probability mass.' },
  max_tokens: {
    type: 'integer',
    minimum: 1,
    ...(maxOutputTokens ? { maximum: maxOutputTokens } : {}),
    description: 'Upper bound on generated tokens (also accepted as max_completion_tokens / max_output_tokens).',
  },
  stop: { type: 'array', description: 'Up to 4 sequences that end generation.' },
  seed: { type: 'integer', description: 'Best-effort deterministic sampling where the provider supports it.' },
  response_format: {
    type: 'object',
    enum: caps.structuredOutputs ? ['text', 'json_object', 'json_schema'] : ['text', 'json_object'],
    default: 'text',
    description: 'Output format object whose `type` is one of the listed values; json_schema constrains output to a schema.',
  },
  ...(caps.toolCalls
    ? {
        tools: { type: 'array', description: 'Function tools the model may call.' },
        tool_choice: { type: 'string', enum: ['none', 'auto', 'required'], default: 'auto', description: 'Whether and which tool to call; an object names one function.' },
        parallel_tool_calls: { type: 'boolean', default: true, description: 'Allow several tool calls in one turn.' },
      }
    : {}),
  ...(caps.reasoning
    ? { reasoning_effort: { type: 'string', enum: ['low', 'medium', 'high'], default: 'medium', description: 'Reasoning budget for reasoning models.' } }
    : {}),
  stream: { type: 'boolean', default: false, description: 'Stream the answer as server-sent events.' },
});

/** Image price keys are `<quality>:<size>`; the sizes and qualities a model can be asked for are exactly those priced. */
const pricedImageOptions = (operation: OperationCapability): { sizes: string[]; qualities: string[] } => {
  const keys = operation.pricingUnits.filter((unit) => unit.unitKey === 'images').flatMap((unit) => unit.valueKeys);
  const pairs = keys.filter((key) => key.includes(':')).map((key) => key.split(':') as [string, string]);
  return { qualities: [...new Set(pairs.map(([quality]) => quality))], sizes: [...new Set(pairs.map(([, size]) => size))] };
};

const imageParams = (operation: OperationCapability): Params => {
  const { sizes, qualities } = pricedImageOptions(operation);
  return {
    n: { type: 'integer', minimum: 1, maximum: 10, default: 1, description: 'Number of images to generate.' },
    ...(sizes.length ? { size: { type: 'string', enum: sizes, default: sizes[0], description: 'Output size in pixels.' } } : {}),
    ...(qualities.length ? { quality: { type: 'string', enum: qualities, default: qualities[0], description: 'Quality tier; billed per tier.' } } : {}),
    response_format: { type: 'string', enum: ['url', 'b64_json'], default: 'url', description: 'Return a URL or base64 image data.' },
  };
};

const videoParams = (operation: OperationCapability): Params => {
  const resolutions = operation.pricingUnits.flatMap((unit) => unit.valueKeys).filter((key) => key !== 'default');
  return resolutions.length
    ? { resolution: { type: 'string', enum: resolutions, default: resolutions[0], description: 'Output resolution; billed per second at this tier.' } }
    : {};
};

const BY_OPERATION: Record<OperationCapability['operation'], (source: ParamSource, operation: OperationCapability) => Params> = {
  'text-generation': (source) => textGeneration(source),
  embeddings: () => ({
    encoding_format: { type: 'string', enum: ['float', 'base64'], default: 'float', description: 'Vector encoding in the response.' },
  }),
  'image-generation': (_, operation) => imageParams(operation),
  'image-edit': (_, operation) => imageParams(operation),
  'object-detection': () => ({
    confidence: { type: 'number', minimum: 0, maximum: 1, default: 0.4, description: 'Minimum detection confidence.' },
    overlap: { type: 'number', minimum: 0, maximum: 1, default: 0.3, description: 'IoU threshold for merging boxes.' },
  }),
  'image-classification': () => ({
    confidence: { type: 'number', minimum: 0, maximum: 1, default: 0.4, description: 'Minimum class confidence.' },
  }),
  speech: () => ({
    voice: { type: 'string', description: 'Voice identifier.' },
    response_format: { type: 'string', enum: ['mp3', 'opus', 'aac', 'flac', 'wav', 'pcm'], default: 'mp3', description: 'Audio container.' },
    speed: { type: 'number', minimum: 0.25, maximum: 4, default: 1, description: 'Playback speed multiplier.' },
  }),
  transcription: () => ({
    language: { type: 'string', description: 'ISO-639-1 language of the audio; detected when omitted.' },
    prompt: { type: 'string', description: 'Text to guide spelling and style.' },
    response_format: { type: 'string', enum: ['json', 'text', 'srt', 'verbose_json', 'vtt'], default: 'json', description: 'Transcript format.' },
    temperature: { type: 'number', minimum: 0, maximum: 1, default: 0, description: 'Sampling temperature.' },
  }),
  'video-generation': (_, operation) => videoParams(operation),
  moderation: () => ({}),
};

export const deriveParams = (source: ParamSource, overrides: Readonly<Params> = {}): Params => {
  const derived: Params = Object.assign({}, ...source.operations.map((operation) => BY_OPERATION[operation.operation](source, operation)));
  return { ...derived, ...overrides };
};

export const paramDefaults = (params: Readonly<Params>): Record<string, unknown> =>
  Object.fromEntries(Object.entries(params).flatMap(([name, spec]) => (spec.default === undefined ? [] : [[name, spec.default]])));
