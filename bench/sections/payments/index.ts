/**
 * Issue 5: the two ways to pay, reported separately — the Compose Key path (DynamoDB round trips before the
 * provider call) and the x402 path (verification overhead without chain RPC).
 */
import type { Section } from '../../lib/section.ts';
import { measureKeyPath } from './key-path.ts';
import { measureX402Verification } from './x402-verify.ts';

export const paymentsSection: Section = {
  id: 'payments',
  title: 'Payments: key path and x402 verification',
  issue: 5,
  run: async ({ knobs, services, log }) => {
    const keys = await measureKeyPath(services, knobs.keyPathRequests, log);
    const x402 = await measureX402Verification(knobs, log);
    return {
      metrics: [...keys.metrics, ...x402.metrics],
      details: { keyPath: keys.details, x402: x402.details },
      notes: [...keys.notes, ...x402.notes],
    };
  },
};
