/**
 * The media side of the provider specification. Like the text spec, each adapter turns one canonical request into
 * its provider's wire format and the provider's answer into one canonical result, so routes and billing never
 * know a provider. Binary payloads travel as byte streams or Uint8Arrays, never as base64 strings in the core.
 */
import type { StreamedBytes } from '../core/media/streamed.ts';
import type { CallOptions, ProviderId } from './types.ts';

export interface EmbeddingRequest {
  readonly model: string;
  /** Strings, or token arrays as OpenAI accepts them. */
  readonly input: readonly (string | readonly number[])[];
  readonly dimensions?: number;
  readonly user?: string;
}

export interface EmbeddingResult {
  readonly vectors: readonly (readonly number[])[];
  readonly inputTokens: number;
}

export interface ImageRequest {
  readonly model: string;
  readonly prompt: string;
  readonly n: number;
  /** `WIDTHxHEIGHT`, resolved to the provider's default when the client sent none. */
  readonly size: string;
  readonly quality: string;
  /** For edits: the source image(s) (an upload is streamed, not held) and an optional mask. */
  readonly images?: readonly MediaInput[];
  readonly mask?: MediaFile;
  readonly extra?: Readonly<Record<string, unknown>>;
  /** On streamed calls: how many partial images (0–3) the provider should send before each finished one. */
  readonly partialImages?: number;
}

export type { StreamedBytes } from '../core/media/streamed.ts';

export interface MediaFile<Data extends Uint8Array | StreamedBytes = Uint8Array> {
  readonly data: Data;
  readonly mediaType: string;
  readonly filename?: string;
}

/** A file a provider is sent: bytes in memory, or a stream of known size (adapters that cannot stream read it, bounded). */
export type MediaInput = MediaFile<Uint8Array | StreamedBytes>;

export interface ImageResult {
  /** The images as bytes (a provider that answers with URLs is downloaded by the adapter). */
  readonly images: readonly MediaFile[];
  readonly revisedPrompts?: readonly (string | undefined)[];
  /** What the provider says it produced, when the request left it to the provider (`auto`): billing uses it. */
  readonly quality?: string;
  readonly size?: string;
}

/** What a provider reports about an image it streams (what it chose where the request said `auto`). */
export interface ImageDetails {
  readonly size?: string;
  readonly quality?: string;
  readonly background?: string;
  /** png, jpeg or webp. */
  readonly outputFormat?: string;
}

/** GPT Image token usage, as the provider reports it with a finished image. */
export interface ImageTokenUsage {
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly totalTokens: number;
  readonly textTokens?: number;
  readonly imageTokens?: number;
}

/**
 * One event of a streamed image call: a partial rendering (`index` counts partials from 0), or a finished image.
 * Providers that cannot stream images are served as their finished images only: there are no fake partials.
 */
export type ImageStreamEvent =
  | { readonly type: 'partial'; readonly index: number; readonly image: MediaFile; readonly details: ImageDetails }
  | {
      readonly type: 'completed';
      readonly image: MediaFile;
      readonly details: ImageDetails;
      readonly revisedPrompt?: string;
      readonly usage?: ImageTokenUsage;
    };

export interface SpeechRequest {
  readonly model: string;
  readonly input: string;
  readonly voice: string;
  /** mp3, opus, aac, flac, wav, pcm. */
  readonly format: string;
  readonly speed?: number;
  /** How the voice should sound, for steerable models (gpt-4o-mini-tts). */
  readonly instructions?: string;
  /** ISO 639-1 language to speak in, for providers whose API takes one (ElevenLabs, Cartesia). */
  readonly language?: string;
}

export interface SpeechResult {
  readonly audio: ReadableStream<Uint8Array>;
  readonly mediaType: string;
}

export interface TranscriptionRequest {
  readonly model: string;
  readonly file: MediaInput;
  readonly language?: string;
  readonly prompt?: string;
}

export interface TranscriptionSegment {
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

export interface TranscriptionResult {
  readonly text: string;
  readonly language?: string;
  /** Seconds of audio: what transcription is billed on. */
  readonly durationSeconds: number;
  readonly segments?: readonly TranscriptionSegment[];
}

/** OpenAI's moderation input: text, several texts, or multimodal parts (`text`, `image_url`). */
export interface ModerationRequest {
  readonly model: string;
  readonly input: string | readonly string[] | readonly Readonly<Record<string, unknown>>[];
}

/** The provider's moderation answer as OpenAI shapes it: one result per input, passed through. */
export interface ModerationResult {
  readonly id: string;
  readonly model: string;
  readonly results: readonly Readonly<Record<string, unknown>>[];
}

/** A transcript as the provider streams it: text as it is recognised, then the whole result once. */
export type TranscriptStreamEvent = { readonly type: 'delta'; readonly text: string } | { readonly type: 'done'; readonly result: TranscriptionResult };

export interface VideoRequest {
  readonly model: string;
  readonly prompt: string;
  readonly durationSeconds: number;
  readonly resolution: string;
  readonly aspectRatio?: string;
  readonly image?: MediaFile;
}

/** A provider's long-running video operation, as the worker polls it. */
export type VideoJobState =
  | { readonly status: 'queued' | 'in_progress'; readonly progress?: number }
  | { readonly status: 'completed'; readonly videoUrl: string; readonly headers?: Readonly<Record<string, string>> }
  | { readonly status: 'failed'; readonly error: { readonly code: string; readonly message: string } };

export interface VisionRequest {
  readonly model: string;
  readonly image: MediaFile | { readonly url: string };
  /** Minimum confidence of a returned prediction, 0–1. */
  readonly confidence?: number;
  /** Candidate classes for zero-shot classifiers (CLIP), which score the image against them. */
  readonly labels?: readonly string[];
}

export interface VisionResult {
  /** The provider's detections or classes, as JSON (served through the Responses API). */
  readonly result: Readonly<Record<string, unknown>>;
}

export interface MediaAdapter {
  readonly provider: ProviderId;
  embed?(request: EmbeddingRequest, options: CallOptions): Promise<EmbeddingResult>;
  generateImage?(request: ImageRequest, options: CallOptions): Promise<ImageResult>;
  editImage?(request: ImageRequest, options: CallOptions): Promise<ImageResult>;
  /**
   * Image generation (edits) as the provider streams it: resolves once the provider has answered (a refusal
   * rejects, as for `generateImage`); the iterable then yields events and throws a typed `UpstreamError` if
   * the stream breaks. Absent where the provider cannot stream images.
   */
  streamImageGeneration?(request: ImageRequest, options: CallOptions): Promise<AsyncIterable<ImageStreamEvent>>;
  streamImageEdit?(request: ImageRequest, options: CallOptions): Promise<AsyncIterable<ImageStreamEvent>>;
  speak?(request: SpeechRequest, options: CallOptions): Promise<SpeechResult>;
  transcribe?(request: TranscriptionRequest, options: CallOptions): Promise<TranscriptionResult>;
  /** Speech in any language to English text (OpenAI's `audio/translations`); `language` is not sent. */
  translate?(request: TranscriptionRequest, options: CallOptions): Promise<TranscriptionResult>;
  moderate?(request: ModerationRequest, options: CallOptions): Promise<ModerationResult>;
  /**
   * Transcription as the provider streams it (resolves once it has answered; the iterable ends with one
   * `done`, or throws a typed `UpstreamError`). Absent where the provider cannot stream transcripts.
   */
  streamTranscription?(request: TranscriptionRequest, options: CallOptions): Promise<AsyncIterable<TranscriptStreamEvent>>;
  submitVideo?(request: VideoRequest, options: CallOptions): Promise<{ readonly operationId: string }>;
  pollVideo?(operationId: string, options: CallOptions): Promise<VideoJobState>;
  detect?(request: VisionRequest, options: CallOptions): Promise<VisionResult>;
}
