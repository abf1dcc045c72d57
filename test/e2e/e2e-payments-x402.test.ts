import { usdcAbi } from '../../layers/x402/abi.ts';
/**
 * x402 v2 through the real gateway, end to end: the local runtime with its anvil chain, the official
 * `@x402/fetch` + `@x402/evm` client paying native chat completions and Responses calls, settlement by the
 * built-in relayer, balances read from the chain. Every refusal is a 402 with its own reason code and a fresh
 * challenge, and moves no money; external routes never take x402.
 */
import { decodePaymentRequiredHeader as officialDecodeRequired, decodePaymentResponseHeader as officialDecodeResponse } from '@x402/core/http';
import type { Hex } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { encodeBase64Json } from '../../layers/x402/codec.ts';
import type { PaymentPayload, PaymentRequired } from '../../layers/x402/schemas.ts';
import { exactTypedData } from '../../layers/x402/typed-data.ts';
import { X402_MAX_TIMEOUT_SECONDS, X402_MIN_VALIDITY_SECONDS } from '../../shared/billing/x402.ts';
import type { ReceiptBody } from '../../shared/receipts/index.ts';
import { readUntilContent,
  CHAT,
  RESPONSES,
  balancesMovedBy,
  challengeFor,
  headerReceipt,
  officialPayer,
  sharedPaymentsRuntime,
  streamReceipt,
  type PaymentsRuntime,
  type Scheme,
} from '../support/payments.ts';

let gw: PaymentsRuntime;

beforeAll(async () => {
  // The shared runtime retries a failing provider as npm start does: an upstream that keeps failing fails the
  // call once its retries are spent, and moves no money either way.
  gw = await sharedPaymentsRuntime();
});
afterAll(async () => {
  await gw?.close();
});

type Api = 'chat' | 'responses';
const pathOf = (api: Api): string => (api === 'chat' ? CHAT : RESPONSES);

/** A request body as the bytes that are priced: a challenge and the paid retry must send the same ones. */
const bodyFor = (api: Api, prompt: string, stream = false): string =>
  JSON.stringify(
    api === 'chat'
      ? { model: 'gpt-4o-mini', messages: [{ role: 'user', content: prompt }], max_tokens: 64, ...(stream ? { stream: true } : {}) }
      : { model: 'gpt-4o-mini', input: prompt, max_output_tokens: 64, ...(stream ? { stream: true } : {}) },
  );

const jsonInit = (body: string, headers: Record<string, string> = {}): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/json', ...headers },
  body,
});

const exactOffer = (challenge: PaymentRequired) => challenge.accepts.find((offer) => offer.scheme === 'exact')!;
const uptoOffer = (challenge: PaymentRequired) => challenge.accepts.find((offer) => offer.scheme === 'upto')!;

/** The official client answers the 402 by paying; the whole answer is read, so settlement is over. */
const payWithOfficialClient = async (wallet: number, scheme: Scheme, api: Api, body: string, headers: Record<string, string> = {}) => {
  const payer = officialPayer(gw.chain, wallet, scheme);
  const moved = await balancesMovedBy(gw.chain, payer.account.address, async () => {
    const response = await payer.fetch(`${gw.url}${pathOf(api)}`, jsonInit(body, headers));
    return { response, text: await response.text() };
  });
  return { payer, ...moved, response: moved.result.response, text: moved.result.text };
};

/** The receipt of an x402 call: settled on the local chain by a transaction that succeeded. */
const expectSettledOnChain = async (receipt: ReceiptBody, payer: string): Promise<void> => {
  expect(receipt).toMatchObject({ payment_method: 'x402', settled: true, settlement_status: 'settled', network: gw.chain.network });
  expect(receipt.subject?.toLowerCase()).toBe(payer.toLowerCase());
  expect(receipt.tx_hash).toMatch(/^0x[0-9a-f]{64}$/);
  expect(receipt.settled_at).toEqual(expect.any(Number));
  const onChain = await gw.chain.publicClient().getTransactionReceipt({ hash: receipt.tx_hash as Hex });
  expect(onChain.status).toBe('success');
};

const bodyReceipt = (api: Api, text: string): unknown => {
  const body = JSON.parse(text) as Record<string, unknown>;
  return api === 'chat' ? body['compose_receipt'] : body['receipt'];
};

// --- paying with the official client -----------------------------------------------------------------------

describe('the official x402 client pays with exact', () => {
  it.each([
    ['a chat completion', 'chat'],
    ['a Responses call', 'responses'],
  ] as const)('%s, not streamed: 200, PAYMENT-RESPONSE, a receipt with the transaction, balances moved by the receipt', async (_name, api) => {
    const body = bodyFor(api, `Pay for me exactly (${api})`);
    const price = BigInt(exactOffer(await challengeFor(gw, pathOf(api), body)).amount);
    const { payer, response, text, paid, received } = await payWithOfficialClient(0, 'exact', api, body);

    expect(response.status).toBe(200);
    const receipt = headerReceipt(response);
    expect(bodyReceipt(api, text)).toEqual(receipt);
    await expectSettledOnChain(receipt, payer.account.address);

    const settlement = officialDecodeResponse(response.headers.get('payment-response')!);
    expect(settlement).toMatchObject({ success: true, transaction: receipt.tx_hash, network: gw.chain.network, payer: payer.account.address });

    // exact pays the price offered, the worst-case quote; what the call did not use is its own line.
    expect(BigInt(receipt.final_amount_wei)).toBe(price);
    expect(receipt.line_items.map((item) => item.key)).toContain('exact_price_unused');
    expect(paid).toBe(BigInt(receipt.final_amount_wei));
    expect(received).toBe(paid);
  });

  it.each([
    ['a chat completion', 'chat'],
    ['a Responses call', 'responses'],
  ] as const)('%s, streamed: the compose.receipt event carries the transaction, balances moved by the receipt', async (_name, api) => {
    const body = bodyFor(api, `Stream and pay exactly (${api})`, true);
    const price = BigInt(exactOffer(await challengeFor(gw, pathOf(api), body)).amount);
    const { payer, response, text, paid, received } = await payWithOfficialClient(0, 'exact', api, body);

    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/text\/event-stream/);
    const receipt = streamReceipt(text);
    await expectSettledOnChain(receipt, payer.account.address);
    expect(BigInt(receipt.final_amount_wei)).toBe(price);
    expect(paid).toBe(BigInt(receipt.final_amount_wei));
    expect(received).toBe(paid);
  });
});

describe('upto settles the metered amount, never more than the cap', () => {
  it.each([
    ['a chat completion, not streamed', 'chat', false],
    ['a Responses call, streamed', 'responses', true],
  ] as const)('%s', async (_name, api, stream) => {
    const body = bodyFor(api, `Meter me (${api})`, stream);
    const cap = BigInt(uptoOffer(await challengeFor(gw, pathOf(api), body)).amount);
    const { payer, response, text, paid, received } = await payWithOfficialClient(1, 'upto', api, body);

    expect(response.status).toBe(200);
    const receipt = stream ? streamReceipt(text) : headerReceipt(response);
    await expectSettledOnChain(receipt, payer.account.address);
    const metered = BigInt(receipt.final_amount_wei);
    expect(metered).toBeGreaterThan(0n);
    // The cap is the worst case (the whole output budget); a short answer costs less.
    expect(metered).toBeLessThan(cap);
    expect(receipt.line_items.map((item) => item.key)).not.toContain('exact_price_unused');
    if (!stream) expect(officialDecodeResponse(response.headers.get('payment-response')!)).toMatchObject({ success: true, amount: metered.toString() });
    expect(paid).toBe(metered);
    expect(received).toBe(metered);
  });

  it('honours x-x402-max-amount-wei: a maximum below the quote is refused, one at the quote is served', async () => {
    const body = bodyFor('chat', 'Cap me');
    const challenge = await challengeFor(gw, CHAT, body);
    const quote = BigInt(uptoOffer(challenge).amount);
    const payer = officialPayer(gw.chain, 1, 'upto');
    const payload = await payer.sign(challenge);
    const signature = encodeBase64Json(payload);

    const refused = await balancesMovedBy(gw.chain, payer.account.address, () =>
      expectRefusal(gw.post(CHAT, body, { 'payment-signature': signature, 'x-x402-max-amount-wei': (quote - 1n).toString() }), 'payment_exceeds_max_amount'),
    );
    expect([refused.paid, refused.received]).toEqual([0n, 0n]);

    // The refusal claimed nothing: the same signature, within the client's maximum, is served.
    const served = await balancesMovedBy(gw.chain, payer.account.address, async () => {
      const response = await gw.post(CHAT, body, { 'payment-signature': signature, 'x-x402-max-amount-wei': quote.toString() });
      expect(response.status).toBe(200);
      return headerReceipt(response);
    });
    expect(BigInt(served.result.final_amount_wei)).toBeLessThanOrEqual(quote);
    expect(served.paid).toBe(BigInt(served.result.final_amount_wei));
  });

  it('refuses an upto authorization whose cap is below the quote', async () => {
    const body = bodyFor('chat', 'Cap me too low');
    const challenge = await challengeFor(gw, CHAT, body);
    const upto = uptoOffer(challenge);
    const lower = { ...challenge, accepts: [{ ...upto, amount: (BigInt(upto.amount) - 1n).toString() }] };
    const payload = await officialPayer(gw.chain, 1, 'upto').sign(lower);
    await expectNoMoneyMoves(1, () => expectRefusal(gw.post(CHAT, body, { 'payment-signature': encodeBase64Json(payload) }), 'payment_underpaid'));
  });
});

// --- the challenge --------------------------------------------------------------------------------------------

describe('the challenge', () => {
  it.each([
    ['chat', CHAT],
    ['responses', RESPONSES],
  ] as const)('answers an anonymous %s call with 402 and the same PaymentRequired (exact and upto) in the body and the header', async (api, path) => {
    const response = await gw.post(path, bodyFor(api, 'Who pays?'));
    expect(response.status).toBe(402);
    const header = officialDecodeRequired(response.headers.get('payment-required')!);
    const body = (await response.json()) as Record<string, unknown>;
    expect(header).toMatchObject({ x402Version: 2, resource: { url: `${gw.url}${path}` } });
    expect(body).toMatchObject({ x402Version: 2, accepts: header.accepts, resource: header.resource, error: { message: header.error, type: 'payment_required', code: 'payment_required' } });
    // upto first: the price depends on usage, and a client taking the first offer then pays what was used.
    expect(header.accepts.map((offer) => offer.scheme)).toEqual(['upto', 'exact']);
    const [upto, exact] = header.accepts;
    expect(exact).toMatchObject({ network: gw.chain.network, asset: gw.chain.usdc, payTo: gw.chain.merchant.address, amount: expect.stringMatching(/^[1-9]\d*$/) });
    // upto is capped by the same worst-case quote, and names the relayer as the facilitator that settles it.
    expect(upto).toMatchObject({ network: gw.chain.network, asset: gw.chain.usdc, payTo: gw.chain.merchant.address, amount: exact!.amount });
    expect(upto!.extra).toMatchObject({ facilitatorAddress: gw.chain.relayer.address });
  });

  it('selects the network with x-chain-id, and refuses one it does not support with 400 unsupported_chain_id', async () => {
    const body = bodyFor('chat', 'Which chain?');
    const local = await challengeFor(gw, CHAT, body, { 'x-chain-id': String(gw.chain.chainId) });
    expect(local.accepts.every((offer) => offer.network === gw.chain.network)).toBe(true);

    const response = await gw.post(CHAT, body, { 'x-chain-id': '84532' });
    expect(response.status).toBe(400);
    expect(response.headers.get('payment-required')).toBeNull();
    expect(((await response.json()) as { error: { code: string } }).error).toMatchObject({ code: 'unsupported_chain_id', type: 'invalid_request_error' });
  });
});

// --- refusals -----------------------------------------------------------------------------------------------

/** A refusal: 402, its reason code, and a fresh challenge (header and body) the client can pay instead. */
async function expectRefusal(sent: Promise<Response>, code: string): Promise<void> {
  const response = await sent;
  const body = (await response.json()) as Record<string, unknown>;
  expect({ status: response.status, code: (body['error'] as { code?: string } | undefined)?.code }).toEqual({ status: 402, code });
  const header = response.headers.get('payment-required');
  expect(header, `a fresh PAYMENT-REQUIRED with the ${code} refusal`).toBeTruthy();
  const challenge = officialDecodeRequired(header!);
  expect(challenge.x402Version).toBe(2);
  expect(challenge.accepts.map((offer) => offer.scheme)).toEqual(['upto', 'exact']);
  expect(challenge.error).toEqual(expect.any(String));
  expect(body).toMatchObject({ x402Version: 2, accepts: challenge.accepts, error: { message: challenge.error, type: 'payment_required', code } });
}

async function expectNoMoneyMoves(wallet: number, act: () => Promise<unknown>): Promise<void> {
  const { paid, received } = await balancesMovedBy(gw.chain, gw.chain.wallets[wallet]!.address, act);
  expect({ paid, received }).toEqual({ paid: 0n, received: 0n });
}

const now = (): bigint => BigInt(Math.floor(Date.now() / 1000));

/** An EIP-3009 authorization signed directly, for validity windows the official client never produces. */
const signedExact = async (wallet: number, challenge: PaymentRequired, window: { validAfter: bigint; validBefore: bigint }): Promise<PaymentPayload> => {
  const account = privateKeyToAccount(gw.chain.wallets[wallet]!.privateKey);
  const accepted = exactOffer(challenge);
  const authorization = {
    from: account.address,
    to: accepted.payTo,
    value: accepted.amount,
    validAfter: window.validAfter.toString(),
    validBefore: window.validBefore.toString(),
    nonce: `0x${Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('hex')}` as Hex,
  };
  const extra = accepted.extra as { name: string; version: string };
  const signature = await account.signTypedData(
    exactTypedData(authorization, { domain: { name: extra.name, version: extra.version }, chainId: gw.chain.chainId, address: gw.chain.usdc }),
  );
  return { x402Version: 2, resource: challenge.resource, accepted, payload: { signature, authorization } };
};

describe('refusals: 402 with a reason and a fresh PAYMENT-REQUIRED, and no money moves', () => {
  const WALLET = 2;
  const body = bodyFor('chat', 'Refuse me');
  const pay = (payload: PaymentPayload | string, headers: Record<string, string> = {}) =>
    gw.post(CHAT, body, { 'payment-signature': typeof payload === 'string' ? payload : encodeBase64Json(payload), ...headers });
  const refusal = (payload: PaymentPayload | string, code: string) => expectNoMoneyMoves(WALLET, () => expectRefusal(pay(payload), code));

  it('an expired authorization', async () => {
    await refusal(await signedExact(WALLET, await challengeFor(gw, CHAT, body), { validAfter: 0n, validBefore: now() - 5n }), 'payment_expired');
  });

  it('an authorization too short to outlast the longest call and its settlement', async () => {
    const challenge = await challengeFor(gw, CHAT, body);
    // Clients sign validBefore = now + maxTimeoutSeconds; one that lapsed mid-generation could never be settled.
    expect(exactOffer(challenge).maxTimeoutSeconds).toBe(X402_MAX_TIMEOUT_SECONDS);
    await refusal(await signedExact(WALLET, challenge, { validAfter: 0n, validBefore: now() + BigInt(X402_MIN_VALIDITY_SECONDS) - 30n }), 'payment_expired');
  });

  it('an authorization that is not valid yet', async () => {
    await refusal(await signedExact(WALLET, await challengeFor(gw, CHAT, body), { validAfter: now() + 3_600n, validBefore: now() + 7_200n }), 'payment_not_yet_valid');
  });

  it('an underpayment', async () => {
    const challenge = await challengeFor(gw, CHAT, body);
    const exact = exactOffer(challenge);
    const cheaper = { ...challenge, accepts: [{ ...exact, amount: (BigInt(exact.amount) - 1n).toString() }] };
    await refusal(await officialPayer(gw.chain, WALLET).sign(cheaper), 'payment_underpaid');
  });

  it('a payment to the wrong payTo', async () => {
    const challenge = await challengeFor(gw, CHAT, body);
    const elsewhere = { ...challenge, accepts: [{ ...exactOffer(challenge), payTo: gw.chain.wallets[4]!.address }] };
    await refusal(await officialPayer(gw.chain, WALLET).sign(elsewhere), 'payment_wrong_recipient');
  });

  it('a payment signed for another network', async () => {
    const challenge = await challengeFor(gw, CHAT, body);
    const baseSepolia = { ...challenge, accepts: [{ ...exactOffer(challenge), network: 'eip155:84532' as const }] };
    await refusal(await officialPayer(gw.chain, WALLET).sign(baseSepolia), 'payment_wrong_network');
  });

  it('a payment for a network x-chain-id does not support: 400 unsupported_chain_id', async () => {
    const payload = await officialPayer(gw.chain, WALLET).sign(await challengeFor(gw, CHAT, body));
    await expectNoMoneyMoves(WALLET, async () => {
      const response = await pay(payload, { 'x-chain-id': '84532' });
      expect(response.status).toBe(400);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe('unsupported_chain_id');
    });
  });

  it('a bad signature (signed by someone other than the payer)', async () => {
    const challenge = await challengeFor(gw, CHAT, body);
    const payload = await officialPayer(gw.chain, WALLET).sign(challenge);
    const impostor = await officialPayer(gw.chain, 3).sign(challenge);
    await refusal({ ...payload, payload: { ...payload.payload, signature: impostor.payload['signature'] } }, 'payment_invalid_signature');
  });

  // The same signer recovers from (r, n − s, v ⊕ 1) and from v as 0/1, but USDC's EIP-3009 (OpenZeppelin's ECDSA,
  // Circle's ECRecover) refuses a high s and any v but 27/28: served on such a signature, the call could never settle.
  const highS = (sig: Hex): Hex => {
    const n = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
    const s = BigInt(`0x${sig.slice(66, 130)}`);
    const v = parseInt(sig.slice(130), 16);
    return `${sig.slice(0, 66)}${(n - s).toString(16).padStart(64, '0')}${(v === 27 ? 28 : 27).toString(16)}` as Hex;
  };
  const zeroOneV = (sig: Hex): Hex => `${sig.slice(0, 130)}${(parseInt(sig.slice(130), 16) - 27).toString(16).padStart(2, '0')}` as Hex;
  it.each([
    ['exact', 'a malleated signature (high s, flipped v)', highS],
    ['exact', 'a signature with v as 0 or 1', zeroOneV],
    ['upto', 'a malleated signature (high s, flipped v)', highS],
    ['upto', 'a signature with v as 0 or 1', zeroOneV],
  ] as const)('%s: %s is refused before the model runs (what settles everywhere: low s, v 27 or 28)', async (scheme, _name, alter) => {
    const payload = await officialPayer(gw.chain, WALLET, scheme).sign(await challengeFor(gw, CHAT, body));
    expect(payload.accepted.scheme).toBe(scheme);
    const signature = alter(payload.payload['signature'] as Hex);
    await refusal({ ...payload, payload: { ...payload.payload, signature } }, 'payment_invalid_signature');
  });

  it('a garbled PAYMENT-SIGNATURE', async () => {
    await refusal('not*base64!', 'payment_malformed');
  });
});

describe('header encodings', () => {
  it('accepts a PAYMENT-SIGNATURE in base64url as well as the standard base64 official clients send', async () => {
    const body = bodyFor('chat', 'Pay me in base64url');
    const payload = await officialPayer(gw.chain, 3).sign(await challengeFor(gw, CHAT, body));
    const base64url = Buffer.from(JSON.stringify(payload)).toString('base64url');
    expect(base64url).not.toMatch(/[+/=]/);
    const { result, paid } = await balancesMovedBy(gw.chain, gw.chain.wallets[3]!.address, async () => {
      const response = await gw.post(CHAT, body, { 'payment-signature': base64url });
      expect(response.status).toBe(200);
      expect(officialDecodeResponse(response.headers.get('payment-response')!).success).toBe(true);
      return headerReceipt(response);
    });
    expect(paid).toBe(BigInt(result.final_amount_wei));
  });
});

describe('replays', () => {
  it('serves a signature once and refuses it when sent again', async () => {
    const body = bodyFor('chat', 'Once only');
    const payload = encodeBase64Json(await officialPayer(gw.chain, 3).sign(await challengeFor(gw, CHAT, body)));
    const { result: receipt, paid, received } = await balancesMovedBy(gw.chain, gw.chain.wallets[3]!.address, async () => {
      const first = await gw.post(CHAT, body, { 'payment-signature': payload });
      expect(first.status).toBe(200);
      await expectRefusal(gw.post(CHAT, body, { 'payment-signature': payload }), 'payment_nonce_reused');
      return headerReceipt(first);
    });
    expect(paid).toBe(BigInt(receipt.final_amount_wei));
    expect(received).toBe(paid);
  });

  it('serves exactly one of ten concurrent replays of one signature', async () => {
    const body = bodyFor('chat', 'Ten at once');
    const payload = encodeBase64Json(await officialPayer(gw.chain, 3).sign(await challengeFor(gw, CHAT, body)));
    const { result, paid, received } = await balancesMovedBy(gw.chain, gw.chain.wallets[3]!.address, () =>
      Promise.all(
        Array.from({ length: 10 }, async () => {
          const response = await gw.post(CHAT, body, { 'payment-signature': payload });
          if (response.status === 200) return { status: 200, receipt: headerReceipt(response) };
          const refusal = (await response.json()) as { error?: { code?: string } };
          return { status: response.status, code: refusal.error?.code, challenged: response.headers.has('payment-required') };
        }),
      ),
    );
    const served = result.filter((r) => r.status === 200);
    expect(served).toHaveLength(1);
    expect(result.filter((r) => r.status !== 200)).toEqual(Array(9).fill({ status: 402, code: 'payment_nonce_reused', challenged: true }));
    expect(paid).toBe(BigInt(served[0]!.receipt!.final_amount_wei));
    expect(received).toBe(paid);
  });
});

describe('idempotent replays (x-idempotency-key)', () => {
  it('a replay the official client pays again returns the original answer and receipt, and moves no money', async () => {
    const body = bodyFor('chat', 'Idempotent and paid');
    const headers = { 'x-idempotency-key': `x402-replay-${Date.now()}` };
    const first = await payWithOfficialClient(3, 'exact', 'chat', body, headers);
    expect(first.response.status).toBe(200);
    const receipt = headerReceipt(first.response);
    expect(first.paid).toBe(BigInt(receipt.final_amount_wei));

    const replay = await payWithOfficialClient(3, 'exact', 'chat', body, headers);
    expect(replay.response.status).toBe(200);
    expect(replay.response.headers.get('idempotent-replayed')).toBe('true');
    expect(headerReceipt(replay.response)).toEqual(receipt);
    expect(replay.text).toBe(first.text);
    expect([replay.paid, replay.received]).toEqual([0n, 0n]);
  });

  it('a spent PAYMENT-SIGNATURE sent again proves nobody: 402, not the stored answer (a retry pays afresh, and that replay is free)', async () => {
    const body = bodyFor('chat', 'Idempotent retry with the same signature');
    const payload = encodeBase64Json(await officialPayer(gw.chain, 3).sign(await challengeFor(gw, CHAT, body)));
    const headers = { 'payment-signature': payload, 'x-idempotency-key': `x402-same-signature-${Date.now()}` };
    const { result, paid } = await balancesMovedBy(gw.chain, gw.chain.wallets[3]!.address, async () => {
      const first = await gw.post(CHAT, body, headers);
      expect(first.status).toBe(200);
      // Once settled, the authorization is public on chain: anyone could resend it with a guessed key.
      await expectRefusal(gw.post(CHAT, body, headers), 'payment_nonce_reused');
      return headerReceipt(first);
    });
    expect(paid).toBe(BigInt(result.final_amount_wei));
  });
});

describe('the upstream fails', () => {
  it.each([false, true])('moves no money (stream: %s), and the same signature is still good afterwards', async (stream) => {
    const prompt = `Fail upstream (stream ${stream})`;
    const failing = bodyFor('chat', `${prompt} SIM_FAULT=500`, stream);
    const payload = encodeBase64Json(await officialPayer(gw.chain, 4).sign(await challengeFor(gw, CHAT, failing)));

    await expectNoMoneyMoves(4, async () => {
      const response = await gw.post(CHAT, failing, { 'payment-signature': payload });
      expect(response.status).toBeGreaterThanOrEqual(500);
      expect(response.headers.get('payment-response')).toBeNull();
      expect(response.headers.get('x-compose-receipt')).toBeNull();
      await response.body?.cancel();
    });

    // Nothing was settled and the nonce was given back: the authorization pays for the next (cheaper) call.
    const retry = bodyFor('chat', prompt, stream);
    const { result: receipt, paid } = await balancesMovedBy(gw.chain, gw.chain.wallets[4]!.address, async () => {
      const response = await gw.post(CHAT, retry, { 'payment-signature': payload });
      expect(response.status).toBe(200);
      return stream ? streamReceipt(await response.text()) : headerReceipt(response);
    });
    expect(paid).toBe(BigInt(receipt.final_amount_wei));
  });
});

const balanceOfWallet = (address: `0x${string}`) =>
  gw.chain.publicClient().readContract({ address: gw.chain.usdc, abi: usdcAbi, functionName: 'balanceOf', args: [address] });

describe('a stream the payer abandons', () => {
  it('settles the price the payer signed for, since the provider generated for it, and the signature is spent', async () => {
    const prompt = 'Tell me a long story about the sea, the wind and the lighthouse keeper';
    const abandoned = bodyFor('chat', `${prompt} SIM_FAULT=chunk-delay:200`, true);
    const challenge = await challengeFor(gw, CHAT, abandoned);
    const payload = encodeBase64Json(await officialPayer(gw.chain, 4).sign(challenge));
    const price = BigInt(challenge.accepts.find((offer) => offer.scheme === 'exact')!.amount);

    const payer = gw.chain.wallets[4]!.address;
    const before = await balanceOfWallet(payer);
    {
      const controller = new AbortController();
      const response = await fetch(`${gw.url}${CHAT}`, { ...jsonInit(abandoned, { 'payment-signature': payload }), signal: controller.signal });
      expect(response.status).toBe(200);
      // Hang up once the model has produced some text (the first bytes may be only a heartbeat).
      await readUntilContent(response);
      controller.abort();
    }
    // Settlement happens once the gateway notices the hang-up: exactly the signed price moves. The bound is a hang
    // guard for a shared runtime on a busy machine, not a measure.
    await vi.waitFor(async () => expect(before - (await balanceOfWallet(payer))).toBe(price), { timeout: 60_000, interval: 100 });
    // The authorization is spent: it pays for nothing else.
    const replay = await gw.post(CHAT, bodyFor('chat', prompt, true), { 'payment-signature': payload });
    expect(replay.status).toBe(402);
  });
});

// --- external routes ------------------------------------------------------------------------------------------

describe('external routes take Compose Keys only', () => {
  const external = (api: Api) => (api === 'chat' ? '/external/v1/chat/completions' : '/external/v1/responses');

  it.each(['chat', 'responses'] as const)('answers an anonymous %s call with an OpenAI-shaped 401, no challenge', async (api) => {
    await expectOpenAi401(gw.post(external(api), bodyFor(api, 'Anonymous outside')));
  });

  it.each(['chat', 'responses'] as const)('answers a %s call paid with x402 with an OpenAI-shaped 401, and moves no money', async (api) => {
    const body = bodyFor(api, 'x402 outside');
    const payload = await officialPayer(gw.chain, 4).sign(await challengeFor(gw, pathOf(api), body));
    await expectNoMoneyMoves(4, () => expectOpenAi401(gw.post(external(api), body, { 'payment-signature': encodeBase64Json(payload) })));
  });
});

async function expectOpenAi401(sent: Promise<Response>): Promise<void> {
  const response = await sent;
  expect(response.status).toBe(401);
  expect(response.headers.get('payment-required')).toBeNull();
  const body = (await response.json()) as Record<string, unknown>;
  expect(Object.keys(body)).toEqual(['error']);
  expect(body['error']).toMatchObject({ message: expect.any(String), type: expect.any(String), code: 'missing_api_key' });
}
