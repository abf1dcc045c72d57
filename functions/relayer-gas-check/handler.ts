/**
 * Scheduled (EventBridge, every few minutes): publishes the relayer wallet's gas balance per network as the
 * RelayerGasBalance metric, which the stage's low-gas alarm watches. A network it cannot read gets no data
 * point, and the alarm treats missing data as breaching.
 */
import { getAddress, type Address } from 'viem';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { X402_ENV } from '../../shared/billing/x402-env.ts';
import { METRIC, describeError, emit, logger, withObservability } from '../../layers/core/observability/index.ts';
import { readRelayerGas, rpcBalance, type GasNetwork } from '../../shared/observability/relayer-gas.ts';

export const RELAYER_ADDRESS_ENV = 'X402_RELAYER_ADDRESS';

const address = getAddress(process.env[RELAYER_ADDRESS_ENV]!) as Address;
const networks = JSON.parse(process.env[X402_ENV.networks] ?? '[]') as GasNetwork[];

export const handler = withObservability(async (): Promise<void> => {
  const { readings, failures } = await readRelayerGas(address, networks, rpcBalance);
  for (const { network, balance } of readings) emit(METRIC.relayerGas, balance, MetricUnit.NoUnit, { network });
  for (const { network, error } of failures) logger.error('relayer gas balance not read', { network, address, error: describeError(error) });
});
