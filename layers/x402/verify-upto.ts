/**
 * `upto` on EVM: a Permit2 witness transfer whose spender is the x402 upto proxy, whose witness names the offered
 * recipient and our facilitator, and whose cap covers the worst-case quote without exceeding the client's
 * `x-x402-max-amount-wei`. Settlement later moves the metered amount, which the proxy bounds by the cap.
 */
import { getAddress } from 'viem';
import { parsePayloadAs } from './codec.ts';
import { X402_UPTO_PERMIT2_PROXY_ADDRESS } from './constants.ts';
import { PAYMENT_ERROR, paymentRefused } from './errors.ts';
import { chainIdOf } from './networks.ts';
import { uptoEvmPayloadSchema, type PaymentPayload, type PaymentRequirements } from './schemas.ts';
import { verifySignature } from './signature.ts';
import { uptoTypedData } from './typed-data.ts';
import type { SchemeContext, VerifiedPayment } from './verified.ts';
import { checkValidityWindow, toEpochSeconds } from './window.ts';

const facilitatorOf = (offer: PaymentRequirements): string => {
  const address = offer.extra?.['facilitatorAddress'];
  if (typeof address !== 'string') throw new Error(`upto offer on ${offer.network} lacks extra.facilitatorAddress`);
  return getAddress(address);
};

export const verifyUpto = async (payment: PaymentPayload, offer: PaymentRequirements, ctx: SchemeContext): Promise<VerifiedPayment> => {
  const { signature, permit2Authorization: auth } = parsePayloadAs(uptoEvmPayloadSchema, payment.payload, 'upto');
  if (auth.spender !== X402_UPTO_PERMIT2_PROXY_ADDRESS) {
    throw paymentRefused(PAYMENT_ERROR.wrongSpender, `The Permit2 spender must be the x402 upto proxy ${X402_UPTO_PERMIT2_PROXY_ADDRESS}.`);
  }
  if (auth.permitted.token !== offer.asset) {
    throw paymentRefused(PAYMENT_ERROR.wrongAsset, `The permit is for ${auth.permitted.token}, but this request is priced in ${offer.asset}.`);
  }
  if (auth.witness.to !== offer.payTo) {
    throw paymentRefused(PAYMENT_ERROR.wrongRecipient, `The permit pays ${auth.witness.to}, but must pay ${offer.payTo}.`, {
      expected: offer.payTo,
      received: auth.witness.to,
    });
  }
  const facilitator = facilitatorOf(offer);
  if (auth.witness.facilitator !== facilitator) {
    throw paymentRefused(PAYMENT_ERROR.wrongFacilitator, `The permit names facilitator ${auth.witness.facilitator}, but ${facilitator} settles here.`);
  }
  const cap = BigInt(auth.permitted.amount);
  if (cap < BigInt(offer.amount)) {
    throw paymentRefused(PAYMENT_ERROR.underpaid, `The permit caps the charge at ${cap}, below this request's worst case of ${offer.amount}.`, {
      expected: offer.amount,
      received: cap.toString(),
    });
  }
  if (ctx.maxAmount !== undefined && cap > ctx.maxAmount) {
    throw paymentRefused(PAYMENT_ERROR.exceedsMaxAmount, `The permit caps the charge at ${cap}, above x-x402-max-amount-wei ${ctx.maxAmount}.`, {
      maxAmount: ctx.maxAmount.toString(),
      received: cap.toString(),
    });
  }
  const deadline = BigInt(auth.deadline);
  checkValidityWindow(BigInt(auth.witness.validAfter), deadline, ctx);

  if (!(await verifySignature(ctx.verifier, { ...uptoTypedData(auth, chainIdOf(offer.network)), address: auth.from, signature }))) {
    throw paymentRefused(PAYMENT_ERROR.invalidSignature, `The signature is not ${auth.from}'s over this Permit2 transfer.`);
  }
  return {
    scheme: 'upto',
    network: offer.network,
    payer: auth.from,
    requirements: offer,
    payload: payment,
    authorizedAmount: cap,
    // Permit2 nonces are scoped to the owner alone, across every token.
    nonceKey: `x402/${offer.network}/permit2/${auth.from}/${auth.nonce}`.toLowerCase(),
    validBefore: toEpochSeconds(deadline),
  };
};
