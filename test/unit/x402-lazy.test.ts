/**
 * x402 billing built on first use (shared/billing/x402-lazy.ts): Compose Key calls never load the x402 code or
 * viem; the first x402 request loads it once, concurrent ones share that load, and a failed load is retried.
 */
import { describe, expect, it, vi } from 'vitest';
import type { X402Billing } from '../../shared/billing/billing.ts';
import { X402_ENV } from '../../shared/billing/x402-from-env.ts';
import { lazyX402Billing, X402_PAY_TO_ENV } from '../../shared/billing/x402-lazy.ts';
import type { HttpRequest } from '../../shared/http/request.ts';

const http = {} as HttpRequest;
const caller = { id: 'wallet:0xabc' };
const billing = (): X402Billing => ({
  payer: vi.fn(),
  challenge: vi.fn(),
  signIn: vi.fn(async () => caller),
  signInChallenge: vi.fn(),
});

describe('lazy x402 billing', () => {
  it('is off, and loads nothing, without X402_PAY_TO', () => {
    const load = vi.fn(async () => billing());
    expect(lazyX402Billing({}, load)).toBeUndefined();
    expect(load).not.toHaveBeenCalled();
  });

  it('names the same variable as the x402 settings it must not import', () => {
    expect(X402_PAY_TO_ENV).toBe(X402_ENV.payTo);
  });

  it('loads on the first x402 call only, once for concurrent calls', async () => {
    const inner = billing();
    const load = vi.fn(async () => inner);
    const lazy = lazyX402Billing({ X402_PAY_TO: '0x70997970C51812dc3A010C7d01b50e0d17dc79C8' }, load)!;
    expect(load).not.toHaveBeenCalled();
    const callers = await Promise.all([lazy.signIn(http, 'proof-1'), lazy.signIn(http, 'proof-2')]);
    expect(callers).toEqual([caller, caller]);
    expect(load).toHaveBeenCalledTimes(1);
    expect(inner.signIn).toHaveBeenCalledWith(http, 'proof-2');
  });

  it('tries again after a failed load, and reports the failure to the call that hit it', async () => {
    const inner = billing();
    const load = vi.fn().mockRejectedValueOnce(new Error('import failed')).mockResolvedValue(inner);
    const lazy = lazyX402Billing({ X402_PAY_TO: '0x70997970C51812dc3A010C7d01b50e0d17dc79C8' }, load)!;
    await expect(lazy.signIn(http, 'proof')).rejects.toThrow('import failed');
    await expect(lazy.signIn(http, 'proof')).resolves.toEqual(caller);
    expect(load).toHaveBeenCalledTimes(2);
  });
});
