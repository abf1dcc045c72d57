import type { ProviderId, TextModelAdapter } from '../../layers/providers/types.ts';
import type { IdempotencyStore } from '../stores/idempotency.ts';
import type { ResponsesStore } from '../stores/responses.ts';
import type { ResolvedModel } from '../calls/resolved-model.ts';

export type { ResolvedModel };

export interface TextSettings {
  /** SSE comment cadence while the upstream is silent. */
  readonly heartbeatMs: number;
  /** How often a streaming response checks whether it was cancelled from elsewhere. */
  readonly cancelPollMs: number;
  /** The hard bound on one generation: Lambda gives no reliable disconnect signal. */
  readonly deadlineMs: number;
}

/** Everything the text pipeline needs from outside, injected so the same code runs locally, in tests and in Lambda. */
export interface TextServices {
  readonly resolveTextModel: (model: string, provider?: string) => ResolvedModel;
  readonly adapterFor: (provider: ProviderId) => TextModelAdapter;
  readonly responses: ResponsesStore;
  readonly idempotency: IdempotencyStore;
  readonly settings: TextSettings;
}

export const textSettingsFromEnv = (env: NodeJS.ProcessEnv = process.env): TextSettings => ({
  heartbeatMs: Number(env.SSE_HEARTBEAT_MS ?? 15_000),
  cancelPollMs: Number(env.CANCEL_POLL_MS ?? 1_000),
  deadlineMs: Number(env.GENERATION_DEADLINE_MS ?? 14 * 60_000),
});
