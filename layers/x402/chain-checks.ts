/**
 * The checks that need chain state, run before the model: the payer can cover the authorization, and (for upto)
 * has approved Permit2, and the nonce is not already used on chain. Reads run in parallel: one RPC round trip.
 */
import type { PublicClient } from 'viem';
import { permit2Abi, usdcAbi } from './abi.ts';
import { PERMIT2_ADDRESS } from './constants.ts';
import { PAYMENT_ERROR, type PaymentErrorCode } from './errors.ts';
import { exactEvmPayloadSchema, uptoEvmPayloadSchema } from './schemas.ts';
import type { VerifiedPayment } from './verified.ts';

export interface ChainCheckFailure {
  readonly code: PaymentErrorCode;
  readonly message: string;
}

export type ChainReader = Pick<PublicClient, 'readContract'>;

export const checkOnChain = async (client: ChainReader, payment: VerifiedPayment): Promise<ChainCheckFailure | undefined> => {
  const { asset } = payment.requirements;
  const balance = client.readContract({ address: asset, abi: usdcAbi, functionName: 'balanceOf', args: [payment.payer] });
  if (payment.scheme === 'exact') {
    const { authorization } = exactEvmPayloadSchema.parse(payment.payload.payload);
    const [funds, used] = await Promise.all([
      balance,
      client.readContract({ address: asset, abi: usdcAbi, functionName: 'authorizationState', args: [payment.payer, authorization.nonce] }),
    ]);
    if (used) return { code: PAYMENT_ERROR.nonceReused, message: 'This authorization was already used or canceled on chain.' };
    if (funds < payment.authorizedAmount) return insufficient(funds, payment.authorizedAmount);
    return undefined;
  }
  const { permit2Authorization } = uptoEvmPayloadSchema.parse(payment.payload.payload);
  const nonce = BigInt(permit2Authorization.nonce);
  const [funds, allowance, bitmap] = await Promise.all([
    balance,
    client.readContract({ address: asset, abi: usdcAbi, functionName: 'allowance', args: [payment.payer, PERMIT2_ADDRESS] }),
    client.readContract({ address: PERMIT2_ADDRESS, abi: permit2Abi, functionName: 'nonceBitmap', args: [payment.payer, nonce >> 8n] }),
  ]);
  if ((bitmap >> (nonce & 0xffn)) & 1n) return { code: PAYMENT_ERROR.nonceReused, message: 'This Permit2 nonce was already used on chain.' };
  if (allowance < payment.authorizedAmount) {
    return {
      code: PAYMENT_ERROR.permit2AllowanceRequired,
      message: `Approve Permit2 (${PERMIT2_ADDRESS}) to spend at least ${payment.authorizedAmount} of ${asset} first; the allowance is ${allowance}.`,
    };
  }
  if (funds < payment.authorizedAmount) return insufficient(funds, payment.authorizedAmount);
  return undefined;
};

const insufficient = (funds: bigint, needed: bigint): ChainCheckFailure => ({
  code: PAYMENT_ERROR.insufficientFunds,
  message: `The payer holds ${funds} atomic units but the authorization needs ${needed}.`,
});
