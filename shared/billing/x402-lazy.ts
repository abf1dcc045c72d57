/**
 * x402 billing loaded on first use: the x402 code (and viem, inside the shared layer's x402 package) is imported
 * by the first request that carries a PAYMENT-SIGNATURE or SIGN-IN-WITH-X header, or that needs a 402 challenge,
 * never at init, so Compose Key calls never load it. Whether x402 is on is still decided at init, from
 * X402_PAY_TO alone: `createBilling` treats a missing x402 side differently (no challenge, anonymous readers).
 *
 * A configuration error in the rest of the x402 settings therefore surfaces on that first x402 request (as a
 * server error, logged) rather than failing the instance's init.
 */
import type { Caller } from '../auth/caller.ts';
import type { HttpRequest } from '../http/request.ts';
import type { X402Billing } from './billing.ts';
import type { PriceContext, Payer } from './types.ts';

/** The variable that turns x402 on (X402_ENV.payTo in x402-from-env.ts, which this module must not import). */
export const X402_PAY_TO_ENV = 'X402_PAY_TO';

/** x402 billing built by `load` on the first call that needs it, when `env` turns x402 on; else undefined. */
export const lazyX402Billing = (env: NodeJS.ProcessEnv, load: () => Promise<X402Billing | undefined>): X402Billing | undefined => {
  if (!env[X402_PAY_TO_ENV]) return undefined;
  let loading: Promise<X402Billing> | undefined;
  const loaded = (): Promise<X402Billing> =>
    (loading ??= load().then(
      (billing) => {
        if (!billing) throw new Error(`x402 billing is off although ${X402_PAY_TO_ENV} is set`);
        return billing;
      },
      (error: unknown) => {
        // A failed import may be transient; the next x402 request tries again.
        loading = undefined;
        throw error;
      },
    ));
  return {
    payer: async (http: HttpRequest, signature: string): Promise<Payer> => (await loaded()).payer(http, signature),
    challenge: async (http: HttpRequest, price: PriceContext): Promise<never> => (await loaded()).challenge(http, price),
    signIn: async (http: HttpRequest, proof: string): Promise<Caller> => (await loaded()).signIn(http, proof),
    signInChallenge: async (http: HttpRequest, status: 401 | 402, code: string, message: string): Promise<never> =>
      (await loaded()).signInChallenge(http, status, code, message),
  };
};
