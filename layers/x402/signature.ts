/** Signature checking shared by the scheme verifiers. */
import { verifyTypedData } from 'viem';
import type { PaymentRequirements } from './schemas.ts';
import type { TokenDomain } from './typed-data.ts';
import type { TypedDataVerifier } from './verified.ts';

/** Offline ECDSA recovery: EOAs only, no RPC, well under a millisecond of CPU. */
export const eoaVerifier: TypedDataVerifier = (args) => verifyTypedData(args);

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
