/**
 * Attack: a provider that ignores the output cap. The hold is the price of the input bound plus `max_tokens`
 * of output, and the cap is sent upstream — but the simulators' `chunks:<count>x<size>` fault streams that many
 * characters whatever `max_tokens` says, as a provider that ignores it would. The gateway counts the output
 * as it passes and stops at the cap: nothing past it is delivered or charged, the answer ends as OpenAI's do
 * at their limit, and the charge (never above the hold) is what was delivered, receipted `settled`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReceiptBody } from '../../shared/receipts/index.ts';
import { dataFrames, parseSse } from '../support/e2e.ts';
import { CHAT, RESPONSES, headerReceipt, quoteFor, sharedPaymentsRuntime, streamReceipt, type PaymentsRuntime } from '../support/payments.ts';

let gw: PaymentsRuntime;

beforeAll(async () => {
  gw = await sharedPaymentsRuntime();
});
afterAll(async () => {
  await gw?.close();
});

const USD = 1_000_000n;
const CAP = 400;
/** 2,000 tokens of Latin text at four characters a token: five times the cap. */
const OVERRUN = 'SIM_FAULT=chunks:200x40';

const chatBody = (prompt: string, stream: boolean, provider = 'openai') => ({ model: provider === 'openai' ? 'gpt-4o-mini' : 'gemini-2.5-flash', provider, messages: [{ role: 'user', content: prompt }], max_tokens: CAP, stream });
const responsesBody = (prompt: string, stream: boolean, provider = 'openai') => ({ model: provider === 'openai' ? 'gpt-4o-mini' : 'gemini-2.5-flash', provider, input: prompt, max_output_tokens: CAP, stream });

const outputTokensOf = (receipt: ReceiptBody): number => receipt.line_items.filter((l) => l.key === 'output_tokens' || l.key === 'reasoning_tokens').reduce((n, l) => n + l.quantity, 0);

/** At most `CAP` tokens by the conservative estimate: four Latin characters a token, one a CJK character. */
const estimatedTokens = (text: string): number => {
  const dense = [...text].filter((c) => /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u.test(c)).length;
  return Math.ceil(([...text].length - dense) / 4) + dense;
};

/** The key was charged exactly the receipt, no more than the hold, and nothing is left held. */
const expectChargedWithinHold = async (keyId: string, receipt: ReceiptBody, hold: bigint): Promise<void> => {
  expect(receipt).toMatchObject({ settled: true, settlement_status: 'settled', payment_method: 'compose_key' });
  expect(outputTokensOf(receipt)).toBeLessThanOrEqual(CAP);
  expect(outputTokensOf(receipt)).toBeGreaterThan(CAP / 2);
  const ledger = (await gw.ledger.getLedger(keyId))!;
  expect(ledger.reservations).toEqual([]);
  expect(ledger.spent).toBe(BigInt(receipt.final_amount_wei));
  expect(ledger.spent).toBeLessThanOrEqual(hold);
};

describe.each([['openai'], ['gemini']])('a %s model that ignores max_tokens', (provider) => {
  it('streamed chat: stops at the cap with finish_reason "length", charged what was delivered', async () => {
    const key = await gw.mintKey({ budget: USD });
    const body = chatBody(`Overrun ${OVERRUN}`, true, provider);
    const hold = await quoteFor(gw, CHAT, JSON.stringify(body));
    const response = await gw.post(CHAT, body, { authorization: `Bearer ${key.token}` });
    expect(response.status).toBe(200);
    const sse = await response.text();
    const chunks = dataFrames(parseSse(sse)).filter((f) => f.event === undefined && f.data !== '[DONE]' && !('error' in (f.json as object)));
    const choices = chunks.flatMap((f) => (f.json as { choices: { delta: { content?: string }; finish_reason: string | null }[] }).choices);
    const text = choices.map((c) => c.delta.content ?? '').join('');
    expect(estimatedTokens(text)).toBeLessThanOrEqual(CAP);
    expect(text.length).toBeGreaterThan(CAP);
    expect(choices.filter((c) => c.finish_reason !== null).map((c) => c.finish_reason)).toEqual(['length']);
    await expectChargedWithinHold(key.keyId, streamReceipt(sse), hold);
  });

  it('streamed Responses: ends incomplete for max_output_tokens, charged what was delivered', async () => {
    const key = await gw.mintKey({ budget: USD });
    const body = responsesBody(`Overrun ${OVERRUN}`, true, provider);
    const hold = await quoteFor(gw, RESPONSES, JSON.stringify(body));
    const response = await gw.post(RESPONSES, body, { authorization: `Bearer ${key.token}` });
    expect(response.status).toBe(200);
    const sse = await response.text();
    const events = dataFrames(parseSse(sse)).filter((f) => f.data !== '[DONE]').map((f) => f.json as { type: string; delta?: string; response?: { status: string; incomplete_details: unknown } });
    const text = events.filter((e) => e.type === 'response.output_text.delta').map((e) => e.delta).join('');
    expect(estimatedTokens(text)).toBeLessThanOrEqual(CAP);
    const terminal = events.find((e) => e.type === 'response.incomplete');
    expect(terminal?.response).toMatchObject({ status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' } });
    expect(events.some((e) => e.type === 'response.completed')).toBe(false);
    await expectChargedWithinHold(key.keyId, streamReceipt(sse), hold);
  });

  it('not streamed: the answer is cut at the cap too, and charged for what it holds', async () => {
    const key = await gw.mintKey({ budget: USD });
    const chat = chatBody(`Overrun ${OVERRUN}`, false, provider);
    const chatHold = await quoteFor(gw, CHAT, JSON.stringify(chat));
    const chatResponse = await gw.post(CHAT, chat, { authorization: `Bearer ${key.token}` });
    expect(chatResponse.status).toBe(200);
    const completion = (await chatResponse.json()) as { choices: { message: { content: string }; finish_reason: string }[] };
    const chatReceipt = headerReceipt(chatResponse);
    expect(outputTokensOf(chatReceipt)).toBeLessThanOrEqual(CAP);
    expect(estimatedTokens(completion.choices[0]!.message.content)).toBeLessThanOrEqual(CAP);
    expect(BigInt(chatReceipt.final_amount_wei)).toBeLessThanOrEqual(chatHold);
    expect(chatReceipt.settlement_status).toBe('settled');
  });
});

it('counts CJK text at one token a character', async () => {
  const key = await gw.mintKey({ budget: USD });
  const body = chatBody(`请重复这句话很多次 ${OVERRUN}`, true);
  const hold = await quoteFor(gw, CHAT, JSON.stringify(body));
  const response = await gw.post(CHAT, body, { authorization: `Bearer ${key.token}` });
  const sse = await response.text();
  const text = dataFrames(parseSse(sse))
    .filter((f) => f.event === undefined && f.data !== '[DONE]')
    .flatMap((f) => (f.json as { choices: { delta: { content?: string } }[] }).choices)
    .map((c) => c.delta.content ?? '')
    .join('');
  expect(estimatedTokens(text)).toBeLessThanOrEqual(CAP);
  expect([...text].filter((c) => /\p{Script=Han}/u.test(c)).length).toBeGreaterThan(50);
  await expectChargedWithinHold(key.keyId, streamReceipt(sse), hold);
});

describe('a media stream whose provider overruns what was held', () => {
  // Media holds were already bounded by what they are computed on (images: `n`; speech: the input's characters;
  // transcripts: the audio's bound): this guards that an overrunning provider stays unpaid and unserved.
  it('images: two images past n=1 are neither delivered nor charged', async () => {
    const key = await gw.mintKey({ budget: USD });
    const body = { model: 'gpt-image-1', prompt: 'one kite SIM_FAULT=overrun:2', n: 1, size: '1024x1024', quality: 'low', partial_images: 1, stream: true, response_format: 'b64_json' };
    const hold = await quoteFor(gw, '/v1/images/generations', JSON.stringify(body));
    const response = await gw.post('/v1/images/generations', body, { authorization: `Bearer ${key.token}` });
    expect(response.status).toBe(200);
    const sse = await response.text();
    const events = dataFrames(parseSse(sse)).filter((f) => f.data !== '[DONE]').map((f) => (f.json as { type: string }).type);
    expect(events.filter((type) => type === 'image_generation.completed')).toHaveLength(1);
    const receipt = streamReceipt(sse);
    expect(receipt.line_items.find((l) => l.key === 'images')?.quantity).toBe(1);
    const ledger = (await gw.ledger.getLedger(key.keyId))!;
    expect(ledger.reservations).toEqual([]);
    expect(ledger.spent).toBe(BigInt(receipt.final_amount_wei));
    expect(ledger.spent).toBeLessThanOrEqual(hold);
  });
});
