/**
 * The local chain's accounts: anvil's well-known development mnemonic, so every key here is public knowledge and
 * worth nothing anywhere but on this loopback chain. Never use these keys (or this module) outside local/test.
 */
import { bytesToHex, type Address, type Hex } from 'viem';
import { mnemonicToAccount } from 'viem/accounts';

export const ANVIL_DEV_MNEMONIC = 'test test test test test test test test test test test junk';

export interface DevAccount {
  readonly address: Address;
  /** A well-known anvil development key. */
  readonly privateKey: Hex;
}

export const devAccount = (index: number): DevAccount => {
  const account = mnemonicToAccount(ANVIL_DEV_MNEMONIC, { addressIndex: index });
  const key = account.getHdKey().privateKey;
  if (!key) throw new Error(`no private key derived for dev account ${index}`);
  return { address: account.address, privateKey: bytesToHex(key) };
};

/** Who does what on the local chain; anvil funds indices 0–9 with ETH for gas. */
export const DEV_ROLES = {
  /** Deploys the contracts and owns (mints) the test USDC. */
  deployer: 0,
  /** The built-in relayer: submits settlements and is the upto facilitator. */
  relayer: 1,
  /** Receives payments (the gateway's `payTo` locally). */
  merchant: 2,
  /** Payers get test USDC and a Permit2 approval. */
  firstWallet: 3,
} as const;

export const ANVIL_FUNDED_ACCOUNTS = 10;
