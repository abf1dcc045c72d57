import type { Address } from 'viem';
import {
  buildPaymentRequired,
  decodePaymentSignatureHeader,
  encodePaymentRequiredHeader,
  encodePaymentResponseHeader,
  verifyPayment,
  withError,
  type AuthorizedPayment,
  type NetworkRegistry,
  type PaymentGate,
  type PaymentRequired,
  type Settlement,
  type TokenDomainReader,
} from '../../layers/x402/index.ts';
import { PaymentRequiredError, toComposeError } from '../errors.ts';
import type { HttpRequest } from '../http/request.ts';
import { meter, type Charge } from '../pricing/index.ts';
import { buildReceipt, receiptHeaders } from '../receipts/index.ts';
import type { X402Billing } from './billing.ts';
import { countSettlement } from '../observability/index.ts';
import { enqueueOrLog, type SettlementQueue } from './settlement-queue.ts';
import type { Outcome, Payer, Payment, PriceContext, Settled } from './types.ts';

export interface X402BillingOptions {
  readonly gate: PaymentGate;
  readonly settlement: Settlement;
  readonly networks: NetworkRegistry;
  readonly domains: TokenDomainReader;
  readonly payTo: Address;
  /** Longer than the longest generation: the authorization must still be valid when it is settled (default X402_MAX_TIMEOUT_SECONDS). */
  readonly maxTimeoutSeconds?: number;
  readonly feeBps?: number;
  /** Where a settlement that failed after the model was served goes to be retried; never dropped. */
  readonly retries: SettlementQueue;
}

/**
 * How long an authorization must still be valid when a call is verified: the longest a paid call can run (a
 * Lambda invocation lasts at most 15 minutes, and every generation deadline falls inside it) plus a minute to
 * mine the settlement. One that lapsed mid-generation could never be settled: the call would have been free.
 */
export const X402_MIN_VALIDITY_SECONDS = 15 * 60 + 60;
/**
 * What offers ask for in `maxTimeoutSeconds`, which x402 clients sign as `validBefore − now`: a minute above the
 * minimum, for the client's clock and the request's way here.
 */
export const X402_MAX_TIMEOUT_SECONDS = X402_MIN_VALIDITY_SECONDS + 60;

/** A 402 whose body is the x402 `PaymentRequired` itself, repeated in the `PAYMENT-REQUIRED` header. */
class PaymentChallenge extends PaymentRequiredError {
  readonly challenge: PaymentRequired;
  constructor(challenge: PaymentRequired, code: string, message: string) {
    super(code, message, { headers: { 'payment-required': encodePaymentRequiredHeader(challenge) } });
    this.challenge = challenge;
  }
  override toBody(): Record<string, unknown> {
    return { ...this.challenge, error: this.message, code: this.code };
  }
}

/**
 * x402 v2 on native routes. The challenge offers `exact` at the worst-case quote and, for metered calls, `upto`
 * capped at it; the payment is verified and its nonce claimed before the model runs, and settled after: `exact`
 * for the price offered, `upto` for the metered amount. A failed call settles nothing and frees the nonce.
 */
export const createX402Billing = (options: X402BillingOptions): X402Billing => {
  const maxTimeoutSeconds = options.maxTimeoutSeconds ?? X402_MAX_TIMEOUT_SECONDS;

  const offersFor = async (http: HttpRequest, price: PriceContext): Promise<PaymentRequired> => {
    const network = options.networks.fromChainIdHeader(http.headers['x-chain-id']);
    const domain = await options.domains.read(network.network, network.usdc);
    const amount = price.quote.amount.toString();
    return buildPaymentRequired(
      {
        resourceUrl: price.resourceUrl,
        description: price.description,
        mimeType: 'application/json',
        network: network.network,
        asset: network.usdc,
        payTo: options.payTo,
        amount,
        maxTimeoutSeconds,
        ...(price.metered ? { upto: { maxAmount: amount } } : {}),
      },
      { domain, ...(price.metered ? { uptoFacilitator: await options.settlement.uptoFacilitator(network.network) } : {}) },
    );
  };

  const challenge = async (http: HttpRequest, price: PriceContext, code: string, message: string): Promise<never> => {
    const offers = await offersFor(http, price);
    throw new PaymentChallenge(withError(offers, message), code, message);
  };

  const receiptFor = (
    auth: AuthorizedPayment,
    price: PriceContext,
    charge: Charge,
    paid: bigint,
    settled: { success: boolean; transaction?: string },
    retry: 'queued' | 'unqueued',
  ) => {
    // `exact` pays the price offered, which is the worst case: what was not used shows as its own line.
    const metered = BigInt(charge.final_amount_wei);
    const unused = paid > metered ? paid - metered : 0n;
    const lineItems = unused ? [...charge.line_items, { key: 'exact_price_unused', unit: 'usdc_atomic', quantity: 1, unit_price_usd: 0, amount_wei: unused.toString() }] : charge.line_items;
    return buildReceipt({
      subject: auth.payer,
      lineItems,
      providerAmount: BigInt(charge.provider_amount_wei) + unused,
      platformFee: charge.platform_fee_wei,
      finalAmount: metered + unused,
      paymentMethod: 'x402',
      network: auth.network,
      ...(settled.transaction ? { txHash: settled.transaction } : {}),
      settled: settled.success,
      ...(settled.success ? {} : { retry }),
    });
  };

  return {
    challenge: (http, price) =>
      challenge(http, price, 'payment_required', 'This route is paid: send a PAYMENT-SIGNATURE (x402) or Authorization: Bearer compose-<key>.'),

    payer: async (http: HttpRequest, signature: string): Promise<Payer> => {
      // The signature proves who pays before anything is read on their behalf; the price is checked in `charge`.
      let proven: Awaited<ReturnType<typeof verifyPayment>>;
      try {
        const payload = decodePaymentSignatureHeader(signature);
        proven = await verifyPayment(payload, { offers: [payload.accepted], minValiditySeconds: 0 });
      } catch (error) {
        const refusal = toComposeError(error);
        if (refusal.status !== 402) throw refusal;
        // Nobody is proven, so nothing is read on anyone's behalf; the refusal waits for the price, so that it
        // goes out like every other refusal: 402, its code, and a fresh challenge the client can pay instead.
        return { caller: { id: 'anonymous' }, charge: (price: PriceContext) => challenge(http, price, refusal.code, refusal.message) };
      }
      const caller = { id: `wallet:${proven.payer.toLowerCase()}` };
      return {
        caller,
        charge: async (price: PriceContext): Promise<Payment> => {
          const offers = await offersFor(http, price);
          const maxAmount = http.headers['x-x402-max-amount-wei'];
          let auth: AuthorizedPayment;
          try {
            auth = await options.gate.authorize({ header: signature, offers: offers.accepts, ...(maxAmount ? { maxAmount } : {}) });
          } catch (error) {
            const refusal = toComposeError(error);
            if (refusal.status !== 402) throw refusal;
            throw new PaymentChallenge(withError(offers, refusal.message), refusal.code, refusal.message);
          }
          let done = false;
          const release = async (): Promise<void> => {
            if (done) return;
            done = true;
            await options.gate.release(auth);
          };
          return {
            caller,
            release,
            finalize: async (outcome: Outcome): Promise<Settled> => {
              if (outcome.kind === 'failed' || done) {
                await release();
                return { headers: {} };
              }
              done = true;
              const charge = meter(price.units, outcome.measured, options.feeBps === undefined ? {} : { feeBps: options.feeBps });
              const paid = auth.scheme === 'exact' ? auth.authorizedAmount : BigInt(charge.final_amount_wei);
              const settled = await options.gate
                .settle(auth, auth.scheme === 'exact' ? {} : { amount: paid })
                .catch((error: unknown) => ({ success: false, transaction: '', network: auth.network, errorReason: (error as Error).message }));
              // The model was served: the money is owed. The nonce stays claimed and the settlement is retried.
              const retry = settled.success ? 'queued' : await enqueueOrLog(options.retries, { payment: auth, amount: paid }, { requestId: http.requestId, payer: caller.id });
              countSettlement(settled.success ? 'settled' : retry);
              const receipt = receiptFor(auth, price, charge, paid, settled, retry);
              return { receipt, headers: { ...receiptHeaders(receipt), 'payment-response': encodePaymentResponseHeader(settled) } };
            },
          };
        },
      };
    },
  };
};
