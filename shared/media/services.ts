/** Everything the media routes need from outside, injected so the same code runs locally, in tests and in Lambda. */
import type { MediaAdapter } from '../../layers/providers/media-types.ts';
import type { ProviderId } from '../../layers/providers/types.ts';
import type { IdempotencyStore } from '../stores/idempotency.ts';
import type { UploadStore } from '../uploads/store.ts';
import type { MediaStore } from './storage/store.ts';

export interface MediaSettings {
  /** The hard bound on one provider call (the media function's Lambda timeout is 300 s). */
  readonly deadlineMs: number;
  /**
   * A deployment's own cap on uploaded files, below the providers' documented limits (unset: those limits).
   * API Gateway already refuses bodies over 10 MB.
   */
  readonly maxUploadBytes?: number;
  /** Streamed answers: how long the provider may be silent before a keep-alive comment goes out. */
  readonly heartbeatMs?: number;
}

export interface MediaServices {
  readonly adapterFor: (provider: ProviderId) => MediaAdapter;
  readonly store: MediaStore;
  /** Files uploaded before a call (POST /v1/uploads), named by `file_id`: read from S3 as a stream. */
  readonly uploads: UploadStore;
  readonly idempotency: IdempotencyStore;
  readonly settings: MediaSettings;
}

export const MEDIA_ENV = { deadlineMs: 'MEDIA_DEADLINE_MS', maxUploadBytes: 'MEDIA_MAX_UPLOAD_BYTES' } as const;

const positive = (value: string | undefined): number | undefined => {
  const number = Number(value);
  return value !== undefined && value.trim() !== '' && Number.isFinite(number) && number > 0 ? number : undefined;
};

export const mediaSettingsFromEnv = (env: NodeJS.ProcessEnv = process.env): MediaSettings => {
  const maxUploadBytes = positive(env[MEDIA_ENV.maxUploadBytes]);
  return {
    deadlineMs: positive(env[MEDIA_ENV.deadlineMs]) ?? 280_000,
    ...(maxUploadBytes ? { maxUploadBytes } : {}),
    // The text streams' setting: one keep-alive rhythm for every stream the gateway sends.
    heartbeatMs: positive(env.SSE_HEARTBEAT_MS) ?? 15_000,
  };
};

/** The smaller of a provider's documented limit and the deployment's cap. */
export const uploadLimit = (settings: MediaSettings, providerLimit: number): number => Math.min(providerLimit, settings.maxUploadBytes ?? providerLimit);
