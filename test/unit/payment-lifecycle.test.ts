/**
 * One hold's lifecycle, shared by Compose Keys and x402 (shared/billing/lifecycle.ts): held → settled |
 * released, each at most once, whatever order the call's paths finalize and release in.
 */
import { describe, expect, it } from 'vitest';
import { heldPayment, outcomeOf, type Hold } from '../../shared/billing/lifecycle.ts';
import type { Measured } from '../../shared/pricing/index.ts';

const SERVED = { kind: 'served', measured: [{ kind: 'requests', count: 1 }] as Measured[] } as const;

const recordingHold = (settle?: Hold['settle']) => {
  const log: string[] = [];
  const hold: Hold = {
    caller: { id: 'key:test' },
    settle:
      settle ??
      (async () => {
        log.push('settle');
        return { headers: { 'x-settled': '1' } };
      }),
    release: async () => void log.push('release'),
  };
  return { hold, log };
};

describe('a held payment', () => {
  it('settles what was served, once: a later release or finalize does nothing', async () => {
    const { hold, log } = recordingHold();
    const payment = heldPayment(hold);
    expect(await payment.finalize(SERVED)).toEqual({ headers: { 'x-settled': '1' } });
    await payment.release();
    expect(await payment.finalize(SERVED)).toEqual({ headers: {} });
    expect(await payment.finalize({ kind: 'failed' })).toEqual({ headers: {} });
    expect(log).toEqual(['settle']);
  });

  it('releases a failed call, once: nothing is settled after it', async () => {
    const { hold, log } = recordingHold();
    const payment = heldPayment(hold);
    expect(await payment.finalize({ kind: 'failed' })).toEqual({ headers: {} });
    await payment.release();
    await payment.finalize(SERVED);
    expect(log).toEqual(['release']);
  });

  it('goes back to held when its settle throws, so that the money can still be released', async () => {
    let attempts = 0;
    const { hold, log } = recordingHold(async () => {
      attempts += 1;
      throw new Error('ledger unavailable');
    });
    const payment = heldPayment(hold);
    await expect(payment.finalize(SERVED)).rejects.toThrow('ledger unavailable');
    await payment.release();
    await payment.release();
    expect(attempts).toBe(1);
    expect(log).toEqual(['release']);
  });

  it('does not release while its settle is under way (a hang-up racing the end of a stream)', async () => {
    let land: (() => void) | undefined;
    const { hold, log } = recordingHold(async () => {
      await new Promise<void>((resolve) => (land = resolve));
      log.push('settle');
      return { headers: {} };
    });
    const payment = heldPayment(hold);
    const settling = payment.finalize(SERVED);
    await payment.release();
    await payment.finalize({ kind: 'failed' });
    land!();
    await settling;
    expect(log).toEqual(['settle']);
  });

  it('carries the caller and the output cap its hold covers', () => {
    const payment = heldPayment({ ...recordingHold().hold, outputCap: 1024 });
    expect(payment.caller).toEqual({ id: 'key:test' });
    expect(payment.outputCap).toBe(1024);
    expect('outputCap' in heldPayment(recordingHold().hold)).toBe(false);
  });
});

describe('what a call owes', () => {
  it('is what it measured, or nothing (a release) when it measured nothing', () => {
    expect(outcomeOf(SERVED.measured)).toEqual(SERVED);
    expect(outcomeOf([])).toEqual({ kind: 'failed' });
  });
});
