import type { Caller } from '../auth/caller.ts';
import type { HttpRequest } from '../http/request.ts';
import type { Measured, PricingUnit, Quote } from '../pricing/index.ts';
import type { ReceiptBody } from '../receipts/index.ts';

/** What one call is about to cost, decided before the model runs. */
export interface PriceContext {
  readonly modelId: string;
  readonly units: readonly PricingUnit[];
  readonly quote: Quote;
  /** Whether the final price depends on usage (then x402 also offers `upto`). */
  readonly metered: boolean;
  /**
   * A text call with no output cap from the caller: the smaller price x402 `exact` is quoted for, and the output
   * cap (the default, 1,024 tokens or the model's maximum if lower) a call paid that way is generated within.
   */
  readonly defaultCap?: { readonly outputTokens: number; readonly quote: Quote };
  readonly resourceUrl: string;
  readonly description: string;
  /** The deadline of the call, in seconds from its hold (`HOLD_SECONDS`): its hold is presumed dead after it. */
  readonly holdSeconds?: number;
}

/** How a call ended, for settlement: nothing is charged for a failed or cancelled call. */
export type Outcome = { readonly kind: 'served'; readonly measured: readonly Measured[] } | { readonly kind: 'failed' };

export interface Settled {
  readonly receipt?: ReceiptBody;
  /** Response headers that carry the outcome on non-streamed answers (`X-Compose-Receipt`, `PAYMENT-RESPONSE`). */
  readonly headers: Readonly<Record<string, string>>;
}

/** An authorized call: the money is held (key reservation, x402 nonce) until `finalize` or `release`. */
export interface Payment {
  readonly caller: Caller;
  /** The output cap this payment covers when it is below the quote's (x402 `exact` at the default cap). */
  readonly outputCap?: number;
  finalize(outcome: Outcome): Promise<Settled>;
  /** Gives the hold back without charging: the call failed before anything was served, or it was a replay. */
  release(): Promise<void>;
}

/**
 * Who pays, proven before anything is read on their behalf (stored responses are scoped to the caller), and
 * able to hold the worst case once the price is known. `charge` throws 402 (or 401 externally) when it cannot.
 */
export interface Payer {
  readonly caller: Caller;
  charge(price: PriceContext): Promise<Payment>;
  /**
   * For routes that create something without charging (POST /v1/uploads): throws when the credential may no
   * longer create anything (a revoked Compose Key). `charge` checks the same in its hold. Reads of the caller's
   * own records do not call it: a revoked key can still read what it made. Absent: nothing to check (x402).
   */
  assertMayCreate?(): Promise<void>;
}

export type Surface = 'native' | 'external';

/** Decides how a request pays: a Compose Key, an x402 payment, or nothing yet (a 402 challenge). */
export interface Billing {
  identify(http: HttpRequest, surface: Surface): Promise<Payer>;
  /**
   * Who reads, cancels or manages records (no payment): a Compose Key, or a wallet signed in with Sign-In-With-X.
   * Never a payment authorization: once settled it is public on chain.
   */
  owner(http: HttpRequest, surface: Surface): Promise<Caller>;
}
