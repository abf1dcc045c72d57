/**
 * Picks the settlement implementation from configuration, at the composition root (a function's entry or the
 * local runtime). Clients are still built by the caller and passed in: this module only chooses.
 *
 *   X402_SETTLEMENT       relayer (default) | facilitator
 *   X402_FACILITATOR_URL  base URL of the x402 facilitator, required for `facilitator`
 */
import { createFacilitatorSettlement, type FacilitatorOptions } from './facilitator.ts';
import { createRelayerSettlement, type RelayerChain } from './relayer.ts';
import type { Network } from './schemas.ts';
import type { Settlement } from './settlement.ts';

export const SETTLEMENT_ENV = { mode: 'X402_SETTLEMENT', facilitatorUrl: 'X402_FACILITATOR_URL' } as const;

export interface SettlementDeps {
  /** Relayer wallets per network; built lazily so facilitator mode never needs the relayer key. */
  readonly relayerChains?: () => Readonly<Partial<Record<Network, RelayerChain>>>;
  readonly facilitator?: Omit<FacilitatorOptions, 'url'>;
}

export const settlementFromEnv = (env: NodeJS.ProcessEnv, deps: SettlementDeps): Settlement => {
  const mode = (env[SETTLEMENT_ENV.mode] ?? 'relayer').trim();
  if (mode === 'facilitator') {
    const url = env[SETTLEMENT_ENV.facilitatorUrl];
    if (!url) throw new Error(`${SETTLEMENT_ENV.facilitatorUrl} is required when ${SETTLEMENT_ENV.mode}=facilitator`);
    return createFacilitatorSettlement({ ...deps.facilitator, url });
  }
  if (mode === 'relayer') {
    if (!deps.relayerChains) throw new Error(`${SETTLEMENT_ENV.mode}=relayer needs relayer wallets`);
    return createRelayerSettlement({ chains: deps.relayerChains() });
  }
  throw new Error(`${SETTLEMENT_ENV.mode} must be relayer or facilitator, not ${mode}`);
};
