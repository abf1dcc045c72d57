/**
 * Start-up banner lines for `npm start`: the chain, the contracts and the funded test wallets. Printing these
 * keys is deliberate and safe: they are anvil's public development keys, worthless off this loopback chain.
 */
import type { LocalChain } from './index.ts';

const usdc = (atomic: bigint): string => `${atomic / 1_000_000n}.${(atomic % 1_000_000n).toString().padStart(6, '0')}`;

export const describeLocalChain = (chain: LocalChain, balances?: ReadonlyMap<string, bigint>): string[] => [
  `  chain:      ${chain.rpcUrl} (${chain.network}, anvil)`,
  `  test USDC:  ${chain.usdc}   Permit2: ${chain.permit2}   upto proxy: ${chain.uptoProxy}`,
  `  payTo:      ${chain.merchant.address}   relayer: ${chain.relayer.address}`,
  '  funded test wallets (anvil dev keys, local use only):',
  ...chain.wallets.map((w) => {
    const balance = balances?.get(w.address);
    return `    ${w.address}  ${w.privateKey}${balance === undefined ? '' : `  ${usdc(balance)} USDC`}`;
  }),
];
