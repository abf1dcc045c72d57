/**
 * When and how long to wait before another attempt. Pure functions, so the policy is testable without a clock.
 * Shape after openai-node: exponential backoff with jitter, `retry-after-ms` / `Retry-After` honoured, and the
 * provider's `x-should-retry` hint respected when present.
 */
import type { ProviderHeaders } from './provider-response.ts';

export interface BackoffSettings {
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

export const DEFAULT_BACKOFF: BackoffSettings = { baseDelayMs: 500, maxDelayMs: 8_000 };

/** 408 and 429 are transient by definition; 5xx means the provider failed, not the request. */
export const isRetryableStatus = (status: number): boolean => status === 408 || status === 429 || status >= 500;

/** A provider may say explicitly whether a retry can help; that overrides the status rule. */
export const shouldRetryResponse = (status: number, headers: ProviderHeaders): boolean => {
  const hint = headers.get('x-should-retry');
  if (hint === 'true') return true;
  if (hint === 'false') return false;
  return isRetryableStatus(status);
};

/**
 * Milliseconds the provider asked us to wait, or undefined when it did not say (or said nonsense).
 * `retry-after-ms` (OpenAI, Azure) wins over `Retry-After`, which is either delta-seconds or an HTTP date.
 */
export const parseRetryAfter = (headers: ProviderHeaders, now: number = Date.now()): number | undefined => {
  const milliseconds = headers.get('retry-after-ms');
  if (milliseconds !== null && milliseconds.trim() !== '') {
    const value = Number(milliseconds);
    if (Number.isFinite(value) && value >= 0) return value;
  }
  const retryAfter = headers.get('retry-after');
  if (retryAfter === null || retryAfter.trim() === '') return undefined;
  const seconds = Number(retryAfter);
  if (Number.isFinite(seconds)) return seconds >= 0 ? seconds * 1000 : undefined;
  const date = Date.parse(retryAfter);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
};

/** Exponential backoff with up to 25% jitter subtracted, so synchronized clients spread out. */
export const backoffDelay = (retryNumber: number, settings: BackoffSettings = DEFAULT_BACKOFF, random: () => number = Math.random): number => {
  const exponential = Math.min(settings.maxDelayMs, settings.baseDelayMs * 2 ** retryNumber);
  return Math.round(exponential * (1 - 0.25 * random()));
};
