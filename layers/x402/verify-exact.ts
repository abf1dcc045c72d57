/**
 * `exact` on EVM: the EIP-3009 TransferWithAuthorization must pay the offered recipient at least the offered
 * amount, be inside its validity window, and be signed by `from` over the token's own EIP-712 domain.
 */
import { parsePayloadAs } from './codec.ts';
import { PAYMENT_ERROR, paymentRefused } from './errors.ts';
import { chainIdOf } from './networks.ts';
import { exactEvmPayloadSchema, type PaymentPayload, type PaymentRequirements } from './schemas.ts';
import { tokenDomainOf, verifySignature } from './signature.ts';
import { exactTypedData } from './typed-data.ts';
import type { SchemeContext, VerifiedPayment } from './verified.ts';
import { checkValidityWindow, toEpochSeconds } from './window.ts';

export const verifyExact = async (payment: PaymentPayload, offer: PaymentRequirements, ctx: SchemeContext): Promise<VerifiedPayment> => {
  const { signature, authorization } = parsePayloadAs(exactEvmPayloadSchema, payment.payload, 'exact');
  if (authorization.to !== offer.payTo) {
    throw paymentRefused(PAYMENT_ERROR.wrongRecipient, `The authorization pays ${authorization.to}, but must pay ${offer.payTo}.`, {
      expected: offer.payTo,
      received: authorization.to,
    });
  }
  const value = BigInt(authorization.value);
  if (value < BigInt(offer.amount)) {
    throw paymentRefused(PAYMENT_ERROR.underpaid, `The authorization is for ${value} atomic units, but this request costs ${offer.amount}.`, {
      expected: offer.amount,
      received: value.toString(),
    });
  }
  const validBefore = BigInt(authorization.validBefore);
  checkValidityWindow(BigInt(authorization.validAfter), validBefore, ctx);

  const typedData = exactTypedData(authorization, { domain: tokenDomainOf(offer), chainId: chainIdOf(offer.network), address: offer.asset });
  if (!(await verifySignature(ctx.verifier, { ...typedData, address: authorization.from, signature }))) {
    throw paymentRefused(PAYMENT_ERROR.invalidSignature, `The signature is not ${authorization.from}'s over this TransferWithAuthorization.`);
  }
  return {
    scheme: 'exact',
    network: offer.network,
    payer: authorization.from,
    requirements: offer,
    payload: payment,
    authorizedAmount: value,
    // EIP-3009 nonces are scoped to (token, authorizer).
    nonceKey: `x402/${offer.network}/eip3009/${offer.asset}/${authorization.from}/${authorization.nonce}`.toLowerCase(),
    validBefore: toEpochSeconds(validBefore),
  };
};
