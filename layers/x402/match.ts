/**
 * Finds the server's offer that a payment's `accepted` requirements refer to, refusing a payment whose echo of the
 * requirements differs from anything this request offered. The signed authorization is checked against the offer
 * afterwards (in the scheme verifiers), so a client cannot lower the price by editing its echo.
 */
import { PAYMENT_ERROR, paymentRefused } from './errors.ts';
import type { PaymentRequirements } from './schemas.ts';

const list = (values: Iterable<string>): string => [...new Set(values)].join(', ');

export const matchOffer = (accepted: PaymentRequirements, offers: readonly PaymentRequirements[]): PaymentRequirements => {
  const onNetwork = offers.filter((o) => o.network === accepted.network);
  if (onNetwork.length === 0) {
    throw paymentRefused(PAYMENT_ERROR.wrongNetwork, `Payment is for ${accepted.network}, but this request accepts ${list(offers.map((o) => o.network))}.`, {
      expected: list(offers.map((o) => o.network)),
      received: accepted.network,
    });
  }
  const offer = onNetwork.find((o) => o.scheme === accepted.scheme);
  if (!offer) {
    throw paymentRefused(PAYMENT_ERROR.unsupportedScheme, `Scheme ${accepted.scheme} is not offered for this request; use ${list(onNetwork.map((o) => o.scheme))}.`);
  }
  if (accepted.asset !== offer.asset) {
    throw paymentRefused(PAYMENT_ERROR.wrongAsset, `Payment is in ${accepted.asset}, but this request is priced in ${offer.asset}.`, {
      expected: offer.asset,
      received: accepted.asset,
    });
  }
  if (accepted.payTo !== offer.payTo) {
    throw paymentRefused(PAYMENT_ERROR.wrongRecipient, `Payment is to ${accepted.payTo}, but must be to ${offer.payTo}.`, {
      expected: offer.payTo,
      received: accepted.payTo,
    });
  }
  if (BigInt(accepted.amount) < BigInt(offer.amount)) {
    throw paymentRefused(PAYMENT_ERROR.underpaid, `Payment accepts ${accepted.amount} atomic units, but this request costs ${offer.amount}.`, {
      expected: offer.amount,
      received: accepted.amount,
    });
  }
  // A larger amount is allowed: the signed authorization, checked next, is what moves money.
  if (accepted.maxTimeoutSeconds !== offer.maxTimeoutSeconds) {
    throw paymentRefused(PAYMENT_ERROR.requirementsMismatch, 'The accepted payment requirements differ from the ones offered; pay against the latest challenge.');
  }
  return offer;
};
