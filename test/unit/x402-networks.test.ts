import { describe, expect, it } from 'vitest';
import { InvalidRequestError } from '../../layers/core/errors.ts';
import { settlementFromEnv } from '../../layers/x402/config.ts';
import { AVALANCHE_FUJI, BASE_SEPOLIA, caip2, chainIdOf, createNetworkRegistry } from '../../layers/x402/networks.ts';

const local = { network: caip2(31337), chainId: 31337, name: 'Local anvil', usdc: '0x5FbDB2315678afecb367f032d93F642f64180aa3' } as const;
const registry = createNetworkRegistry([AVALANCHE_FUJI, BASE_SEPOLIA, local], 'eip155:43113');

describe('payment networks', () => {
  it('knows Avalanche Fuji and Base Sepolia with their USDC contracts', () => {
    expect(AVALANCHE_FUJI).toMatchObject({ network: 'eip155:43113', chainId: 43113, usdc: '0x5425890298aed601595a70AB815c96711a31Bc65' });
    expect(BASE_SEPOLIA).toMatchObject({ network: 'eip155:84532', chainId: 84532, usdc: '0x036CbD53842c5426634e7929541eC2318f3dCF7e' });
    expect(chainIdOf('eip155:84532')).toBe(84532);
  });

  it('selects the network from x-chain-id, and the default without it', () => {
    expect(registry.fromChainIdHeader('84532')).toBe(BASE_SEPOLIA);
    expect(registry.fromChainIdHeader(' 31337 ')).toBe(local);
    expect(registry.fromChainIdHeader(undefined)).toBe(AVALANCHE_FUJI);
    expect(registry.get('eip155:43113')).toBe(AVALANCHE_FUJI);
  });

  it.each(['1', 'base', '-5', '0x14a34'])('refuses x-chain-id %s with 400 unsupported_chain_id', (header) => {
    const error = (() => {
      try {
        registry.fromChainIdHeader(header);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(InvalidRequestError);
    expect(error).toMatchObject({ status: 400, code: 'unsupported_chain_id', param: 'x-chain-id' });
  });

  it('refuses a default network that is not configured', () => {
    expect(() => createNetworkRegistry([BASE_SEPOLIA], 'eip155:43113')).toThrow(/default network/);
  });
});

describe('settlement chosen by configuration', () => {
  it('defaults to the relayer and builds its wallets only then', () => {
    let built = 0;
    const relayerChains = () => {
      built++;
      return {};
    };
    expect(settlementFromEnv({}, { relayerChains }).mode).toBe('relayer');
    expect(settlementFromEnv({ X402_SETTLEMENT: 'facilitator', X402_FACILITATOR_URL: 'http://127.0.0.1:1' }, { relayerChains }).mode).toBe('facilitator');
    expect(built).toBe(1);
  });

  it('refuses an incomplete or unknown configuration', () => {
    expect(() => settlementFromEnv({ X402_SETTLEMENT: 'facilitator' }, {})).toThrow(/X402_FACILITATOR_URL/);
    expect(() => settlementFromEnv({ X402_SETTLEMENT: 'bank' }, {})).toThrow(/relayer or facilitator/);
  });
});

