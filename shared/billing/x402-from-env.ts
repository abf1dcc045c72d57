import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Address, PublicClient } from 'viem';
import {
  AVALANCHE_FUJI,
  checksumAddress,
  publicClientFor,
  relayerAccount,
  relayerChainFor,
  BASE_SEPOLIA,
  createExposureStore,
  createNetworkRegistry,
  createNonceStore,
  usdcAbi,
  createPaymentGate,
  createTokenDomainReader,
  settlementFromEnv,
  type Network,
  type NetworkConfig,
  type RelayerChain,
  type TokenDomainReader,
} from '../../layers/x402/index.ts';
import { tableNameFromEnv } from '../../layers/core/tables.ts';
import { X402_MIN_VALIDITY_SECONDS, type BillingSignIn } from './x402.ts';
import { X402_ENV } from './x402-env.ts';

export { X402_ENV } from './x402-env.ts';

const settleFirstMinAmount = (value: string | undefined): { settleFirstMinAmount: bigint } | undefined => {
  if (value === undefined || value.trim() === '') return undefined;
  if (!/^\d{1,30}$/.test(value.trim())) throw new Error(`${X402_ENV.settleFirstMinAtomic} must be an atomic amount (an integer), not ${value}`);
  return { settleFirstMinAmount: BigInt(value.trim()) };
};

/** A network's configured EIP-712 domain (NetworkConfig.eip712) wins; the chain is asked only for the others. */
const withConfiguredDomains = (reader: TokenDomainReader, configs: readonly NetworkConfig[]): TokenDomainReader => ({
  read: (network, token) => {
    const known = configs.find((c) => c.network === network && c.usdc.toLowerCase() === token.toLowerCase())?.eip712;
    return known ? Promise.resolve({ name: known.name, version: known.version }) : reader.read(network, token);
  },
});

/** Reads a named value from the provider secret (deployed) or the environment (locally). */
export type SecretValues = (name: string) => Promise<string | undefined>;

/**
 * The facilitator's credentials, read per call so a rotated secret applies without a restart: a JSON object of
 * header → value (e.g. `{"Authorization": "Bearer …"}`). A malformed value fails the call, never silently drops auth.
 */
export const facilitatorHeadersFrom = (secrets: SecretValues) => async (): Promise<Record<string, string>> => {
  const text = await secrets(X402_ENV.facilitatorHeaders);
  if (text === undefined) return {};
  const parsed: unknown = JSON.parse(text);
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed) || Object.values(parsed).some((v) => typeof v !== 'string')) {
    throw new Error(`${X402_ENV.facilitatorHeaders} must be a JSON object of header names to string values`);
  }
  return parsed as Record<string, string>;
};

/**
 * Sign-In-With-X, its module imported on the first request that signs in or is challenged to: the SIWX verifier
 * (@x402/extensions with its own zod 3, the SIWE message parser, Solana signature code) is most of the x402
 * package's code, which the settlement worker and every paid call that only pays never need.
 */
const lazySignIn = (doc: DynamoDBDocumentClient, tableName: string): BillingSignIn => {
  let loading: ReturnType<typeof load> | undefined;
  const load = async () => (await import('../../layers/x402/sign-in.ts')).createSignIn({ client: doc, tableName });
  const signIn = () =>
    (loading ??= load().catch((error: unknown) => {
      loading = undefined;
      throw error;
    }));
  return {
    challenge: async (...args) => (await signIn()).challenge(...args),
    prove: async (...args) => (await signIn()).prove(...args),
  };
};

/** The x402 machinery a deployment is configured with, or undefined when x402 is off (no X402_PAY_TO). */
export const x402PaymentsFromEnv = (env: NodeJS.ProcessEnv, doc: DynamoDBDocumentClient, secrets?: SecretValues) => {
  const payTo = env[X402_ENV.payTo];
  if (!payTo) return undefined;
  const configs: NetworkConfig[] = env[X402_ENV.networks] ? (JSON.parse(env[X402_ENV.networks]!) as NetworkConfig[]) : [AVALANCHE_FUJI, BASE_SEPOLIA];
  const networks = createNetworkRegistry(configs, (env[X402_ENV.defaultNetwork] ?? configs[0]!.network) as Network);

  const publics = new Map<Network, PublicClient>();
  const publicFor = (network: Network): PublicClient => {
    let client = publics.get(network);
    if (!client) {
      client = publicClientFor(networks.get(network)!);
      publics.set(network, client);
    }
    return client;
  };

  const relayerChains = (): Readonly<Partial<Record<Network, RelayerChain>>> => {
    const key = env[X402_ENV.relayerKey];
    if (!key) throw new Error(`${X402_ENV.relayerKey} is required for relayer settlement`);
    const account = relayerAccount(key);
    return Object.fromEntries(
      configs
        .filter((c) => c.rpcUrl)
        .map((c) => [c.network, relayerChainFor(c, account, publicFor(c.network))]),
    ) as Partial<Record<Network, RelayerChain>>;
  };

  const settlement = settlementFromEnv(env, { relayerChains, ...(secrets ? { facilitator: { headers: facilitatorHeadersFrom(secrets) } } : {}) });
  const tableName = tableNameFromEnv('nonces', env);
  const nonces = createNonceStore({ client: doc, tableName });
  // In-flight exposure lives beside the nonces (its own key prefix): one item per payer, asset and network.
  const exposure = {
    store: createExposureStore({ client: doc, tableName }),
    balanceOf: (network: Network, asset: Address, payer: Address) =>
      publicFor(network).readContract({ address: asset, abi: usdcAbi, functionName: 'balanceOf', args: [payer] }),
  };
  return {
    gate: createPaymentGate({ settlement, nonces, exposure, minValiditySeconds: X402_MIN_VALIDITY_SECONDS }),
    signIn: lazySignIn(doc, tableName),
    ...(env[X402_ENV.publicOrigin] ? { publicOrigin: env[X402_ENV.publicOrigin] } : {}),
    ...(settleFirstMinAmount(env[X402_ENV.settleFirstMinAtomic]) ?? {}),
    settlement,
    networks,
    domains: withConfiguredDomains(createTokenDomainReader(publicFor), configs),
    payTo: checksumAddress(payTo),
  };
};
