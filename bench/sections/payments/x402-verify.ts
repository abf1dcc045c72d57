/**
 * Issue 5 (x402 path only): verification overhead excluding chain RPC — decode the PAYMENT-SIGNATURE header,
 * match the offer, check the EIP-3009 fields and validity window, recover the EIP-712 signer. In-process,
 * on a set of distinct payments signed with a throwaway key. The nonce claim (a DynamoDB round trip) and the
 * key path belong to the payments section, still to come.
 */
import { randomBytes } from 'node:crypto';
import type { Hex } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { decodePaymentSignatureHeader, encodePaymentSignatureHeader } from '../../layers/x402/codec.ts';
import { BASE_SEPOLIA } from '../../layers/x402/networks.ts';
import type { PaymentPayload, PaymentRequirements } from '../../layers/x402/schemas.ts';
import { exactTypedData } from '../../layers/x402/typed-data.ts';
import { verifyPayment } from '../../layers/x402/verify.ts';
import { atMost, metric, type Section } from '../lib/section.ts';
import { round, roundSummary, summarize } from '../lib/stats.ts';

const DISTINCT_PAYMENTS = 40;

const signedHeaders = async (count: number, offer: PaymentRequirements, now: number): Promise<string[]> => {
  const account = privateKeyToAccount(`0x${randomBytes(32).toString('hex')}` as Hex);
  const domain = { name: String(offer.extra?.['name']), version: String(offer.extra?.['version']) };
  const headers: string[] = [];
  for (let i = 0; i < count; i += 1) {
    const authorization = {
      from: account.address,
      to: offer.payTo,
      value: offer.amount,
      validAfter: String(now - 60),
      validBefore: String(now + 600),
      nonce: `0x${randomBytes(32).toString('hex')}` as Hex,
    };
    const signature = await account.signTypedData(exactTypedData(authorization, { domain, chainId: BASE_SEPOLIA.chainId, address: offer.asset }));
    const payment: PaymentPayload = { x402Version: 2, accepted: offer, payload: { signature, authorization } };
    headers.push(encodePaymentSignatureHeader(payment));
  }
  return headers;
};

export const x402Section: Section = {
  id: 'x402',
  title: 'x402 verification (no chain RPC)',
  issue: 5,
  run: async ({ knobs, log }) => {
    const offer: PaymentRequirements = {
      scheme: 'exact',
      network: BASE_SEPOLIA.network,
      amount: '2500',
      asset: BASE_SEPOLIA.usdc,
      payTo: privateKeyToAccount(`0x${'42'.repeat(32)}`).address,
      maxTimeoutSeconds: 300,
      extra: { name: 'USDC', version: '2' },
    };
    const now = Math.floor(Date.now() / 1000);
    const headers = await signedHeaders(DISTINCT_PAYMENTS, offer, now);
    const verify = async (header: string) => {
      const verified = await verifyPayment(decodePaymentSignatureHeader(header), { offers: [offer], now });
      if (verified.payer === undefined) throw new Error('verification returned no payer');
    };

    log(`  ${knobs.x402Samples} verifications over ${DISTINCT_PAYMENTS} distinct signed payments`);
    for (let i = 0; i < Math.min(50, knobs.x402Samples); i += 1) await verify(headers[i % headers.length]!);
    const samples: number[] = [];
    for (let i = 0; i < knobs.x402Samples; i += 1) {
      const t = performance.now();
      await verify(headers[i % headers.length]!);
      samples.push(performance.now() - t);
    }
    const summary = summarize(samples);
    return {
      metrics: [
        metric('x402 exact verification p50 (decode + checks + EIP-712 recovery)', round(summary.p50), 'ms', { target: atMost(3) }),
        metric('x402 exact verification p99', round(summary.p99), 'ms'),
      ],
      details: { verification: roundSummary(summary), scheme: 'exact', network: offer.network },
      notes: [
        'Times decodePaymentSignatureHeader + verifyPayment (layers/x402/) in-process with the EOA verifier (viem verifyTypedData); no RPC, no nonce claim.',
        'The key path (DynamoDB round trips before the first upstream byte) is not measured yet: add it as a payments section once Compose Keys are wired into the request path.',
      ],
    };
  },
};
