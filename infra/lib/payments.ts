/**
 * The environment the payment code reads (shared/keys/config.ts, shared/billing/x402-from-env.ts,
 * layers/x402/config.ts), built from the stage config. The variable names are imported from that code so the
 * stack cannot set one that nothing reads. Which functions get which set is the stack's call: Compose Keys
 * for every charging family, x402 only where a route takes `payment` (those also hold the nonces table).
 */
import { SETTLEMENT_ENV } from '../../layers/x402/config.ts';
import { X402_ENV } from '../../shared/billing/x402-from-env.ts';
import { KEY_ENV } from '../../shared/keys/config.ts';
import type { StageConfig } from './config.ts';

/** COMPOSE_KEYS_JWKS when a JWKS is configured; without it the functions refuse every key with 401. */
export const composeKeysEnvironment = (config: StageConfig): Record<string, string> =>
  config.composeKeysJwks ? { [KEY_ENV.jwks]: config.composeKeysJwks } : {};

/**
 * The x402 settings when x402 is on (a payTo address is configured), else nothing, which keeps x402 off.
 * Settlement is always through the facilitator here: relayer mode reads X402_RELAYER_PRIVATE_KEY from the
 * environment only, and the stack never puts a private key in a plain environment variable. Relayer mode in
 * the cloud needs the code to read that key from the provider secret (Secrets Manager) first; it does not
 * yet, so `checkPayments` in config.ts refuses a payTo without a facilitator URL.
 */
export const x402Environment = (config: StageConfig): Record<string, string> => {
  if (!config.x402PayTo || !config.x402FacilitatorUrl) return {};
  return {
    [X402_ENV.payTo]: config.x402PayTo,
    [X402_ENV.defaultNetwork]: config.x402Network,
    ...(config.x402Networks ? { [X402_ENV.networks]: config.x402Networks } : {}),
    [SETTLEMENT_ENV.mode]: 'facilitator',
    [SETTLEMENT_ENV.facilitatorUrl]: config.x402FacilitatorUrl,
    ...(config.x402SettleFirstMinAtomic ? { [X402_ENV.settleFirstMinAtomic]: config.x402SettleFirstMinAtomic } : {}),
  };
};
