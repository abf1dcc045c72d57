import type { Caller } from '../auth/caller.ts';
import { AuthenticationError, PaymentRequiredError } from '../../layers/core/errors.ts';
import type { HttpRequest } from '../http/request.ts';
import { composeKeyPayer, type ComposeKeyBillingOptions } from './compose-key.ts';
import type { Billing, Payer, PriceContext, Surface } from './types.ts';

/** The x402 side, when configured: a payer from a `PAYMENT-SIGNATURE`, or a 402 challenge for a price. */
export interface X402Billing {
  payer(http: HttpRequest, signature: string): Promise<Payer>;
  challenge(http: HttpRequest, price: PriceContext): Promise<never>;
  /** The wallet a `SIGN-IN-WITH-X` proof names (401 when it does not hold). */
  signIn(http: HttpRequest, proof: string): Promise<Caller>;
  /** A 402 whose challenge asks the wallet to sign in (Sign-In-With-X); `status` 401 when a wrong proof was sent. */
  signInChallenge(http: HttpRequest, status: 401 | 402, code: string, message: string): Promise<never>;
}

export interface BillingOptions {
  readonly keys: ComposeKeyBillingOptions;
  readonly x402?: X402Billing;
}

const PAYMENT_SIGNATURE = 'payment-signature';
const SIGN_IN_WITH_X = 'sign-in-with-x';

/**
 * Nobody calls a model for free. A Compose Key pays everywhere; x402 pays on native routes; a native request with
 * neither gets the 402 challenge once its price is known; an external request without a key gets a 401.
 */
export const createBilling = ({ keys, x402 }: BillingOptions): Billing => ({
  owner: async (http: HttpRequest, surface: Surface): Promise<Caller> => {
    if (http.headers.authorization) return (await composeKeyPayer(http, keys)).caller;
    if (surface === 'external') {
      throw new AuthenticationError('missing_api_key', 'External routes need a Compose Key: send Authorization: Bearer compose-<key>.');
    }
    if (!x402) return { id: 'anonymous' };
    const proof = http.headers[SIGN_IN_WITH_X];
    if (proof) return x402.signIn(http, proof);
    // A payment authorization is public once settled: anyone could rebuild it. It pays; it never proves a reader.
    if (http.headers[PAYMENT_SIGNATURE]) {
      return x402.signInChallenge(http, 401, 'sign_in_required', 'A PAYMENT-SIGNATURE does not prove who reads: sign in with SIGN-IN-WITH-X (the challenge is in PAYMENT-REQUIRED), or send your Compose Key.');
    }
    return x402.signInChallenge(http, 402, 'sign_in_required', 'Records belong to whoever paid for them: sign in with your wallet (SIGN-IN-WITH-X, challenge in PAYMENT-REQUIRED) or send your Compose Key.');
  },
  identify: async (http: HttpRequest, surface: Surface): Promise<Payer> => {
    if (http.headers.authorization) return composeKeyPayer(http, keys);
    if (surface === 'external') {
      throw new AuthenticationError('missing_api_key', 'External routes need a Compose Key: send Authorization: Bearer compose-<key>.');
    }
    const signature = http.headers[PAYMENT_SIGNATURE];
    if (signature && x402) return x402.payer(http, signature);
    // Signed in but not paying yet: the wallet's records can be read to price the call (its history, its upload).
    const proof = http.headers[SIGN_IN_WITH_X];
    return {
      caller: proof && x402 ? await x402.signIn(http, proof) : { id: 'anonymous' },
      charge: async (price) => {
        if (x402) await x402.challenge(http, price);
        throw new PaymentRequiredError('payment_required', 'This route is paid: send Authorization: Bearer compose-<key>.');
      },
    };
  },
});
