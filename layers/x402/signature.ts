/** Signature checking shared by the scheme verifiers. */
import { verifyTypedData, type Hex } from 'viem';
import type { PaymentRequirements } from './schemas.ts';
import type { TokenDomain } from './typed-data.ts';
import type { TypedDataVerifier } from './verified.ts';

/** secp256k1's n / 2: a signature's s above it is the malleated twin of one below. */
const HALF_CURVE_ORDER = 0x7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0n;

/**
 * What the token contracts accept from an EOA: r‖s‖v in 65 bytes, v 27 or 28, s in the lower half of the order.
 * viem's recovery also takes v as 0/1 and a high s, which recover the same signer; but USDC's EIP-3009 checks
 * (OpenZeppelin's ECDSA, Circle's ECRecover) refuse both, and `ecrecover` under Permit2 refuses v 0/1, so a
 * payment signed that way would be served and then never settle. (Permit2 would take a high s, but no wallet
 * signs one: it is refused for both schemes alike.)
 */
export const isSettleableEoaSignature = (signature: Hex): boolean => {
  if (!/^0x[0-9a-fA-F]{130}$/.test(signature)) return false;
  const s = BigInt(`0x${signature.slice(66, 130)}`);
  const v = Number.parseInt(signature.slice(130), 16);
  return (v === 27 || v === 28) && s > 0n && s <= HALF_CURVE_ORDER;
};

/** Offline ECDSA recovery: EOAs only, no RPC, about 3 ms of CPU; only signatures the chain would accept. */
export const eoaVerifier: TypedDataVerifier = async (args) => isSettleableEoaSignature(args.signature) && verifyTypedData(args);

/** A malformed signature (wrong length, bad recovery byte) is a bad signature, not a crash. */
export const verifySignature = async (verifier: TypedDataVerifier, args: Parameters<TypedDataVerifier>[0]): Promise<boolean> => {
  try {
    return await verifier(args);
  } catch {
    return false;
  }
};

/** The token domain comes from our own offer (read from the chain when the challenge was built), never the client. */
export const tokenDomainOf = (offer: PaymentRequirements): TokenDomain => {
  const name = offer.extra?.['name'];
  const version = offer.extra?.['version'];
  if (typeof name !== 'string' || typeof version !== 'string') {
    throw new Error(`offer for ${offer.asset} on ${offer.network} lacks extra.name/extra.version`);
  }
  return { name, version };
};
