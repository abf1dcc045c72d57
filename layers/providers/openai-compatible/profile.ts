/**
 * A provider of the OpenAI-compatible family is the shared Chat Completions adapter plus one of these:
 * the per-provider difference table. Transport (URL, auth headers) stays apart from parameter mapping
 * (quirks, reasoning fields), after Portkey's provider configs, but typed.
 */
import { UpstreamError } from '../../core/errors.ts';
import { UPSTREAM_CODES } from '../http/upstream-error.ts';
import type { ProviderId, ReasoningOptions } from '../types.ts';

export interface UrlContext {
  /** The transport's base URL, without a trailing slash. */
  readonly baseURL: string;
  /** The wire model (Azure: the deployment name). */
  readonly model: string;
  /** The transport's provider settings (Azure apiVersion, Cloudflare accountId...). */
  readonly options: Readonly<Record<string, string>>;
}

/** What a given model on this provider accepts. */
export interface ModelQuirks {
  /** Body fields this model rejects: removed before sending, each with a `warning` part. */
  readonly unsupported: readonly string[];
  readonly maxTokensField: 'max_tokens' | 'max_completion_tokens';
  /** Without a `developer` role, developer instructions are sent as `system`. */
  readonly developerRole: boolean;
}

export const DEFAULT_QUIRKS: ModelQuirks = { unsupported: [], maxTokensField: 'max_tokens', developerRole: false };

export interface ReasoningFields {
  readonly fields: Readonly<Record<string, unknown>>;
  readonly warnings: readonly string[];
}

export interface OpenAICompatibleProfile {
  readonly provider: ProviderId;
  /** Used when the transport does not override it. Undefined when it is per deployment (Azure). */
  readonly defaultBaseURL: string | undefined;
  chatCompletionsURL(context: UrlContext): string;
  authHeaders(apiKey: string): Record<string, string>;
  quirks(model: string): Partial<ModelQuirks>;
  readonly supports: {
    readonly audioInput: boolean;
    readonly fileInput: boolean;
    readonly jsonSchema: boolean;
    /** Honours `stream_options.include_usage`. */
    readonly streamUsage: boolean;
  };
  /** Reasoning options → wire fields. Without it: `reasoning_effort`. */
  reasoningFields?(reasoning: ReasoningOptions, model: string): ReasoningFields;
  /** True when this body can only be answered streamed: `generate` then streams and collects the parts. */
  mustStream?(body: Readonly<Record<string, unknown>>): boolean;
}

export const bearerAuth = (apiKey: string): Record<string, string> => ({ authorization: `Bearer ${apiKey}` });

/** `{baseURL}/chat/completions`: the path every provider but Azure and Cloudflare uses. */
export const standardChatURL = ({ baseURL }: UrlContext): string => `${baseURL}/chat/completions`;

/** A setting the transport must carry; missing means the gateway is misconfigured, not the request wrong. */
export const requireOption = (context: UrlContext, name: string, provider: ProviderId): string => {
  const value = context.options[name];
  if (value === undefined || value === '') {
    throw new UpstreamError(503, UPSTREAM_CODES.notConfigured, `The ${provider} provider is missing its "${name}" setting on this gateway.`);
  }
  return value;
};
