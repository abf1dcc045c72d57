/**
 * Attack: clients that hang up. A disconnect at any moment of a call — before the provider's first byte (a
 * silent or stalled provider), streamed or not, or mid-stream — ends that one call and nothing else: the
 * server keeps serving, the hold is released (nothing delivered) or charged for what was delivered, and that
 * happens at the hang-up, not at the provider's next byte or the next heartbeat (15 s here, the default).
 * A provider that "pauses" mid-stream is held by a frame gate until the test lets it go on, so no test waits on
 * a real delay and none depends on how fast the machine is.
 */
import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import type { APIGatewayProxyEvent, Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { simulatorEnv } from '../../infra/local/simulators/openai-compatible/local-env.ts';
import { startOpenAICompatibleSimulator, type OpenAICompatibleSimulator } from '../../infra/local/simulators/openai-compatible/server.ts';
import { HOLD_SECONDS } from '../../shared/billing/hold.ts';
import type { Ledger } from '../../shared/keys/index.ts';
import { startFrameGate, type FrameGate } from '../support/frame-gate.ts';
import { CHAT, RESPONSES, startKeysRuntime, type MintedTestKey, type KeysRuntime } from '../support/payments.ts';

let simulator: OpenAICompatibleSimulator;
let gate: FrameGate;
let gw: KeysRuntime;

beforeAll(async () => {
  simulator = await startOpenAICompatibleSimulator({ flavor: 'openai' });
  gate = await startFrameGate(simulator.url);
  const throughGate = { ...simulator, url: `${gate.origin}${new URL(simulator.url).pathname}` };
  // The default heartbeat (15 s): a hold freed by the next heartbeat rather than the hang-up would show.
  gw = await startKeysRuntime({ env: { ...simulatorEnv('openai', throughGate), PROVIDER_MAX_RETRIES: '0', PROVIDER_TIMEOUT_MS: '120000' } });
});
afterAll(async () => {
  await gw?.close();
  await gate?.close();
  await simulator?.close();
});

/** The provider's first text delta: the gate holds every frame after the one that carries it. */
const FIRST_DELTA = 'You said';

const USD = 1_000_000n;
/** Well under the 15 s heartbeat, generous for a loaded machine. */
const FREED_WITHIN = { timeout: 5_000, interval: 50 };

const tagged = (text: string): string => `${text} [${randomUUID().slice(0, 8)}]`;
const reachedProvider = (tag: string): boolean => simulator.requests.some((r) => JSON.stringify(r.body).includes(tag));

const bodyFor = (path: string, prompt: string, stream: boolean) =>
  path === CHAT
    ? { model: 'gpt-4o-mini', messages: [{ role: 'user', content: prompt }], max_tokens: 64, stream }
    : { model: 'gpt-4o-mini', input: prompt, max_output_tokens: 64, stream };

const send = (key: MintedTestKey, path: string, body: unknown, signal: AbortSignal) =>
  fetch(`${gw.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${key.token}` }, body: JSON.stringify(body), signal });

const ledger = async (keyId: string): Promise<Ledger> => (await gw.ledger.getLedger(keyId))!;

/** No hold left open on the key, and its books add up. */
const expectNoHold = async (keyId: string): Promise<Ledger> => {
  await vi.waitFor(async () => expect((await ledger(keyId)).reservations).toEqual([]), FREED_WITHIN);
  const after = await ledger(keyId);
  expect(after.reserved).toBe(0n);
  expect(after.available + after.spent).toBe(after.budget);
  return after;
};

/** The server still answers a paid call in full. */
const expectStillServing = async (): Promise<void> => {
  const key = await gw.mintKey({ budget: USD });
  const response = await gw.post(CHAT, bodyFor(CHAT, 'still there?', false), { authorization: `Bearer ${key.token}` });
  expect(response.status).toBe(200);
  expect(((await response.json()) as { choices: { message: { content: string } }[] }).choices[0]!.message.content).toBe('You said: still there?');
};

describe.each([
  ['chat', CHAT],
  ['Responses', RESPONSES],
])('a %s call whose client hangs up', (_name, path) => {
  it.each([
    ['before the first byte of a silent provider, streamed', 'timeout', true],
    ['before the first byte of a silent provider, not streamed', 'timeout', false],
    ['while a stalled stream sends nothing (headers only)', 'stall', true],
    ['while a slow provider has not answered yet', 'slow:60000', false],
  ])('%s: frees the hold at once, charges nothing, and the server keeps serving', async (_phase, fault, stream) => {
    const key = await gw.mintKey({ budget: USD });
    const tag = tagged(`Hang up on me SIM_FAULT=${fault}`);
    const client = new AbortController();
    const response = send(key, path, bodyFor(path, tag, stream), client.signal);
    response.catch(() => undefined);
    await vi.waitFor(() => expect(reachedProvider(tag)).toBe(true), { timeout: 10_000, interval: 20 });
    // Held while the provider thinks, until the deadline of a text call at most (should its function die).
    const [hold, ...others] = (await ledger(key.keyId)).reservations;
    expect(others).toEqual([]);
    expect(hold!.until! - hold!.at).toBe(HOLD_SECONDS.text);
    client.abort();

    const after = await expectNoHold(key.keyId);
    expect(after.spent).toBe(0n);
    await expectStillServing();
  });

  it('mid-stream, while the provider pauses: charges what was delivered (more than nothing, less than the hold) at once', async () => {
    const key = await gw.mintKey({ budget: USD });
    // A delta, then silence until the test ends: a hold freed only at the provider's next byte would never be.
    const tag = tagged('Stream slowly SIM_FAULT=chunks:3x8');
    gate.control(tag, FIRST_DELTA);
    const client = new AbortController();
    const response = await send(key, path, bodyFor(path, tag, true), client.signal);
    expect(response.status).toBe(200);
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    let seen = '';
    while (!seen.includes('"You said')) {
      const { value, done } = await reader.read();
      if (done) break;
      seen += decoder.decode(value, { stream: true });
    }
    expect(seen, 'the stream so far').toContain('You said');
    const held = (await ledger(key.keyId)).reservations[0]!.amount;
    client.abort();

    const after = await expectNoHold(key.keyId);
    expect(after.spent).toBeGreaterThan(0n);
    expect(after.spent).toBeLessThan(held);
    await expectStillServing();
  });
});

it('a stream abandoned mid-way frees its idempotency key: the same request again is served, not refused as in progress', async () => {
  const key = await gw.mintKey({ budget: USD });
  const tag = tagged('Idempotent SIM_FAULT=chunks:3x8');
  // The first call pauses after its first delta; the same request again is not gated.
  gate.control(tag, FIRST_DELTA);
  const body = bodyFor(CHAT, tag, true);
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${key.token}`, 'x-idempotency-key': randomUUID() };
  const client = new AbortController();
  const first = await fetch(`${gw.url}${CHAT}`, { method: 'POST', headers, body: JSON.stringify(body), signal: client.signal });
  const reader = first.body!.getReader();
  let seen = '';
  while (!seen.includes('"You said')) seen += new TextDecoder().decode((await reader.read()).value);
  client.abort();
  await expectNoHold(key.keyId);

  const again = await fetch(`${gw.url}${CHAT}`, { method: 'POST', headers, body: JSON.stringify(body) });
  expect(again.status).toBe(200);
  expect(again.headers.get('idempotent-replayed')).toBeNull();
  expect(await again.text()).toContain('[DONE]');
});

describe('a media call whose client hangs up before the provider answers', () => {
  it.each([
    ['a streamed image generation', '/v1/images/generations', { model: 'gpt-image-1', prompt: 'a kite SIM_FAULT=timeout', size: '1024x1024', quality: 'low', partial_images: 1, stream: true }],
    ['an image generation, not streamed', '/v1/images/generations', { model: 'gpt-image-1', prompt: 'a kite SIM_FAULT=timeout', size: '1024x1024', quality: 'low' }],
    ['speech, not streamed', '/v1/audio/speech', { model: 'tts-1', input: 'Say nothing SIM_FAULT=timeout', voice: 'alloy' }],
  ])('%s: frees the hold at once, charges nothing, and the server keeps serving', async (_name, path, body) => {
    const key = await gw.mintKey({ budget: USD });
    const client = new AbortController();
    send(key, path, body, client.signal).catch(() => undefined);
    // Held: the call is on its way to the provider, which will never answer.
    await vi.waitFor(async () => expect((await ledger(key.keyId))?.reservations ?? []).toHaveLength(1), { timeout: 10_000, interval: 20 });
    client.abort();
    const after = await expectNoHold(key.keyId);
    expect(after.spent).toBe(0n);
    await expectStillServing();
  });
});

it('many clients hanging up at once on stalled streams free every hold within moments', async () => {
  const key = await gw.mintKey({ budget: 100n * USD });
  const clients = Array.from({ length: 20 }, () => new AbortController());
  const tags = clients.map(() => tagged('Crowd SIM_FAULT=stall'));
  for (const [i, c] of clients.entries()) send(key, CHAT, bodyFor(CHAT, tags[i]!, true), c.signal).catch(() => undefined);
  await vi.waitFor(() => expect(tags.every(reachedProvider)).toBe(true), { timeout: 20_000, interval: 50 });
  expect((await ledger(key.keyId)).reservations).toHaveLength(20);
  for (const c of clients) c.abort();
  const after = await expectNoHold(key.keyId);
  expect(after.spent).toBe(0n);
  await expectStillServing();
});

describe('in Lambda, which gives no hang-up signal', () => {
  /** Lambda's response stream once its client is gone: every write from then on fails. */
  class LambdaResponseStream extends Writable {
    text = '';
    gone = false;
    failedAt: number | undefined;
    override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
      if (this.gone) {
        this.failedAt ??= Date.now();
        return callback(new Error('The client went away.'));
      }
      this.text += chunk.toString('utf8');
      callback();
    }
  }

  it('the first failed write mid-stream ends the call: charged what was delivered, the hold freed then, not at the next frame', async () => {
    // The inference function as the runtime loaded it (same module, same environment), invoked as Lambda does.
    const { handler } = (await import('../../functions/inference/handler.ts')) as unknown as {
      handler: (event: APIGatewayProxyEvent, stream: Writable, context: Context) => Promise<void>;
    };
    const key = await gw.mintKey({ budget: USD });
    // The provider pauses after its first delta; then the test lets exactly one more through, whose write fails.
    // The next one never comes, so a hold freed only at the next frame would stay held.
    const tag = tagged('Lambda SIM_FAULT=chunks:3x8');
    const provider = gate.control(tag, FIRST_DELTA);
    const body = JSON.stringify(bodyFor(CHAT, tag, true));
    const requestId = randomUUID();
    const event = {
      resource: CHAT,
      path: CHAT,
      httpMethod: 'POST',
      headers: { authorization: `Bearer ${key.token}`, 'content-type': 'application/json', host: 'lambda.test' },
      multiValueHeaders: {},
      queryStringParameters: null,
      multiValueQueryStringParameters: null,
      pathParameters: null,
      stageVariables: null,
      body,
      isBase64Encoded: false,
      requestContext: { requestId, stage: 'test', resourcePath: CHAT, httpMethod: 'POST', path: CHAT },
    } as unknown as APIGatewayProxyEvent;
    const context = { awsRequestId: requestId, getRemainingTimeInMillis: () => 900_000, callbackWaitsForEmptyEventLoop: false } as unknown as Context;
    const stream = new LambdaResponseStream();
    const invocation = handler(event, stream, context).catch((error: unknown) => error);

    await vi.waitFor(() => expect(stream.text).toContain('"You said'), { timeout: 20_000, interval: 20 });
    const held = (await ledger(key.keyId)).reservations[0]!.amount;
    stream.gone = true;
    provider.allow(1);
    await vi.waitFor(() => expect(stream.failedAt).toBeDefined(), { timeout: 20_000, interval: 20 });
    // Freed with no further frame from the provider, however loaded the machine.
    const after = await expectNoHold(key.keyId);
    expect(after.spent).toBeGreaterThan(0n);
    expect(after.spent).toBeLessThan(held);
    expect(await invocation).toBeInstanceOf(Error);
  });
});
