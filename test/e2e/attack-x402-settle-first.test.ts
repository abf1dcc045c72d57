/**
 * Attack: x402 verifies, serves, then settles, so a payer can move the funds away while the model runs and
 * leave a settlement that reverts. Settle-first (`X402_SETTLE_FIRST_MIN_ATOMIC`, here every `exact` payment of at
 * least 1 atomic unit) moves the money before the model runs: moving the funds mid-call no longer escapes the
 * payment, and a settlement that fails refuses the call before anything is served. `upto` still settles after.
 */
import { decodePaymentResponseHeader } from '@x402/core/http';
import { parseEther } from 'viem';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { usdcAbi } from '../../layers/x402/abi.ts';
import { encodeBase64Json } from '../../layers/x402/codec.ts';
import { CHAT, balanceOf, challengeFor, officialPayer, startPaymentsRuntime, streamReceipt, type PaymentsRuntime } from '../support/payments.ts';

let gw: PaymentsRuntime;
beforeAll(async () => {
  gw = await startPaymentsRuntime({ env: { X402_SETTLE_FIRST_MIN_ATOMIC: '1', PROVIDER_MAX_RETRIES: '0' } });
});
afterAll(() => gw?.close());

const setEth = (address: `0x${string}`, ether: string) =>
  gw.chain.publicClient().request({ method: 'anvil_setBalance' as never, params: [address, `0x${parseEther(ether).toString(16)}`] as never });

const exactOnly = <T extends { accepts: { scheme: string }[] }>(challenge: T): T => ({ ...challenge, accepts: challenge.accepts.filter((o) => o.scheme === 'exact') });

describe('settle-first for exact payments at or above the stage threshold', () => {
  it('a payer who empties the wallet mid-call has already paid: the merchant holds the price before the model answers', async () => {
    const wallet = gw.chain.wallets[0]!;
    const body = JSON.stringify({ model: 'gpt-4o-mini', stream: true, max_tokens: 64, messages: [{ role: 'user', content: 'A long tale SIM_FAULT=chunk-delay:100' }] });
    const challenge = exactOnly(await challengeFor(gw, CHAT, body));
    const price = BigInt(challenge.accepts[0]!.amount);
    const merchantBefore = await balanceOf(gw.chain, gw.chain.merchant.address);

    const response = await gw.post(CHAT, body, { 'payment-signature': encodeBase64Json(await officialPayer(gw.chain, 0).sign(challenge)) });
    expect(response.status).toBe(200);
    // The stream has only begun, and the settlement has already landed.
    const stream = openStream(response);
    await stream.until('"content":"');
    expect((await balanceOf(gw.chain, gw.chain.merchant.address)) - merchantBefore).toBe(price);

    // Mid-stream the payer moves everything away; the call is paid regardless.
    const rest = await balanceOf(gw.chain, wallet.address);
    const moved = await gw.chain.walletClient(wallet).writeContract({ address: gw.chain.usdc, abi: usdcAbi, functionName: 'transfer', args: [gw.chain.deployer.address, rest] });
    await gw.chain.publicClient().waitForTransactionReceipt({ hash: moved });
    const receipt = streamReceipt(await stream.rest());
    expect(receipt).toMatchObject({ payment_method: 'x402', settled: true, final_amount_wei: price.toString() });
    expect((await balanceOf(gw.chain, gw.chain.merchant.address)) - merchantBefore).toBe(price);
  });

  it('a settlement that fails refuses the call before the model runs: 402 payment_settlement_failed, nothing served', async () => {
    const body = JSON.stringify({ model: 'gpt-4o-mini', max_tokens: 16, messages: [{ role: 'user', content: 'Never answered' }] });
    const challenge = exactOnly(await challengeFor(gw, CHAT, body));
    const payload = encodeBase64Json(await officialPayer(gw.chain, 1).sign(challenge));
    await setEth(gw.chain.relayer.address, '0');
    try {
      const response = await gw.post(CHAT, body, { 'payment-signature': payload });
      const answer = (await response.json()) as { error?: { code?: string }; choices?: unknown };
      expect(response.status).toBe(402);
      expect(answer.error?.code).toBe('payment_settlement_failed');
      expect(answer.choices).toBeUndefined();
    } finally {
      await setEth(gw.chain.relayer.address, '100');
    }
    // Nothing moved, and the same authorization pays once the chain takes it.
    const retry = await gw.post(CHAT, body, { 'payment-signature': payload });
    expect(retry.status).toBe(200);
    await retry.text();
  });

  it('upto is untouched: it settles the metered amount after the call', async () => {
    const body = JSON.stringify({ model: 'gpt-4o-mini', max_tokens: 16, messages: [{ role: 'user', content: 'Metered' }] });
    const challenge = await challengeFor(gw, CHAT, body);
    const upto = { ...challenge, accepts: challenge.accepts.filter((o) => o.scheme === 'upto') };
    const response = await gw.post(CHAT, body, { 'payment-signature': encodeBase64Json(await officialPayer(gw.chain, 2, 'upto').sign(upto)) });
    expect(response.status).toBe(200);
    const settled = decodePaymentResponseHeader(response.headers.get('payment-response')!);
    expect(BigInt(settled.amount!)).toBeLessThan(BigInt(upto.accepts[0]!.amount));
    await response.text();
  });
});

/** Reads an SSE answer in two steps: until some text, then the rest; `rest` returns the whole stream. */
const openStream = (response: Response) => {
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let seen = '';
  const read = async (): Promise<boolean> => {
    const { done, value } = await reader.read();
    if (!done) seen += decoder.decode(value, { stream: true });
    return !done;
  };
  return {
    until: async (text: string) => {
      while (!seen.includes(text)) if (!(await read())) throw new Error(`the stream ended before ${text}`);
    },
    rest: async () => {
      while (await read());
      return seen;
    },
  };
};
