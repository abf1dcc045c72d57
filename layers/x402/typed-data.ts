/**
 * The EIP-712 messages x402 clients sign on EVM, rebuilt from a decoded payload so a signature can be checked
 * (and, in tests, produced) against exactly what the contracts will hash.
 */
import type { Address } from 'viem';
import { PERMIT2_ADDRESS } from './constants.ts';
import type { ExactEvmPayload, UptoEvmPayload } from './schemas.ts';

export const TRANSFER_WITH_AUTHORIZATION_TYPES = {
  TransferWithAuthorization: [
    { name: 'from', type: 'address' },
    { name: 'to', type: 'address' },
    { name: 'value', type: 'uint256' },
    { name: 'validAfter', type: 'uint256' },
    { name: 'validBefore', type: 'uint256' },
    { name: 'nonce', type: 'bytes32' },
  ],
} as const;

/** Permit2's witness transfer with the upto witness (recipient, facilitator, validAfter). */
export const UPTO_PERMIT_WITNESS_TYPES = {
  PermitWitnessTransferFrom: [
    { name: 'permitted', type: 'TokenPermissions' },
    { name: 'spender', type: 'address' },
    { name: 'nonce', type: 'uint256' },
    { name: 'deadline', type: 'uint256' },
    { name: 'witness', type: 'Witness' },
  ],
  TokenPermissions: [
    { name: 'token', type: 'address' },
    { name: 'amount', type: 'uint256' },
  ],
  Witness: [
    { name: 'to', type: 'address' },
    { name: 'facilitator', type: 'address' },
    { name: 'validAfter', type: 'uint256' },
  ],
} as const;

export interface TokenDomain {
  readonly name: string;
  readonly version: string;
}

export const exactTypedData = (
  authorization: ExactEvmPayload['authorization'],
  token: { domain: TokenDomain; chainId: number; address: Address },
) =>
  ({
    domain: { name: token.domain.name, version: token.domain.version, chainId: token.chainId, verifyingContract: token.address },
    types: TRANSFER_WITH_AUTHORIZATION_TYPES,
    primaryType: 'TransferWithAuthorization',
    message: {
      from: authorization.from,
      to: authorization.to,
      value: BigInt(authorization.value),
      validAfter: BigInt(authorization.validAfter),
      validBefore: BigInt(authorization.validBefore),
      nonce: authorization.nonce,
    },
  }) as const;

export const uptoTypedData = (authorization: UptoEvmPayload['permit2Authorization'], chainId: number) =>
  ({
    domain: { name: 'Permit2', chainId, verifyingContract: PERMIT2_ADDRESS },
    types: UPTO_PERMIT_WITNESS_TYPES,
    primaryType: 'PermitWitnessTransferFrom',
    message: {
      permitted: { token: authorization.permitted.token, amount: BigInt(authorization.permitted.amount) },
      spender: authorization.spender,
      nonce: BigInt(authorization.nonce),
      deadline: BigInt(authorization.deadline),
      witness: {
        to: authorization.witness.to,
        facilitator: authorization.witness.facilitator,
        validAfter: BigInt(authorization.witness.validAfter),
      },
    },
  }) as const;
