/**
 * Builds the 402 challenge (`PaymentRequired`). `exact` is always offered; `upto` is added (and listed first) when
 * the price depends on usage. Each offer carries the `extra` fields the official `@x402/evm` client needs to sign: the token's
 * EIP-712 name and version, and for `upto` the facilitator address the witness must name.
 */
import type { Address } from 'viem';
import { X402_VERSION } from './constants.ts';
import type { Network, PaymentRequired, PaymentRequirements } from './schemas.ts';
import type { TokenDomain } from './typed-data.ts';

export interface ChallengeInput {
  readonly resourceUrl: string;
  readonly description?: string;
  readonly mimeType?: string;
  readonly network: Network;
  readonly asset: Address;
  readonly payTo: Address;
  /** The `exact` price in atomic units (integer string). */
  readonly amount: string;
  readonly maxTimeoutSeconds: number;
  /** Offer `upto` too, authorizing up to `maxAmount` (the worst-case quote); settled later at the metered amount. */
  readonly upto?: { readonly maxAmount: string };
  /**
   * The output cap `amount` was quoted for, when the caller set none: named in the `exact` offer's `extra`
   * (`maxOutputTokens`), and the call paid with `exact` is generated within it.
   */
  readonly exactMaxOutputTokens?: number;
  /** Why the previous attempt failed, when re-challenging after a refusal. */
  readonly error?: string;
}

export interface ChallengeContext {
  /** The token's EIP-712 domain, from `TokenDomainReader`. */
  readonly domain: TokenDomain;
  /** The account that will call the upto proxy; without one `upto` cannot be offered. */
  readonly uptoFacilitator?: Address;
}

const ATOMIC = /^\d{1,78}$/;

export const buildPaymentRequired = (input: ChallengeInput, context: ChallengeContext): PaymentRequired => {
  if (!ATOMIC.test(input.amount)) throw new Error(`amount must be an atomic integer string, got ${input.amount}`);
  if (input.upto && !ATOMIC.test(input.upto.maxAmount)) throw new Error(`upto.maxAmount must be an atomic integer string`);
  if (input.upto && !context.uptoFacilitator) throw new Error('upto needs a facilitator address (Settlement.uptoFacilitator)');

  const base = {
    network: input.network,
    asset: input.asset,
    payTo: input.payTo,
    maxTimeoutSeconds: input.maxTimeoutSeconds,
  };
  const tokenExtra = { name: context.domain.name, version: context.domain.version };
  const exact: PaymentRequirements = {
    scheme: 'exact',
    ...base,
    amount: input.amount,
    extra: { ...tokenExtra, assetTransferMethod: 'eip3009', ...(input.exactMaxOutputTokens === undefined ? {} : { maxOutputTokens: input.exactMaxOutputTokens }) },
  };
  // `upto` first where the price depends on usage: a client that takes the first offer it can pay (the official
  // client's default) then pays what the call used, not the worst case.
  const accepts: PaymentRequirements[] =
    input.upto && context.uptoFacilitator
      ? [{ scheme: 'upto', ...base, amount: input.upto.maxAmount, extra: { ...tokenExtra, facilitatorAddress: context.uptoFacilitator } }, exact]
      : [exact];
  return {
    x402Version: X402_VERSION,
    ...(input.error ? { error: input.error } : {}),
    resource: {
      url: input.resourceUrl,
      ...(input.description ? { description: input.description } : {}),
      ...(input.mimeType ? { mimeType: input.mimeType } : {}),
    },
    accepts,
  };
};

/** The same challenge re-issued after a refusal, so the client learns why and can pay again. */
export const withError = (challenge: PaymentRequired, error: string): PaymentRequired => ({ ...challenge, error });
