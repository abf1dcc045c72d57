/**
 * The local chain's accounts: anvil's well-known development mnemonic, so every key here is public knowledge and
 * worth nothing anywhere but on this loopback chain. Never use these keys (or this module) outside local/test.
 */
import { pbkdf2Sync } from 'node:crypto';
import { bytesToHex, type Address, type Hex } from 'viem';
import { HDKey, hdKeyToAccount } from 'viem/accounts';

export const ANVIL_DEV_MNEMONIC = 'test test test test test test test test test test test junk';

export interface DevAccount {
  readonly address: Address;
  /** A well-known anvil development key. */
  readonly privateKey: Hex;
}

let root: HDKey | undefined;
/**
 * The mnemonic's HD root, derived once per process: the BIP-39 seed is 2,048 rounds of PBKDF2-SHA512, ~40 ms of
 * CPU in viem's pure-JS `mnemonicToAccount`, which paid it again for every account (ten per payments runtime).
 * node:crypto runs the same standard derivation natively.
 */
const hdRoot = (): HDKey => {
  root ??= HDKey.fromMasterSeed(pbkdf2Sync(ANVIL_DEV_MNEMONIC.normalize('NFKD'), 'mnemonic', 2048, 64, 'sha512'));
  return root;
};

const accounts = new Map<number, DevAccount>();

export const devAccount = (index: number): DevAccount => {
  const known = accounts.get(index);
  if (known) return known;
  const account = hdKeyToAccount(hdRoot(), { addressIndex: index });
  const key = account.getHdKey().privateKey;
  if (!key) throw new Error(`no private key derived for dev account ${index}`);
  const derived = { address: account.address, privateKey: bytesToHex(key) };
  accounts.set(index, derived);
  return derived;
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
