/**
 * Attack: a settled x402 authorization is public on chain. Rebuilt into a PAYMENT-SIGNATURE, it used to prove the
 * victim's wallet: it read the victim's stored responses and prompts, cancelled them, read their videos, created
 * uploads in their name, reached their uploads by file_id, and replayed their idempotent answers. A payment
 * proves its payer only for the call it pays, once its nonce is claimed fresh; reads prove the wallet with
 * Sign-In-With-X (single-use nonce, bound to this server's origin, issued within five minutes).
 */
import { decodePaymentResponseHeader } from '@x402/core/http';
import { SIGN_IN_WITH_X } from '@x402/extensions/sign-in-with-x';
import { decodeFunctionData, serializeSignature, type Hex } from 'viem';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { usdcAbi } from '../../layers/x402/abi.ts';
import { encodeBase64Json } from '../../layers/x402/codec.ts';
import type { PaymentPayload, PaymentRequired } from '../../layers/x402/schemas.ts';
import { CHAT, RESPONSES, challengeFor, officialPayer, signInHeader, signedInFetch, sharedPaymentsRuntime, type PaymentsRuntime } from '../support/payments.ts';

let gw: PaymentsRuntime;
beforeAll(async () => {
  gw = await sharedPaymentsRuntime();
});
afterAll(() => gw?.close());

const VICTIM = 1;
const ATTACKER_FETCH = fetch;

/** What anyone can do with a settlement transaction: read its calldata back into an x402 `exact` payload. */
const rebuiltFromChain = async (transaction: Hex, challenge: PaymentRequired): Promise<string> => {
  const tx = await gw.chain.publicClient().getTransaction({ hash: transaction });
  const call = decodeFunctionData({ abi: usdcAbi, data: tx.input });
  if (call.functionName !== 'transferWithAuthorization') throw new Error(`not an EIP-3009 settlement: ${call.functionName}`);
  const [from, to, value, validAfter, validBefore, nonce, v, r, s] = call.args as readonly [Hex, Hex, bigint, bigint, bigint, Hex, number, Hex, Hex];
  const payload: PaymentPayload = {
    x402Version: 2,
    resource: challenge.resource,
    accepted: challenge.accepts.find((offer) => offer.scheme === 'exact')!,
    payload: {
      signature: serializeSignature({ r, s, v: BigInt(v) }),
      authorization: { from, to, value: value.toString(), validAfter: validAfter.toString(), validBefore: validBefore.toString(), nonce },
    },
  };
  return encodeBase64Json(payload);
};

/** The victim pays a stored Responses call (with an idempotency key); the attacker rebuilds its authorization. */
let victim: { responseId: string; body: string; idempotencyKey: string; header: string };

beforeAll(async () => {
  const body = JSON.stringify({ model: 'gpt-4o-mini', input: 'My secret plan is in this prompt', max_output_tokens: 32 });
  const idempotencyKey = `victim-${Date.now()}`;
  const payer = officialPayer(gw.chain, VICTIM, 'exact');
  const paid = await payer.fetch(`${gw.url}${RESPONSES}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-idempotency-key': idempotencyKey }, body });
  expect(paid.status).toBe(200);
  const { id } = (await paid.json()) as { id: string };
  const settled = decodePaymentResponseHeader(paid.headers.get('payment-response')!);
  expect(settled.success).toBe(true);
  victim = { responseId: id, body, idempotencyKey, header: await rebuiltFromChain(settled.transaction as Hex, await challengeFor(gw, RESPONSES, body)) };
});

const asAttacker = (path: string, init: RequestInit = {}) =>
  ATTACKER_FETCH(`${gw.url}${path}`, { ...init, headers: { 'content-type': 'application/json', ...(init.headers as Record<string, string>), 'payment-signature': victim.header } });

const refusedWith = async (response: Response, statuses: readonly number[]): Promise<string> => {
  const text = await response.text();
  expect(statuses, `${response.status}: ${text.slice(0, 200)}`).toContain(response.status);
  expect(text).not.toContain('secret plan');
  return text;
};

describe('a settled authorization rebuilt from chain data proves nobody', () => {
  it('cannot read the stored response or its input items', async () => {
    await refusedWith(await asAttacker(`${RESPONSES}/${victim.responseId}`), [401, 403, 404]);
    await refusedWith(await asAttacker(`${RESPONSES}/${victim.responseId}/input_items`), [401, 403, 404]);
  });

  it('cannot cancel it', async () => {
    await refusedWith(await asAttacker(`${RESPONSES}/${victim.responseId}/cancel`, { method: 'POST' }), [401, 403, 404]);
  });

  it('cannot create an upload in the victim’s name', async () => {
    const response = await asAttacker('/v1/uploads', { method: 'POST', body: JSON.stringify({ filename: 'a.wav', content_type: 'audio/wav', bytes: 1000, purpose: 'transcription' }) });
    await refusedWith(response, [401, 403]);
  });

  it('cannot replay the victim’s idempotent answer', async () => {
    const response = await asAttacker(RESPONSES, { method: 'POST', body: victim.body, headers: { 'x-idempotency-key': victim.idempotencyKey } });
    // A paid route: the spent authorization pays nothing (402), and names nobody whose answers could be replayed.
    await refusedWith(response, [401, 402, 403, 404]);
    expect(response.headers.get('idempotent-replayed')).toBeNull();
  });

  it('cannot reach the victim’s uploads by file_id', async () => {
    const owner = officialPayer(gw.chain, VICTIM);
    const created = await signedInFetch(owner.account)(`${gw.url}/v1/uploads`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ filename: 'call.wav', content_type: 'audio/wav', bytes: 1000, purpose: 'transcription' }),
    });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };
    const response = await asAttacker('/v1/audio/transcriptions', { method: 'POST', body: JSON.stringify({ model: 'whisper-1', file_id: id }) });
    await refusedWith(response, [401, 402, 403, 404]);
    expect(await (async () => response.status)()).not.toBe(200);
  });

  it('cannot read or download the victim’s video job', async () => {
    const payer = officialPayer(gw.chain, VICTIM, 'exact');
    const submitted = await payer.fetch(`${gw.url}/v1/videos/generations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'sora-2', prompt: 'My secret plan, filmed', seconds: '4' }),
    });
    expect(submitted.status).toBe(202);
    const { id } = (await submitted.json()) as { id: string };
    const settled = decodePaymentResponseHeader(submitted.headers.get('payment-response')!);
    const challenge = await challengeFor(gw, '/v1/videos/generations', JSON.stringify({ model: 'sora-2', prompt: 'My secret plan, filmed', seconds: '4' }));
    const header = await rebuiltFromChain(settled.transaction as Hex, challenge);
    for (const path of [`/v1/videos/${id}`, `/v1/videos/${id}/content`]) {
      const response = await fetch(`${gw.url}${path}`, { headers: { 'payment-signature': header } });
      await refusedWith(response, [401, 403, 404]);
    }
    const cancel = await fetch(`${gw.url}${RESPONSES}/${id}/cancel`, { method: 'POST', headers: { 'payment-signature': header } });
    await refusedWith(cancel, [401, 403, 404]);
  });
});

describe('Sign-In-With-X: how a wallet reads its own records', () => {
  it('the official client signs the challenge and reads the stored response and its input items', async () => {
    const read = signedInFetch(officialPayer(gw.chain, VICTIM).account);
    const response = await read(`${gw.url}${RESPONSES}/${victim.responseId}`);
    expect(response.status).toBe(200);
    expect(((await response.json()) as { id: string }).id).toBe(victim.responseId);
    const items = await read(`${gw.url}${RESPONSES}/${victim.responseId}/input_items`);
    expect(items.status).toBe(200);
    expect(JSON.stringify(await items.json())).toContain('secret plan');
  });

  it('a read without credentials is a 402 carrying a sign-in challenge (nothing to pay) bound to this origin', async () => {
    const response = await fetch(`${gw.url}${RESPONSES}/${victim.responseId}`);
    expect(response.status).toBe(402);
    const challenge = JSON.parse(Buffer.from(response.headers.get('payment-required')!, 'base64').toString()) as {
      accepts: unknown[];
      extensions: Record<string, { info: { domain: string; nonce: string }; supportedChains: { chainId: string }[] }>;
    };
    expect(challenge.accepts).toEqual([]);
    expect(challenge.extensions[SIGN_IN_WITH_X]!.info.domain).toBe(new URL(gw.url).host);
    expect(challenge.extensions[SIGN_IN_WITH_X]!.supportedChains.map((c) => c.chainId)).toEqual([gw.chain.network]);
  });

  it('a sign-in proof works once: the same header sent again is refused', async () => {
    let sent: string | undefined;
    const capture: typeof fetch = async (input, init) => {
      const request = new Request(input, init);
      sent = request.headers.get(SIGN_IN_WITH_X) ?? sent;
      return fetch(request);
    };
    const { wrapFetchWithPayment, x402Client } = await import('@x402/fetch');
    const { createSIWxClientExtension } = await import('@x402/extensions/sign-in-with-x');
    const read = wrapFetchWithPayment(capture, new x402Client().registerExtension(createSIWxClientExtension({ signers: [officialPayer(gw.chain, VICTIM).account] })));
    expect((await read(`${gw.url}${RESPONSES}/${victim.responseId}`)).status).toBe(200);
    expect(sent).toBeTruthy();
    const replay = await fetch(`${gw.url}${RESPONSES}/${victim.responseId}`, { headers: { [SIGN_IN_WITH_X]: sent! } });
    expect(replay.status).toBe(401);
    expect(((await replay.json()) as { error: { code: string } }).error.code).toBe('sign_in_replayed');
  });

  it('another wallet signed in finds nothing of the victim’s', async () => {
    const response = await signedInFetch(officialPayer(gw.chain, 2).account)(`${gw.url}${RESPONSES}/${victim.responseId}`);
    expect(response.status).toBe(404);
  });

  it('a signed-in wallet prices a call on its own history, then pays it: the fresh payment proves it for that call', async () => {
    const account = officialPayer(gw.chain, VICTIM).account;
    const body = JSON.stringify({ model: 'gpt-4o-mini', input: 'And then?', previous_response_id: victim.responseId, max_output_tokens: 16 });
    const post = (headers: Record<string, string>) => fetch(`${gw.url}${RESPONSES}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
    // Signed in, not paying yet: the history is found and priced, and the answer is the call's challenge.
    const priced = await post({ [SIGN_IN_WITH_X]: await signInHeader(gw, account, `${RESPONSES}/${victim.responseId}`) });
    expect(priced.status).toBe(402);
    await priced.body?.cancel();
    const challenge = JSON.parse(Buffer.from(priced.headers.get('payment-required')!, 'base64').toString()) as PaymentRequired;
    const paid = await post({ 'payment-signature': encodeBase64Json(await officialPayer(gw.chain, VICTIM).sign(challenge)) });
    expect(paid.status).toBe(200);
    // Another wallet's fresh payment names that wallet, which owns no such history.
    const stranger = await post({ 'payment-signature': encodeBase64Json(await officialPayer(gw.chain, 2).sign(challenge)) });
    expect(stranger.status).toBe(404);
  });
});

void CHAT;
