import type { Address } from 'viem';
import {
  PAYMENT_ERROR,
  buildPaymentRequired,
  encodeBase64Json,
  encodePaymentRequiredHeader,
  encodePaymentResponseHeader,
  paymentRefused,
  withError,
  type AuthorizedPayment,
  type ClaimedPayment,
  type NetworkRegistry,
  type PaymentGate,
  type PaymentRequired,
  type PaymentRequirements,
  type Settlement,
  type SettlementResponse,
  type SignIn,
  type SignInChallenge,
  type TokenDomainReader,
} from '../../layers/x402/index.ts';
import type { Caller } from '../auth/caller.ts';
import { AuthenticationError, PaymentRequiredError, toComposeError } from '../../layers/core/errors.ts';
import type { HttpRequest } from '../http/request.ts';
import { meter, type Charge } from '../pricing/index.ts';
import { buildReceipt, receiptHeaders } from '../receipts/index.ts';
import type { X402Billing } from './billing.ts';
import { countSettlement, describeError, logger } from '../../layers/core/observability/index.ts';
import { enqueueOrLog, type SettlementQueue } from './settlement-queue.ts';
import { heldPayment } from './lifecycle.ts';
import type { Payer, Payment, PriceContext, Settled } from './types.ts';
import { requestOrigin } from '../http/origin.ts';

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
  /** Sign-In-With-X for reads; without it, x402 wallets cannot read their records (only keys can). */
  readonly signIn?: BillingSignIn;
  /** The public origin SIWX messages are bound to (`X402_PUBLIC_ORIGIN`); default: the request's own host. */
  readonly publicOrigin?: string;
  /**
   * Settle-first: an `exact` payment of at least this many atomic units is settled before the model runs, so the
   * payer cannot move the funds mid-call (`X402_SETTLE_FIRST_MIN_ATOMIC`; unset: every call settles after).
   */
  readonly settleFirstMinAmount?: bigint;
}

/**
 * The deadline of the call a payment funds, for its nonce claim and its in-flight hold: its family's longest run
 * plus a margin. Text (chat, Responses) may stream for up to 15 minutes; media calls and video submissions end
 * within 5. A hold still there after its deadline belongs to a call that died, and frees itself when in the way.
 */
export const X402_CALL_DEADLINE_SECONDS = { text: 16 * 60, media: 6 * 60 } as const;
const TEXT_PATH = /\/(chat\/completions|responses)$/;
export const callDeadlineSeconds = (path: string): number => (TEXT_PATH.test(path) ? X402_CALL_DEADLINE_SECONDS.text : X402_CALL_DEADLINE_SECONDS.media);

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

const logMoneyError = (event: string, auth: AuthorizedPayment, error: unknown, requestId: string): void => {
  logger.error('x402 money bookkeeping failed', { event, requestId, payer: auth.payer, network: auth.network, nonceKey: auth.claim.key, error: describeError(error) });
};

/** A settle-first payment whose call then failed: the gateway cannot pull a transfer back, an operator refunds it. */
const logPrepaidUnserved = (auth: AuthorizedPayment, prepaid: SettlementResponse, requestId: string): void => {
  logger.error('A settle-first x402 payment was settled but its call failed: refund it by hand.', {
    event: 'x402_settle_first_unserved',
    requestId,
    payer: auth.payer,
    network: auth.network,
    transaction: prepaid.transaction,
    amount: auth.authorizedAmount.toString(),
  });
};

/** A 401 that still carries a sign-in challenge, for a client that sent the wrong kind of proof. */
/**
 * Sign-In-With-X as billing uses it: a SignIn, or one whose challenge comes from a module loaded on first use
 * (x402-from-env.ts loads the SIWX verifier, its parser and its own zod, only when a request signs in).
 */
export interface BillingSignIn {
  challenge(...args: Parameters<SignIn['challenge']>): SignInChallenge | Promise<SignInChallenge>;
  prove: SignIn['prove'];
}

class SignInRefusal extends AuthenticationError {
  readonly challenge: unknown;
  constructor(challenge: unknown, code: string, message: string) {
    super(code, message, { headers: { 'payment-required': encodeBase64Json(challenge) } });
    this.challenge = challenge;
  }
}

/**
 * A 402 carrying the x402 `PaymentRequired` in the `PAYMENT-REQUIRED` header (what x402 v2 clients read). The body
 * is the OpenAI error every other refusal has, beside the challenge's fields for clients that read the body: an
 * OpenAI SDK raises `APIError` with `error.code`, and the challenge's reason is `error.message`, not a bare string.
 */
class PaymentChallenge extends PaymentRequiredError {
  readonly challenge: PaymentRequired;
  constructor(challenge: PaymentRequired, code: string, message: string) {
    super(code, message, { headers: { 'payment-required': encodePaymentRequiredHeader(challenge) } });
    this.challenge = challenge;
  }
  override toBody(): Record<string, unknown> {
    const { error: _reason, ...challenge } = this.challenge;
    return { ...challenge, ...super.toBody() };
  }
}

/**
 * x402 v2 on native routes. The challenge offers, for metered calls, `upto` capped at the worst-case quote (listed
 * first), and `exact` at the worst case or, when the caller set no output cap, at the default cap's quote. Before
 * the model runs the payment's nonce is claimed (which is what proves its payer), its chain state checked, its
 * price checked and its amount held against the payer's balance less what is in flight; it is settled after
 * (before, for settle-first `exact`): `exact` for the price signed, `upto` for the metered amount. A failed call
 * settles nothing and frees the nonce and the hold. Reads prove a wallet with Sign-In-With-X, never a payment.
 */
export const createX402Billing = (options: X402BillingOptions): X402Billing => {
  const maxTimeoutSeconds = options.maxTimeoutSeconds ?? X402_MAX_TIMEOUT_SECONDS;

  const offersFor = async (http: HttpRequest, price: PriceContext): Promise<PaymentRequired> => {
    const network = options.networks.fromChainIdHeader(http.headers['x-chain-id']);
    const domain = await options.domains.read(network.network, network.usdc);
    const worstCase = price.quote.amount.toString();
    const { defaultCap } = price;
    return buildPaymentRequired(
      {
        resourceUrl: price.resourceUrl,
        description: defaultCap
          ? `${price.description}; exact is priced for at most ${defaultCap.outputTokens} output tokens (no output cap was sent), upto for the model's maximum`
          : price.description,
        mimeType: 'application/json',
        network: network.network,
        asset: network.usdc,
        payTo: options.payTo,
        amount: (defaultCap?.quote.amount ?? price.quote.amount).toString(),
        ...(defaultCap ? { exactMaxOutputTokens: defaultCap.outputTokens } : {}),
        maxTimeoutSeconds,
        ...(price.metered ? { upto: { maxAmount: worstCase } } : {}),
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
    charge: Charge,
    paid: bigint,
    settled: { success: boolean; transaction?: string },
    retry: 'queued' | 'unqueued',
  ) => {
    // `exact` pays the price offered, a bound on the metered cost: what was not used shows as its own line.
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

  const originOf = (http: HttpRequest): URL =>
    new URL(options.publicOrigin ?? requestOrigin(http.headers));

  const signInChallenge = async (http: HttpRequest, status: 401 | 402, code: string, message: string): Promise<never> => {
    if (!options.signIn) throw new AuthenticationError(code, message);
    const url = new URL(http.path, originOf(http)).href;
    const challenge = await options.signIn.challenge(url, options.networks.list().map((n) => n.network), message);
    if (status === 401) throw new SignInRefusal(challenge, code, message);
    throw new PaymentChallenge(challenge as unknown as PaymentRequired, code, message);
  };

  /** A payment addresses this server: our recipient, on a network we take, in its USDC. */
  const ours = (requirements: PaymentRequirements): void => {
    const network = options.networks.get(requirements.network);
    if (!network) throw paymentRefused(PAYMENT_ERROR.wrongNetwork, `This server does not take payments on ${requirements.network}.`);
    if (requirements.payTo.toLowerCase() !== options.payTo.toLowerCase()) throw paymentRefused(PAYMENT_ERROR.wrongRecipient, 'The payment is not addressed to this server.');
    if (requirements.asset.toLowerCase() !== network.usdc.toLowerCase()) throw paymentRefused(PAYMENT_ERROR.wrongAsset, `This server takes ${network.usdc} on ${network.network}.`);
  };

  const payers = new WeakMap<HttpRequest, Promise<Payer>>();

  /**
   * A PAYMENT-SIGNATURE names its payer only once this request has claimed its nonce and the chain says it is
   * unused: a settled authorization (public on chain) or one in flight elsewhere proves nobody, so nothing is read
   * on its behalf. The claim is then the payment's, checked against the price in `charge`.
   */
  const payerFor = async (http: HttpRequest, signature: string): Promise<Payer> => {
    let claimed: ClaimedPayment;
    try {
      claimed = await options.gate.claim({ header: signature, expect: ours, deadlineSeconds: callDeadlineSeconds(http.path) });
    } catch (error) {
      const refusal = toComposeError(error);
      if (refusal.status !== 402) throw refusal;
      // Nobody is proven, so nothing is read on anyone's behalf; the refusal waits for the price, so that it
      // goes out like every other refusal: 402, its code, and a fresh challenge the client can pay instead.
      return { caller: { id: 'anonymous' }, charge: (price: PriceContext) => challenge(http, price, refusal.code, refusal.message) };
    }
    const caller: Caller = { id: `wallet:${claimed.payer.toLowerCase()}` };
    return {
      caller,
      charge: async (price: PriceContext): Promise<Payment> => {
        const offers = await offersFor(http, price).catch(async (error: unknown) => {
          await options.gate.release(claimed);
          throw error;
        });
        const maxAmount = http.headers['x-x402-max-amount-wei'];
        let auth: AuthorizedPayment;
        try {
          auth = await options.gate.accept(claimed, { offers: offers.accepts, ...(maxAmount ? { maxAmount } : {}) });
        } catch (error) {
          const refusal = toComposeError(error);
          if (refusal.status !== 402) throw refusal;
          throw new PaymentChallenge(withError(offers, refusal.message), refusal.code, refusal.message);
        }
        // Settle-first: a high-value `exact` payment moves before the model runs, or the call is refused unserved.
        let prepaid: SettlementResponse | undefined;
        if (auth.scheme === 'exact' && options.settleFirstMinAmount !== undefined && auth.authorizedAmount >= options.settleFirstMinAmount) {
          const settled = await options.gate
            .settle(auth)
            .catch((error: unknown): SettlementResponse => ({ success: false, transaction: '', network: auth.network, errorReason: (error as Error).message }));
          if (!settled.success) {
            await options.gate.release(auth);
            const message = `This call is settled before it runs, and the settlement failed (${settled.errorReason ?? 'unknown'}); nothing was served. Pay again.`;
            throw new PaymentChallenge(withError(offers, message), PAYMENT_ERROR.settlementFailed, message);
          }
          prepaid = settled;
        }
        // `exact` signed for less than the worst case pays for the default output cap: the call stops there.
        const capped = auth.scheme === 'exact' && price.defaultCap && auth.authorizedAmount < price.quote.amount;
        return heldPayment({
          caller,
          ...(capped ? { outputCap: price.defaultCap!.outputTokens } : {}),
          release: async () => {
            if (prepaid) logPrepaidUnserved(auth, prepaid, http.requestId);
            await options.gate.release(auth);
          },
          settle: async (measured): Promise<Settled> => {
            const charge = meter(price.units, measured, options.feeBps === undefined ? {} : { feeBps: options.feeBps });
            if (prepaid) {
              countSettlement('settled');
              const receipt = receiptFor(auth, charge, auth.authorizedAmount, prepaid, 'queued');
              return { receipt, headers: { ...receiptHeaders(receipt), 'payment-response': encodePaymentResponseHeader(prepaid) } };
            }
            const paid = auth.scheme === 'exact' ? auth.authorizedAmount : BigInt(charge.final_amount_wei);
            const settled = await options.gate
              .settle(auth, auth.scheme === 'exact' ? {} : { amount: paid })
              .catch((error: unknown) => ({ success: false, transaction: '', network: auth.network, errorReason: (error as Error).message }));
            let retry: 'queued' | 'unqueued' = 'queued';
            if (!settled.success) {
              // The model was served: the money is owed. The nonce stays claimed past its deadline, the hold stays
              // until the retry lands (or its deadline passes), and the settlement is retried.
              await options.gate.keep(auth).catch((error: unknown) => logMoneyError('x402_claim_keep_failed', auth, error, http.requestId));
              retry = await enqueueOrLog(options.retries, { payment: auth, amount: paid }, { requestId: http.requestId, payer: caller.id });
            }
            countSettlement(settled.success ? 'settled' : retry);
            const receipt = receiptFor(auth, charge, paid, settled, retry);
            return { receipt, headers: { ...receiptHeaders(receipt), 'payment-response': encodePaymentResponseHeader(settled) } };
          },
        });
      },
    };
  };

  return {
    challenge: (http, price) =>
      challenge(http, price, 'payment_required', 'This route is paid: send a PAYMENT-SIGNATURE (x402) or Authorization: Bearer compose-<key>.'),

    payer: (http: HttpRequest, signature: string): Promise<Payer> => {
      // One claim per request, however many modules ask who pays (a file_id lookup, then the paid path).
      let payer = payers.get(http);
      if (!payer) {
        payer = payerFor(http, signature);
        payers.set(http, payer);
      }
      return payer;
    },

    signIn: async (http, proof) => {
      if (!options.signIn) throw new AuthenticationError('sign_in_unavailable', 'This deployment does not take Sign-In-With-X; send your Compose Key.');
      try {
        const wallet = await options.signIn.prove(proof, originOf(http));
        return { id: `wallet:${wallet.toLowerCase()}` };
      } catch (error) {
        const refusal = toComposeError(error);
        if (refusal.status !== 401) throw refusal;
        return signInChallenge(http, 401, refusal.code, refusal.message);
      }
    },

    signInChallenge: (http, status, code, message) => signInChallenge(http, status, code, message),
  };
};
