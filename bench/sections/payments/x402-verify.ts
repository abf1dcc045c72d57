/**
 * Issue 5, x402 path: verification overhead excluding chain RPC — decode the PAYMENT-SIGNATURE header, match
 * the offer, check the EIP-3009 fields and validity window, recover the EIP-712 signer. In-process, on a set of
 * distinct payments signed with a throwaway key. The nonce claim (a DynamoDB round trip) is not included.
 */
import { randomBytes } from 'node:crypto';
import type { Hex } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import type { Knobs } from '../../lib/knobs.ts';
import { decodePaymentSignatureHeader, encodePaymentSignatureHeader } from '../../../layers/x402/codec.ts';
import { BASE_SEPOLIA } from '../../../layers/x402/networks.ts';
import type { PaymentPayload, PaymentRequirements } from '../../../layers/x402/schemas.ts';
import { exactTypedData } from '../../../layers/x402/typed-data.ts';
import { verifyPayment } from '../../../layers/x402/verify.ts';
import { meanCpuMs } from '../../lib/cpu.ts';
import { atMost, metric } from '../../lib/section.ts';
import { round, roundSummary, summarize } from '../../lib/stats.ts';

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

export const measureX402Verification = async (knobs: Knobs, log: (message: string) => void) => {
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
  const cpuMean = await meanCpuMs(knobs.x402Samples, (i) => verify(headers[i % headers.length]!));
  return {
    metrics: [
      metric('x402 exact verification p50 (decode + checks + EIP-712 recovery)', round(summary.p50), 'ms', { target: atMost(3) }),
      metric('x402 exact verification p99', round(summary.p99), 'ms'),
      metric('x402 exact verification CPU time, mean (load-resistant estimate of p50)', round(cpuMean), 'ms', { target: atMost(3) }),
    ],
    details: { verification: roundSummary(summary), cpuMeanMs: round(cpuMean), scheme: 'exact', network: offer.network },
    notes: [
      'Times decodePaymentSignatureHeader + verifyPayment (layers/x402/) in-process with the EOA verifier (viem verifyTypedData); no RPC, no nonce claim.',
    ],
  };
};
