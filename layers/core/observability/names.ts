/**
 * Names shared by the code that emits telemetry and the stack that alarms on it (infra/lib/monitoring.ts), so
 * the two cannot drift apart. No Powertools import here: the CDK app reads these without loading the SDKs.
 */
export const METRICS_NAMESPACE = 'ComposeInference';

/**
 * EMF metric names (layers/core/observability/index.ts emits them). Calls, FirstByteLatency and SpendUsd are a
 * call's metrics, written together in one line: each also under the stage alone, by family and by model.
 */
export const METRIC = {
  /** One per dispatched request, dimension `family`. */
  calls: 'Calls',
  /** Milliseconds from the request to the provider's first byte. */
  firstByteLatency: 'FirstByteLatency',
  /** Provider failures answered as errors, dimension `code` (the stable error code). */
  providerErrors: 'ProviderErrors',
  /** x402 settlements, dimension `outcome` (settled, queued, unqueued; retried, retry_failed from the worker). */
  settlements: 'Settlements',
  /** Holds given back because they outlived their call. */
  staleHoldReleases: 'StaleHoldReleases',
  /** USD charged, dimension `model`. */
  spend: 'SpendUsd',
  /** The relayer wallet's native-token balance, dimension `network`. */
  relayerGas: 'RelayerGasBalance',
} as const;

/** Log events an alarm's metric filter matches on (the `event` key of the log line). */
export const LOG_EVENT = {
  settlementUnqueued: 'x402_settlement_unqueued',
} as const;
