import { AuthenticationError, PaymentRequiredError } from '../errors.ts';
import type { HttpRequest } from '../http/request.ts';
import { composeKeyPayer, type ComposeKeyBillingOptions } from './compose-key.ts';
import type { Billing, Payer, PriceContext, Surface } from './types.ts';

/** The x402 side, when configured: a payer from a `PAYMENT-SIGNATURE`, or a 402 challenge for a price. */
export interface X402Billing {
  payer(http: HttpRequest, signature: string): Promise<Payer>;
  challenge(http: HttpRequest, price: PriceContext): Promise<never>;
}

export interface BillingOptions {
  readonly keys: ComposeKeyBillingOptions;
  readonly x402?: X402Billing;
}

const PAYMENT_SIGNATURE = 'payment-signature';

/**
 * Nobody calls a model for free. A Compose Key pays everywhere; x402 pays on native routes; a native request with
 * neither gets the 402 challenge once its price is known; an external request without a key gets a 401.
 */
export const createBilling = ({ keys, x402 }: BillingOptions): Billing => ({
  identify: async (http: HttpRequest, surface: Surface): Promise<Payer> => {
    if (http.headers.authorization) return composeKeyPayer(http, keys);
    if (surface === 'external') {
      throw new AuthenticationError('missing_api_key', 'External routes need a Compose Key: send Authorization: Bearer compose-<key>.');
    }
    const signature = http.headers[PAYMENT_SIGNATURE];
    if (signature && x402) return x402.payer(http, signature);
    return {
      caller: { id: 'anonymous' },
      charge: async (price) => {
        if (x402) await x402.challenge(http, price);
        throw new PaymentRequiredError('payment_required', 'This route is paid: send Authorization: Bearer compose-<key>.');
      },
    };
  },
});
