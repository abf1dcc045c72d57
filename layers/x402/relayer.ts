/**
 * Settlement through our own relayer wallet: `exact` calls USDC's `transferWithAuthorization`, `upto` calls the
 * x402 upto proxy's `settle` with the metered amount. Waits for the receipt; never throws for a chain failure.
 *
 * Clients are injected per network. The relayer account must manage its own nonces (a viem local account with a
 * `nonceManager`) when settlements run concurrently, and one key should not be shared by many Lambda instances.
 */
import {
  BaseError,
  decodeFunctionData,
  parseSignature,
  size,
  type Account,
  type Address,
  type Chain,
  type Hash,
  type PublicClient,
  type Transport,
  type WalletClient,
} from 'viem';
import { permit2Abi, usdcAbi, uptoProxyAbi } from './abi.ts';
import { checkOnChain } from './chain-checks.ts';
import { PERMIT2_ADDRESS, X402_UPTO_PERMIT2_PROXY_ADDRESS } from './constants.ts';
import { exactEvmPayloadSchema, uptoEvmPayloadSchema, type Network, type SettlementResponse } from './schemas.ts';
import { failedSettlement, settlementAmount, type Settlement } from './settlement.ts';
import type { VerifiedPayment } from './verified.ts';

export interface RelayerChain {
  readonly wallet: WalletClient<Transport, Chain | undefined, Account>;
  readonly public: PublicClient;
}

export interface RelayerOptions {
  readonly chains: Readonly<Partial<Record<Network, RelayerChain>>>;
  /** Bounds the wait for a receipt, below the platform's request deadline. */
  readonly receiptTimeoutMs?: number;
  /** How far back a retried settlement looks for the transaction that already used its authorization. */
  readonly logLookbackBlocks?: bigint;
}

/** viem errors carry request details; only their first line is fit for a settlement response. */
const describe = (error: unknown): string =>
  error instanceof BaseError ? error.shortMessage : error instanceof Error ? error.message.split('\n')[0] ?? 'error' : String(error);

export const createRelayerSettlement = (options: RelayerOptions): Settlement => {
  const timeout = options.receiptTimeoutMs ?? 60_000;
  const lookback = options.logLookbackBlocks ?? 5_000n;

  const chainFor = (network: Network): RelayerChain => {
    const chain = options.chains[network];
    if (!chain) throw new Error(`the relayer has no wallet for ${network}`);
    return chain;
  };

  const confirm = async (chain: RelayerChain, payment: VerifiedPayment, hash: Hash, amount: bigint): Promise<SettlementResponse> => {
    const receipt = await chain.public.waitForTransactionReceipt({ hash, timeout });
    if (receipt.status !== 'success') return failedSettlement(payment, 'transaction_reverted', undefined, hash);
    return { success: true, transaction: hash, network: payment.network, payer: payment.payer, amount: amount.toString() };
  };

  // A retry after a lost receipt finds the authorization already used: the money moved, so report that transfer.
  const findPriorTransfer = async (chain: RelayerChain, payment: VerifiedPayment, nonce: Hash): Promise<Hash | undefined> => {
    const latest = await chain.public.getBlockNumber();
    const logs = await chain.public.getContractEvents({
      address: payment.requirements.asset,
      abi: usdcAbi,
      eventName: 'AuthorizationUsed',
      args: { authorizer: payment.payer, nonce },
      fromBlock: latest > lookback ? latest - lookback : 0n,
      toBlock: latest,
    });
    return logs[0]?.transactionHash ?? undefined;
  };

  const settleExact = async (chain: RelayerChain, payment: VerifiedPayment): Promise<SettlementResponse> => {
    const { signature, authorization: a } = exactEvmPayloadSchema.parse(payment.payload.payload);
    const asset = payment.requirements.asset;
    const used = await chain.public.readContract({ address: asset, abi: usdcAbi, functionName: 'authorizationState', args: [a.from, a.nonce] });
    if (used) {
      const prior = await findPriorTransfer(chain, payment, a.nonce);
      if (!prior) return failedSettlement(payment, 'authorization_already_used', 'The authorization was used or canceled on chain.');
      return { success: true, transaction: prior, network: payment.network, payer: payment.payer, amount: a.value };
    }
    const base = [a.from, a.to, BigInt(a.value), BigInt(a.validAfter), BigInt(a.validBefore), a.nonce] as const;
    // 65-byte ECDSA goes through the (v,r,s) overload every USDC version has; anything else (ERC-1271) through bytes.
    const hash =
      size(signature) === 65
        ? await (() => {
            const { v, yParity, r, s } = parseSignature(signature);
            return chain.wallet.writeContract({
              address: asset,
              abi: usdcAbi,
              functionName: 'transferWithAuthorization',
              args: [...base, Number(v ?? BigInt(yParity + 27)), r, s],
              chain: chain.wallet.chain,
            });
          })()
        : await chain.wallet.writeContract({
            address: asset,
            abi: usdcAbi,
            functionName: 'transferWithAuthorization',
            args: [...base, signature],
            chain: chain.wallet.chain,
          });
    return confirm(chain, payment, hash, BigInt(a.value));
  };

  /**
   * A retried upto settlement whose permit was already used: the proxy's `settle` that used it moved the payer's
   * tokens to the recipient in the same transaction, so it is the transfer whose transaction called `settle` with
   * this owner and nonce.
   */
  const findPriorUptoSettle = async (chain: RelayerChain, payment: VerifiedPayment, owner: Address, nonce: bigint): Promise<{ hash: Hash; amount: bigint } | undefined> => {
    const latest = await chain.public.getBlockNumber();
    const transfers = await chain.public.getContractEvents({
      address: payment.requirements.asset,
      abi: usdcAbi,
      eventName: 'Transfer',
      args: { from: owner, to: payment.requirements.payTo },
      fromBlock: latest > lookback ? latest - lookback : 0n,
      toBlock: latest,
    });
    for (const transfer of transfers.reverse()) {
      const tx = await chain.public.getTransaction({ hash: transfer.transactionHash });
      if (tx.to?.toLowerCase() !== X402_UPTO_PERMIT2_PROXY_ADDRESS.toLowerCase()) continue;
      try {
        const call = decodeFunctionData({ abi: uptoProxyAbi, data: tx.input });
        if (call.functionName !== 'settle') continue;
        const [permit, , callOwner] = call.args;
        if (permit.nonce === nonce && callOwner.toLowerCase() === owner.toLowerCase()) return { hash: transfer.transactionHash, amount: transfer.args.value ?? 0n };
      } catch {
        // Not a settle call this proxy's ABI decodes: not ours to report.
      }
    }
    return undefined;
  };

  const settleUpto = async (chain: RelayerChain, payment: VerifiedPayment, amount: bigint): Promise<SettlementResponse> => {
    if (amount === 0n) return { success: true, transaction: '', network: payment.network, payer: payment.payer, amount: '0' };
    const { signature, permit2Authorization: p } = uptoEvmPayloadSchema.parse(payment.payload.payload);
    const nonce = BigInt(p.nonce);
    const bitmap = await chain.public.readContract({ address: PERMIT2_ADDRESS, abi: permit2Abi, functionName: 'nonceBitmap', args: [p.from, nonce >> 8n] });
    if ((bitmap >> (nonce & 0xffn)) & 1n) {
      const prior = await findPriorUptoSettle(chain, payment, p.from, nonce);
      if (!prior) return failedSettlement(payment, 'permit2_nonce_used', 'The Permit2 nonce was used or invalidated on chain by another transaction.');
      return { success: true, transaction: prior.hash, network: payment.network, payer: payment.payer, amount: prior.amount.toString() };
    }
    const hash = await chain.wallet.writeContract({
      address: X402_UPTO_PERMIT2_PROXY_ADDRESS,
      abi: uptoProxyAbi,
      functionName: 'settle',
      args: [
        { permitted: { token: p.permitted.token, amount: BigInt(p.permitted.amount) }, nonce: BigInt(p.nonce), deadline: BigInt(p.deadline) },
        amount,
        p.from,
        { to: p.witness.to, facilitator: p.witness.facilitator, validAfter: BigInt(p.witness.validAfter) },
        signature,
      ],
      chain: chain.wallet.chain,
    });
    return confirm(chain, payment, hash, amount);
  };

  return {
    mode: 'relayer',
    uptoFacilitator: async (network) => options.chains[network]?.wallet.account.address,
    async verify(payment) {
      const failure = await checkOnChain(chainFor(payment.network).public, payment);
      return failure
        ? { isValid: false, invalidReason: failure.code, invalidMessage: failure.message, payer: payment.payer }
        : { isValid: true, payer: payment.payer };
    },
    async settle(payment, settleOptions) {
      try {
        const chain = chainFor(payment.network);
        return payment.scheme === 'exact'
          ? await settleExact(chain, payment)
          : await settleUpto(chain, payment, settlementAmount(payment, settleOptions));
      } catch (error) {
        return failedSettlement(payment, 'unexpected_settle_error', describe(error));
      }
    },
  };
};
