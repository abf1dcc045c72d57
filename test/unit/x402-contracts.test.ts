/**
 * The local-chain contracts behave like the real ones the gateway meets on public networks: USDC's EIP-3009,
 * Permit2's witness transfers and the x402 upto proxy — same selectors, same domain, same failure modes.
 */
import {
  BaseError,
  ContractFunctionRevertedError,
  hashDomain,
  parseSignature,
  toFunctionSelector,
  type Abi,
  type AbiFunction,
  type Address,
  type Hex,
} from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalChain, type LocalChain } from '../../infra/local/chain/index.ts';
import { permit2Abi, uptoProxyAbi, usdcAbi } from '../../layers/x402/abi.ts';
import { loadArtifacts, type Artifacts } from '../../layers/x402/contracts/artifacts.ts';
import { PERMIT2_ADDRESS, X402_UPTO_PERMIT2_PROXY_ADDRESS } from '../../layers/x402/constants.ts';
import { createTokenDomainReader, type ContractReader } from '../../layers/x402/domain.ts';
import { exactTypedData, uptoTypedData } from '../../layers/x402/typed-data.ts';

let chain: LocalChain;
let artifacts: Artifacts;

beforeAll(async () => {
  [chain, artifacts] = await Promise.all([startLocalChain({ walletCount: 3 }), loadArtifacts()]);
});
afterAll(() => chain?.close());

const now = (): bigint => BigInt(Math.floor(Date.now() / 1000));
const randomNonce = (): Hex => `0x${Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('hex')}`;
const balanceOf = (address: Address) => chain.publicClient().readContract({ address: chain.usdc, abi: usdcAbi, functionName: 'balanceOf', args: [address] });

/** The revert reason or custom error name, from the simulation viem runs before sending. */
const revertOf = async (send: () => Promise<unknown>): Promise<string> => {
  try {
    await send();
  } catch (error) {
    const reverted = error instanceof BaseError ? error.walk((e) => e instanceof ContractFunctionRevertedError) : undefined;
    if (reverted instanceof ContractFunctionRevertedError) return reverted.data?.errorName === 'Error' ? String(reverted.reason) : (reverted.data?.errorName ?? String(reverted.reason));
    throw error;
  }
  throw new Error('expected a revert');
};

const signTransfer = async (payer: number, overrides: Partial<{ to: Address; value: bigint; validAfter: bigint; validBefore: bigint; nonce: Hex }> = {}) => {
  const wallet = chain.wallets[payer]!;
  const authorization = {
    from: wallet.address,
    to: overrides.to ?? chain.merchant.address,
    value: String(overrides.value ?? 1_000n),
    validAfter: String(overrides.validAfter ?? 0n),
    validBefore: String(overrides.validBefore ?? now() + 600n),
    nonce: overrides.nonce ?? randomNonce(),
  };
  const typed = exactTypedData(authorization, { domain: { name: 'USD Coin', version: '2' }, chainId: chain.chainId, address: chain.usdc });
  const signature = await privateKeyToAccount(wallet.privateKey).signTypedData(typed);
  const args = [authorization.from, authorization.to, BigInt(authorization.value), BigInt(authorization.validAfter), BigInt(authorization.validBefore), authorization.nonce] as const;
  return { authorization, signature, args };
};

describe('interfaces match the real contracts', () => {
  const compiledFunction = (abi: readonly unknown[], name: string, inputs: readonly { type: string }[]) =>
    (abi as Abi).find(
      (e): e is AbiFunction => e.type === 'function' && e.name === name && e.inputs.map((i) => i.type).join() === inputs.map((i) => i.type).join(),
    );

  it.each([
    ['TestUSDC', usdcAbi],
    ['Permit2', permit2Abi],
    ['x402UptoPermit2Proxy', uptoProxyAbi],
  ] as const)('%s exposes every function the gateway calls, with identical signatures', (name, abi) => {
    for (const entry of abi.filter((e) => e.type === 'function')) {
      expect(compiledFunction(artifacts.contracts[name].abi, entry.name, entry.inputs), `${name}.${entry.name}`).toBeDefined();
    }
  });

  it('has the selectors of USDC FiatToken v2.2, Permit2 and the x402 upto proxy', () => {
    const selectors = (name: keyof Artifacts['contracts']) =>
      (artifacts.contracts[name].abi as Abi).filter((e): e is AbiFunction => e.type === 'function').map((f) => toFunctionSelector(f));
    expect(selectors('TestUSDC')).toEqual(
      expect.arrayContaining([
        '0xe3ee160e', // transferWithAuthorization(..., uint8 v, bytes32 r, bytes32 s)
        '0xcf092995', // transferWithAuthorization(..., bytes signature)
        '0xef55bec6', // receiveWithAuthorization(..., v, r, s)
        '0x88b7ab63', // receiveWithAuthorization(..., bytes)
        '0xe94a0102', // authorizationState(address,bytes32)
        '0x5a049a70', // cancelAuthorization(address,bytes32,uint8,bytes32,bytes32)
        '0xd505accf', // permit (EIP-2612)
      ]),
    );
    expect(selectors('Permit2')).toEqual(expect.arrayContaining(['0x137c29fe', '0x30f28b7a', '0x4fe02b44', '0x3ff9dcb1']));
    // aggregate, tryAggregate, aggregate3
    expect(selectors('Multicall3')).toEqual(expect.arrayContaining(['0x252dba42', '0xbce38bd7', '0x82ad56cb']));
  });

  it('keeps the upto proxy witness type string of the x402 reference contract', async () => {
    const read = (functionName: 'WITNESS_TYPE_STRING' | 'PERMIT2') =>
      chain.publicClient().readContract({ address: X402_UPTO_PERMIT2_PROXY_ADDRESS, abi: artifacts.contracts.x402UptoPermit2Proxy.abi as Abi, functionName });
    expect(await read('WITNESS_TYPE_STRING')).toBe(
      'Witness witness)TokenPermissions(address token,uint256 amount)Witness(address to,address facilitator,uint256 validAfter)',
    );
    expect(await read('PERMIT2')).toBe(PERMIT2_ADDRESS);
  });

  it('places Permit2 at its canonical address with the canonical domain (no version)', async () => {
    const separator = await chain.publicClient().readContract({ address: PERMIT2_ADDRESS, abi: permit2Abi, functionName: 'DOMAIN_SEPARATOR' });
    expect(separator).toBe(
      hashDomain({
        domain: { name: 'Permit2', chainId: BigInt(chain.chainId), verifyingContract: PERMIT2_ADDRESS },
        types: { EIP712Domain: [{ name: 'name', type: 'string' }, { name: 'chainId', type: 'uint256' }, { name: 'verifyingContract', type: 'address' }] },
      }),
    );
  });
});

describe('test USDC: EIP-3009', () => {
  it("reverts plain transfers with USDC's messages, not OpenZeppelin's custom errors", async () => {
    const poor = chain.walletClient(chain.merchant);
    const tooMuch = (await balanceOf(chain.merchant.address)) + 1n;
    expect(await revertOf(() => poor.writeContract({ address: chain.usdc, abi: usdcAbi, functionName: 'transfer', args: [chain.relayer.address, tooMuch] }))).toBe(
      'ERC20: transfer amount exceeds balance',
    );
  });

  it('batches reads through Multicall3 at its canonical address, as viem does on public chains', async () => {
    const [name, version] = await chain.publicClient().multicall({
      contracts: [
        { address: chain.usdc, abi: usdcAbi, functionName: 'name' },
        { address: chain.usdc, abi: usdcAbi, functionName: 'version' },
      ],
      allowFailure: false,
    });
    expect([name, version]).toEqual(['USD Coin', '2']);
  });

  it('is a 6-decimal token and funds the test wallets', async () => {
    const client = chain.publicClient();
    expect(await client.readContract({ address: chain.usdc, abi: usdcAbi, functionName: 'decimals' })).toBe(6);
    expect(await balanceOf(chain.wallets[0]!.address)).toBeGreaterThanOrEqual(1_000_000_000n);
  });

  it('moves funds with the (v,r,s) form and marks the nonce used', async () => {
    const { authorization, signature, args } = await signTransfer(0, { value: 2_500n });
    const { v, r, s } = parseSignature(signature);
    const before = [await balanceOf(authorization.from), await balanceOf(chain.merchant.address)];
    const relayer = chain.walletClient(chain.relayer);
    const hash = await relayer.writeContract({ address: chain.usdc, abi: usdcAbi, functionName: 'transferWithAuthorization', args: [...args, Number(v), r, s] });
    expect((await chain.publicClient().waitForTransactionReceipt({ hash })).status).toBe('success');
    expect(await balanceOf(authorization.from)).toBe(before[0]! - 2_500n);
    expect(await balanceOf(chain.merchant.address)).toBe(before[1]! + 2_500n);
    expect(
      await chain.publicClient().readContract({ address: chain.usdc, abi: usdcAbi, functionName: 'authorizationState', args: [authorization.from, authorization.nonce] }),
    ).toBe(true);
  });

  it('moves funds with the bytes-signature form and refuses the same authorization twice', async () => {
    const { signature, args } = await signTransfer(1);
    const relayer = chain.walletClient(chain.relayer);
    const send = () => relayer.writeContract({ address: chain.usdc, abi: usdcAbi, functionName: 'transferWithAuthorization', args: [...args, signature] });
    expect((await chain.publicClient().waitForTransactionReceipt({ hash: await send() })).status).toBe('success');
    expect(await revertOf(send)).toBe('FiatTokenV2: authorization is used or canceled');
  });

  it('refuses expired, not-yet-valid and wrongly signed authorizations', async () => {
    const relayer = chain.walletClient(chain.relayer);
    const send = (signed: Awaited<ReturnType<typeof signTransfer>>) =>
      relayer.writeContract({ address: chain.usdc, abi: usdcAbi, functionName: 'transferWithAuthorization', args: [...signed.args, signed.signature] });
    const expired = await signTransfer(0, { validBefore: now() - 10n });
    expect(await revertOf(() => send(expired))).toBe('FiatTokenV2: authorization is expired');
    const early = await signTransfer(0, { validAfter: now() + 3_600n });
    expect(await revertOf(() => send(early))).toBe('FiatTokenV2: authorization is not yet valid');
    const forged = await signTransfer(0);
    const otherSigner = await signTransfer(1, { nonce: forged.authorization.nonce });
    expect(await revertOf(() => send({ ...forged, signature: otherSigner.signature }))).toBe('FiatTokenV2: invalid signature');
  });

  it('lets only the payee submit receiveWithAuthorization', async () => {
    const wallet = chain.wallets[0]!;
    const authorization = { from: wallet.address, to: chain.merchant.address, value: 10n, validAfter: 0n, validBefore: now() + 600n, nonce: randomNonce() };
    const signature = await privateKeyToAccount(wallet.privateKey).signTypedData({
      domain: { name: 'USD Coin', version: '2', chainId: chain.chainId, verifyingContract: chain.usdc },
      types: {
        ReceiveWithAuthorization: [
          { name: 'from', type: 'address' },
          { name: 'to', type: 'address' },
          { name: 'value', type: 'uint256' },
          { name: 'validAfter', type: 'uint256' },
          { name: 'validBefore', type: 'uint256' },
          { name: 'nonce', type: 'bytes32' },
        ],
      },
      primaryType: 'ReceiveWithAuthorization',
      message: authorization,
    });
    const args = [authorization.from, authorization.to, authorization.value, authorization.validAfter, authorization.validBefore, authorization.nonce, signature] as const;
    const abi = artifacts.contracts.TestUSDC.abi as Abi;
    const byRelayer = () => chain.walletClient(chain.relayer).writeContract({ address: chain.usdc, abi, functionName: 'receiveWithAuthorization', args });
    expect(await revertOf(byRelayer)).toBe('FiatTokenV2: caller must be the payee');
    const hash = await chain.walletClient(chain.merchant).writeContract({ address: chain.usdc, abi, functionName: 'receiveWithAuthorization', args });
    expect((await chain.publicClient().waitForTransactionReceipt({ hash })).status).toBe('success');
  });
});

describe('Permit2 and the x402 upto proxy', () => {
  const signPermit = async (payer: number, cap: bigint, facilitator: Address = chain.relayer.address) => {
    const wallet = chain.wallets[payer]!;
    const auth = {
      from: wallet.address,
      permitted: { token: chain.usdc, amount: cap.toString() },
      spender: X402_UPTO_PERMIT2_PROXY_ADDRESS,
      nonce: BigInt(randomNonce()).toString(),
      deadline: (now() + 600n).toString(),
      witness: { to: chain.merchant.address, facilitator, validAfter: '0' },
    };
    const signature = await privateKeyToAccount(wallet.privateKey).signTypedData(uptoTypedData(auth, chain.chainId));
    const settle = (amount: bigint, by = chain.relayer) =>
      chain.walletClient(by).writeContract({
        address: X402_UPTO_PERMIT2_PROXY_ADDRESS,
        abi: uptoProxyAbi,
        functionName: 'settle',
        args: [
          { permitted: { token: chain.usdc, amount: cap }, nonce: BigInt(auth.nonce), deadline: BigInt(auth.deadline) },
          amount,
          auth.from,
          { to: auth.witness.to, facilitator: auth.witness.facilitator, validAfter: 0n },
          signature,
        ],
      });
    return { auth, settle };
  };

  it('settles any amount up to the cap, exactly once', async () => {
    const { auth, settle } = await signPermit(2, 5_000n);
    const before = [await balanceOf(auth.from), await balanceOf(chain.merchant.address)];
    expect((await chain.publicClient().waitForTransactionReceipt({ hash: await settle(1_234n) })).status).toBe('success');
    expect(await balanceOf(auth.from)).toBe(before[0]! - 1_234n);
    expect(await balanceOf(chain.merchant.address)).toBe(before[1]! + 1_234n);
    expect(await revertOf(() => settle(1n))).toBe('InvalidNonce');
  });

  it('refuses more than the cap, and any caller but the named facilitator', async () => {
    const { settle } = await signPermit(2, 5_000n);
    expect(await revertOf(() => settle(5_001n))).toBe('AmountExceedsPermitted');
    expect(await revertOf(() => settle(10n, chain.merchant))).toBe('UnauthorizedFacilitator');
  });
});

describe('token EIP-712 domain reader', () => {
  it('reads the name and version from the token, once', async () => {
    let calls = 0;
    const client = chain.publicClient();
    const counting: ContractReader = { readContract: ((args: never) => {
      calls++;
      return client.readContract(args);
    }) as ContractReader['readContract'] };
    const reader = createTokenDomainReader(() => counting);
    expect(await reader.read(chain.network, chain.usdc)).toEqual({ name: 'USD Coin', version: '2' });
    const afterFirst = calls;
    expect(await reader.read(chain.network, chain.usdc)).toEqual({ name: 'USD Coin', version: '2' });
    expect(calls).toBe(afterFirst);
  });

  it('falls back to name() and version() for tokens without EIP-5267, like real USDC', async () => {
    const client = chain.publicClient();
    const withoutEip5267: ContractReader = {
      readContract: ((args: { functionName: string }) =>
        args.functionName === 'eip712Domain' ? Promise.reject(new Error('execution reverted')) : client.readContract(args as never)) as ContractReader['readContract'],
    };
    expect(await createTokenDomainReader(() => withoutEip5267).read(chain.network, chain.usdc)).toEqual({ name: 'USD Coin', version: '2' });
  });

  it('does not cache a failed read', async () => {
    let fail = true;
    const client = chain.publicClient();
    const flaky: ContractReader = {
      readContract: ((args: never) => (fail ? Promise.reject(new Error('rpc down')) : client.readContract(args))) as ContractReader['readContract'],
    };
    const reader = createTokenDomainReader(() => flaky);
    await expect(reader.read(chain.network, chain.usdc)).rejects.toThrow(/cannot read the EIP-712 domain/);
    fail = false;
    expect(await reader.read(chain.network, chain.usdc)).toEqual({ name: 'USD Coin', version: '2' });
  });
});
