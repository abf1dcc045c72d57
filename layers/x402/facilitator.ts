/**
 * Settlement through an x402 facilitator over HTTP (`GET /supported`, `POST /verify`, `POST /settle`), per the
 * x402 v2 facilitator API. The facilitator's signer settles `upto`, so its address comes from `/supported`.
 */
import { getAddress, type Address } from 'viem';
import { UpstreamError } from '../core/errors.ts';
import { X402_VERSION } from './constants.ts';
import {
  settlementResponseSchema,
  supportedResponseSchema,
  verifyResponseSchema,
  type Network,
  type SupportedResponse,
} from './schemas.ts';
import { failedSettlement, requirementsFor, settlementAmount, type Settlement } from './settlement.ts';

export interface FacilitatorOptions {
  /** Base URL, e.g. `https://x402.org/facilitator`. */
  readonly url: string;
  readonly fetch?: typeof globalThis.fetch;
  /** Read per call, so rotated credentials are picked up without a restart. */
  readonly headers?: () => Record<string, string> | Promise<Record<string, string>>;
  readonly timeoutMs?: number;
}

export interface FacilitatorSettlement extends Settlement {
  supported(): Promise<SupportedResponse>;
}

const matches = (pattern: string, network: Network): boolean =>
  pattern === network || (pattern.endsWith(':*') && network.startsWith(pattern.slice(0, -1)));

export const createFacilitatorSettlement = (options: FacilitatorOptions): FacilitatorSettlement => {
  const base = options.url.replace(/\/+$/, '');
  const doFetch = options.fetch ?? globalThis.fetch;
  const timeoutMs = options.timeoutMs ?? 30_000;
  let supportedCache: Promise<SupportedResponse> | undefined;

  /** Returns the parsed JSON body; facilitators answer refusals with 4xx and a valid body, so status alone is not failure. */
  const call = async (method: 'GET' | 'POST', path: string, body?: unknown): Promise<unknown> => {
    const response = await doFetch(`${base}${path}`, {
      method,
      headers: { accept: 'application/json', ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...(await options.headers?.()) },
      ...(body === undefined ? {} : { body: JSON.stringify(body, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)) }),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await response.text();
    try {
      return JSON.parse(text);
    } catch {
      throw new UpstreamError(502, 'facilitator_error', `The x402 facilitator answered ${path} with HTTP ${response.status} and no JSON.`);
    }
  };

  const supported = (): Promise<SupportedResponse> => {
    supportedCache ??= call('GET', '/supported').then((body) => supportedResponseSchema.parse(body));
    supportedCache.catch(() => (supportedCache = undefined));
    return supportedCache;
  };

  return {
    mode: 'facilitator',
    supported,
    async uptoFacilitator(network): Promise<Address | undefined> {
      const info = await supported();
      const kind = info.kinds.find((k) => k.x402Version === X402_VERSION && k.scheme === 'upto' && matches(k.network, network));
      if (!kind) return undefined;
      const announced = kind.extra?.['facilitatorAddress'];
      if (typeof announced === 'string') return getAddress(announced);
      const signer = Object.entries(info.signers ?? {}).find(([pattern]) => matches(pattern, network))?.[1][0];
      return signer ? getAddress(signer) : undefined;
    },
    async verify(payment) {
      const body = await call('POST', '/verify', {
        x402Version: X402_VERSION,
        paymentPayload: payment.payload,
        paymentRequirements: requirementsFor(payment, payment.authorizedAmount),
      });
      const parsed = verifyResponseSchema.safeParse(body);
      if (!parsed.success) throw new UpstreamError(502, 'facilitator_error', 'The x402 facilitator answered /verify with an unexpected body.');
      return parsed.data;
    },
    async settle(payment, settleOptions) {
      const amount = settlementAmount(payment, settleOptions);
      if (payment.scheme === 'upto' && amount === 0n) {
        return { success: true, transaction: '', network: payment.network, payer: payment.payer, amount: '0' };
      }
      try {
        const body = await call('POST', '/settle', {
          x402Version: X402_VERSION,
          paymentPayload: payment.payload,
          paymentRequirements: requirementsFor(payment, amount),
        });
        const parsed = settlementResponseSchema.safeParse(body);
        return parsed.success ? parsed.data : failedSettlement(payment, 'unexpected_settle_error', 'unexpected /settle body');
      } catch (error) {
        return failedSettlement(payment, 'unexpected_settle_error', error instanceof Error ? error.message : String(error));
      }
    },
  };
};
