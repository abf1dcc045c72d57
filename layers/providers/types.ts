/**
 * The provider specification: one canonical request in, one canonical stream of parts out.
 * Adapters implement it; nothing outside `layers/providers/<name>/` knows a provider's wire format.
 * Both API serializers (Chat Completions, Responses) consume `StreamPart`s, so every provider serves both.
 */
import type { ProviderFetch } from './http/provider-response.ts';

export type ProviderId =
  | 'openai'
  | 'azure'
  | 'fireworks'
  | 'aiml'
  | 'hugging face'
  | 'alibaba'
  | 'cloudflare'
  | 'asicloud'
  | 'gemini'
  | 'vertex'
  | 'deepgram'
  | 'elevenlabs'
  | 'cartesia'
  | 'roboflow';

export type ContentPart =
  | { readonly type: 'text'; readonly text: string }
  /** `url` is an http(s) URL or a data URL; `data` is base64 without a data-URL prefix. */
  | { readonly type: 'image'; readonly url?: string; readonly data?: string; readonly mediaType?: string; readonly detail?: 'auto' | 'low' | 'high' }
  | { readonly type: 'audio'; readonly data: string; readonly mediaType: string }
  | { readonly type: 'file'; readonly url?: string; readonly data?: string; readonly mediaType: string; readonly filename?: string };

export interface ToolCall {
  readonly id: string;
  readonly name: string;
  /** JSON text, exactly as the model produced it. */
  readonly arguments: string;
}

export type CanonicalMessage =
  | { readonly role: 'system' | 'developer'; readonly content: string }
  | { readonly role: 'user'; readonly content: readonly ContentPart[] }
  | {
      readonly role: 'assistant';
      readonly content: string | null;
      readonly reasoning?: string;
      readonly toolCalls?: readonly ToolCall[];
      /** The provider's opaque reasoning state for this turn's text (Gemini's `thoughtSignature`), sent back with it. */
      readonly thoughtSignature?: string;
    }
  | { readonly role: 'tool'; readonly toolCallId: string; readonly content: string };

export interface FunctionTool {
  readonly type: 'function';
  readonly name: string;
  readonly description?: string;
  /** JSON Schema of the arguments. */
  readonly parameters: Record<string, unknown>;
  readonly strict?: boolean;
}

export type ToolChoice = 'auto' | 'none' | 'required' | { readonly type: 'function'; readonly name: string };

export type ResponseFormat =
  | { readonly type: 'text' }
  | { readonly type: 'json_object' }
  | { readonly type: 'json_schema'; readonly name: string; readonly schema: Record<string, unknown>; readonly strict?: boolean; readonly description?: string };

export interface ReasoningOptions {
  readonly effort?: string;
  readonly summary?: string;
}

export interface CanonicalRequest {
  /** The provider's wire model (the catalog's `upstreamModelId`). */
  readonly model: string;
  readonly messages: readonly CanonicalMessage[];
  readonly tools?: readonly FunctionTool[];
  readonly toolChoice?: ToolChoice;
  readonly responseFormat?: ResponseFormat;
  readonly parallelToolCalls?: boolean;
  readonly maxOutputTokens?: number;
  readonly temperature?: number;
  readonly topP?: number;
  readonly stop?: readonly string[];
  readonly seed?: number;
  readonly reasoning?: ReasoningOptions;
  /**
   * Whether the catalog marks the model as a reasoning model. `false` drops reasoning options with a warning (a
   * non-reasoning deployment refuses `reasoning_effort`); undefined leaves the decision to the adapter.
   */
  readonly reasoningModel?: boolean;
  readonly user?: string;
  /** Provider-specific fields the client sent that the gateway does not model; passed through where accepted. */
  readonly extra?: Readonly<Record<string, unknown>>;
}

export type FinishReason = 'stop' | 'length' | 'tool_calls' | 'content_filter' | 'error' | 'other';

export interface Usage {
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly totalTokens?: number;
  /** Input tokens served from the provider's prompt cache (billed at the cached rate). */
  readonly cachedInputTokens?: number;
  /** Output tokens spent on reasoning (already counted in outputTokens). */
  readonly reasoningTokens?: number;
}

export interface StreamError {
  /** HTTP status the provider answered with, when there was one. */
  readonly status?: number;
  readonly code: string;
  /** Already sanitized: no URLs, keys or provider internals. */
  readonly message: string;
}

/** The canonical stream. A provider stage emits these; serializers consume them. */
export type StreamPart =
  | { readonly type: 'response-metadata'; readonly id?: string; readonly model?: string; readonly created?: number }
  | { readonly type: 'text-delta'; readonly delta: string }
  | { readonly type: 'reasoning-delta'; readonly delta: string }
  /** `index` identifies the call across deltas; `id` and `name` arrive on the first delta of a call. */
  | { readonly type: 'tool-call-delta'; readonly index: number; readonly id?: string; readonly name?: string; readonly argumentsDelta: string }
  | { readonly type: 'usage'; readonly usage: Usage }
  | { readonly type: 'finish'; readonly finishReason: { readonly unified: FinishReason; readonly raw?: string } }
  | { readonly type: 'warning'; readonly message: string }
  /** Opaque reasoning state the provider attached to the answer's text (Gemini); kept with the turn, never shown. */
  | { readonly type: 'thought-signature'; readonly signature: string }
  | { readonly type: 'error'; readonly error: StreamError };

export interface CallOptions {
  /** Aborts the upstream call: client gone, cancel, or deadline. */
  readonly signal: AbortSignal;
  readonly requestId: string;
  /** Ask the provider to report usage on streams (the gateway always meters). */
  readonly includeUsage?: boolean;
  /** Told of each retry before the first byte, so the gateway can report `x-routing-attempts`. */
  readonly onRetry?: (info: { readonly retry: number; readonly delayMs: number; readonly reason: string }) => void;
}

export interface TextModelAdapter {
  readonly provider: ProviderId;
  /** A non-streamed call, returned as the same parts a stream would have produced. */
  generate(request: CanonicalRequest, options: CallOptions): Promise<StreamPart[]>;
  /**
   * Resolves once the provider has answered with a streaming body (retries happen before this resolves);
   * the iterable then yields parts as the provider's bytes arrive. A failure after that is an `error` part.
   */
  stream(request: CanonicalRequest, options: CallOptions): Promise<AsyncIterable<StreamPart>>;
}

/** How an adapter reaches its provider. Injected so tests and the local runtime point it at a simulator. */
export interface ProviderTransport {
  readonly baseURL: string;
  /** Read at call time so rotated secrets apply without a restart. */
  readonly apiKey: () => Promise<string> | string;
  readonly fetch?: ProviderFetch;
  /** Per-attempt timeout before the first byte. */
  readonly timeoutMs?: number;
  readonly maxRetries?: number;
  /** Provider-specific settings (Azure api-version, Cloudflare account id, Vertex project and location...). */
  readonly options?: Readonly<Record<string, string>>;
}
