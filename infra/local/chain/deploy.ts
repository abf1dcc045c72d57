/**
 * Deploys the x402 contracts onto a fresh anvil chain and funds the test wallets.
 *
 * The official `@x402/evm` client signs for Permit2 and the upto proxy at their canonical addresses, so those two
 * must live exactly there: Permit2's runtime code is placed with `anvil_setCode`; the proxy is deployed normally
 * (its constructor bakes the canonical Permit2 address into the code as an immutable) and its runtime code is then
 * copied to the canonical proxy address. Multicall3 goes to its canonical address the same way, as on every public
 * chain. The test USDC is an ordinary deployment.
 */
import {
  getAddress,
  getContractAddress,
  maxUint256,
  type Abi,
  type Account,
  type Address,
  type Chain,
  type Hash,
  type Hex,
  type PublicClient,
  type TestClient,
  type Transport,
  type WalletClient,
} from 'viem';
import type { Artifacts } from '../../../layers/x402/contracts/artifacts.ts';
import { usdcAbi } from '../../../layers/x402/abi.ts';
import { PERMIT2_ADDRESS, X402_UPTO_PERMIT2_PROXY_ADDRESS } from '../../../layers/x402/constants.ts';

type Wallet = WalletClient<Transport, Chain, Account>;

/** Canonical Multicall3: viem and the x402 facilitator batch reads through it, and every public chain has it. */
export const MULTICALL3_ADDRESS = '0xcA11bde05977b3631167028862bE2a173976CA11' as const;

export interface Deployment {
  readonly usdc: Address;
  readonly permit2: Address;
  readonly uptoProxy: Address;
  readonly multicall3: Address;
  /** False when the contracts were already on a chain restored from its state file. */
  readonly fresh: boolean;
}

export interface DeployOptions {
  readonly publicClient: PublicClient;
  readonly testClient: TestClient<'anvil'>;
  readonly deployer: Wallet;
  readonly artifacts: Artifacts;
  /** EIP-712 domain of the test token: name "USD Coin" (as on Fuji) and version "2" by default. */
  readonly token?: { readonly name?: string; readonly symbol?: string; readonly version?: string };
}

const deploy = async (options: DeployOptions, abi: readonly unknown[], bytecode: Hex, args: readonly unknown[]): Promise<Address> => {
  const hash = await options.deployer.deployContract({ abi: abi as Abi, bytecode, args: [...args] });
  const receipt = await options.publicClient.waitForTransactionReceipt({ hash });
  if (receipt.status !== 'success' || !receipt.contractAddress) throw new Error(`deployment reverted (${hash})`);
  return receipt.contractAddress;
};

export const deployContracts = async (options: DeployOptions): Promise<Deployment> => {
  const { publicClient, testClient, deployer, artifacts } = options;
  // The deployer's first transaction creates the token, so its address is known before deploying: on a chain
  // restored from a state file, code already there means everything (balances included) is already in place.
  const usdc = getContractAddress({ from: deployer.account.address, nonce: 0n });
  const existing = await publicClient.getCode({ address: usdc });
  const placed = { usdc, permit2: PERMIT2_ADDRESS, uptoProxy: X402_UPTO_PERMIT2_PROXY_ADDRESS, multicall3: MULTICALL3_ADDRESS } as const;
  if (existing && existing !== '0x') return { ...placed, fresh: false };
  if ((await publicClient.getTransactionCount({ address: deployer.account.address })) !== 0) {
    throw new Error('the deployer account has already sent transactions on this chain; start from a fresh chain or state file');
  }

  const { TestUSDC, Permit2, x402UptoPermit2Proxy, Multicall3 } = artifacts.contracts;
  const token = options.token ?? {};
  const deployedUsdc = await deploy(options, TestUSDC.abi, TestUSDC.bytecode, [token.name ?? 'USD Coin', token.symbol ?? 'USDC', token.version ?? '2']);
  if (getAddress(deployedUsdc) !== usdc) throw new Error(`test USDC landed at ${deployedUsdc}, expected ${usdc}`);

  await testClient.setCode({ address: PERMIT2_ADDRESS, bytecode: Permit2.deployedBytecode });
  await testClient.setCode({ address: MULTICALL3_ADDRESS, bytecode: Multicall3.deployedBytecode });
  const template = await deploy(options, x402UptoPermit2Proxy.abi, x402UptoPermit2Proxy.bytecode, [PERMIT2_ADDRESS]);
  const proxyCode = await publicClient.getCode({ address: template });
  if (!proxyCode) throw new Error('the upto proxy template has no code');
  await testClient.setCode({ address: X402_UPTO_PERMIT2_PROXY_ADDRESS, bytecode: proxyCode });

  return { ...placed, fresh: true };
};

/** Whether the node refused a transaction because another one from the same sender took its nonce first. */
const nonceTaken = (error: unknown): boolean => /nonce too low|replacement transaction underpriced|already known/i.test(`${(error as { details?: string }).details ?? ''} ${String(error)}`);

/**
 * Sends one of the deployer's transactions. When it is node-signed (`eth_sendTransaction`, as when several
 * processes fund wallets on one shared chain), anvil picks the nonce from its pending count, so two senders at once
 * can be given the same one and the second is refused: sent again, it gets the next.
 */
const sendFromDeployer = async (send: () => Promise<Hash>): Promise<Hash> => {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await send();
    } catch (error) {
      if (attempt >= 20 || !nonceTaken(error)) throw error;
    }
  }
};

/**
 * Mints test USDC to each wallet and has each approve Permit2 (the one-time step `upto` needs). The deployer's
 * mints go one after another (each is mined at once), the wallets' approvals together.
 */
export const fundWallets = async (options: {
  readonly publicClient: PublicClient;
  readonly deployer: Wallet;
  readonly wallets: readonly Wallet[];
  readonly usdc: Address;
  readonly amount: bigint;
}): Promise<void> => {
  const { publicClient, deployer, usdc } = options;
  const approvals = Promise.all(
    options.wallets.map((wallet) => wallet.writeContract({ address: usdc, abi: usdcAbi, functionName: 'approve', args: [PERMIT2_ADDRESS, maxUint256] })),
  );
  const mints: Hash[] = [];
  for (const wallet of options.wallets) {
    mints.push(
      await sendFromDeployer(() =>
        deployer.writeContract({
          address: usdc,
          abi: [{ type: 'function', name: 'mint', stateMutability: 'nonpayable', inputs: [{ name: 'to', type: 'address' }, { name: 'amount', type: 'uint256' }], outputs: [] }] as const,
          functionName: 'mint',
          args: [wallet.account.address, options.amount],
        }),
      ),
    );
  }
  const hashes = [...mints, ...(await approvals)];
  const receipts = await Promise.all(hashes.map((hash) => publicClient.waitForTransactionReceipt({ hash })));
  const failed = receipts.find((r) => r.status !== 'success');
  if (failed) throw new Error(`funding transaction ${failed.transactionHash} reverted`);
};
