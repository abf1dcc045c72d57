/** The local chain's dev accounts are anvil's own: the addresses and keys anvil prints for its default mnemonic. */
import { describe, expect, it } from 'vitest';
import { bytesToHex } from 'viem';
import { mnemonicToAccount } from 'viem/accounts';
import { ANVIL_DEV_MNEMONIC, devAccount } from '../../infra/local/chain/accounts.ts';

/** What `anvil` lists at start-up for `test test … junk` (m/44'/60'/0'/0/i). */
const ANVIL = [
  ['0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266', '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80'],
  ['0x70997970C51812dc3A010C7d01b50e0d17dc79C8', '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d'],
  ['0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC', '0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a'],
  ['0x90F79bf6EB2c4f870365E785982E1f101E93b906', '0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6'],
] as const;

describe('devAccount', () => {
  it.each(ANVIL.map(([address, privateKey], index) => [index, address, privateKey] as const))('account %i is anvil’s %s', (index, address, privateKey) => {
    expect(devAccount(index)).toEqual({ address, privateKey });
  });

  it('derives what viem derives from the mnemonic, for every account anvil funds and past them', () => {
    for (const index of [4, 9, 12]) {
      const viem = mnemonicToAccount(ANVIL_DEV_MNEMONIC, { addressIndex: index });
      expect(devAccount(index)).toEqual({ address: viem.address, privateKey: bytesToHex(viem.getHdKey().privateKey!) });
    }
  });
});
