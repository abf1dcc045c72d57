/**
 * Attack: late cancels. A cancel owes what was delivered before it, as a hang-up does — a stream cancelled as
 * its last delta arrives is not free — and a call has one outcome: either the cancel wins (the call is aborted
 * and charged for what it delivered, nothing for an unstreamed answer it never sent) or the cancel is refused
 * with a 409 and the answer is delivered and charged. Never `200 cancelled` and a charged answer both. A
 * non-streamed stored call has no record while it runs (its id reaches its client only with the answer), so
 * nothing can cancel it: it is stored once, whole, when answered.
 */
import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Ledger } from '../../shared/keys/index.ts';
import { tableNameFromEnv } from '../../layers/core/tables.ts';
import { simulatorEnv } from '../../infra/local/simulators/openai-compatible/local-env.ts';
import { startOpenAICompatibleSimulator, type OpenAICompatibleSimulator } from '../../infra/local/simulators/openai-compatible/server.ts';
import { dataFrames, parseSse } from '../support/e2e.ts';
import { startFrameGate, type FrameGate } from '../support/frame-gate.ts';
import { RESPONSES, startKeysRuntime, streamReceipt, type MintedTestKey, type KeysRuntime } from '../support/payments.ts';

let simulator: OpenAICompatibleSimulator;
let gate: FrameGate;
let gw: KeysRuntime;
let dynamo: DynamoDBClient;

beforeAll(async () => {
  simulator = await startOpenAICompatibleSimulator({ flavor: 'openai' });
  gate = await startFrameGate(simulator.url);
  const throughGate = { ...simulator, url: `${gate.origin}${new URL(simulator.url).pathname}` };
  gw = await startKeysRuntime({ env: { ...simulatorEnv('openai', throughGate), PROVIDER_MAX_RETRIES: '0', CANCEL_POLL_MS: '25' } });
  dynamo = new DynamoDBClient({ endpoint: gw.env.AWS_ENDPOINT_URL_DYNAMODB!, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
});
afterAll(async () => {
  dynamo?.destroy();
  await gw?.close();
  await gate?.close();
  await simulator?.close();
});

const USD = 1_000_000n;
const tagged = (text: string): string => `${text} [${randomUUID().slice(0, 8)}]`;
const bearer = (key: MintedTestKey) => ({ authorization: `Bearer ${key.token}` });
const ledger = async (keyId: string): Promise<Ledger> => (await gw.ledger.getLedger(keyId))!;
const cancel = (key: MintedTestKey, id: string) => fetch(`${gw.url}/v1/responses/${id}/cancel`, { method: 'POST', headers: bearer(key) });
const retrieve = async (key: MintedTestKey, id: string) => (await (await fetch(`${gw.url}/v1/responses/${id}`, { headers: bearer(key) })).json()) as { status: string; receipt?: unknown };

/** The id of a key's response still generating, if any record of one exists. */
const inProgressIdOf = async (keyId: string): Promise<string | undefined> => {
  const { Items = [] } = await DynamoDBDocumentClient.from(dynamo).send(new ScanCommand({ TableName: tableNameFromEnv('responses', gw.env) }));
  const item = Items.find((i) => i.owner === `key:${keyId}` && i.status === 'in_progress');
  return (item?.pk as string | undefined)?.replace(/^resp#/, '');
};

/** Nothing left held, and every atomic unit accounted for. */
const settledLedger = async (keyId: string): Promise<Ledger> => {
  await vi.waitFor(async () => expect((await ledger(keyId)).reservations).toEqual([]), { timeout: 10_000, interval: 50 });
  const after = await ledger(keyId);
  expect(after.available + after.spent).toBe(after.budget);
  return after;
};

interface Event {
  type: string;
  delta?: string;
}

/** Reads a stream's events as they come, handing each to `onEvent`, until the body ends. */
const readEvents = async (response: Response, onEvent: (event: Event, raw: string) => Promise<void> | void): Promise<string> => {
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  let all = '';
  while (true) {
    const { value, done } = await reader.read();
    if (done) break;
    const text = decoder.decode(value, { stream: true });
    buffer += text;
    all += text;
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end + 2);
      buffer = buffer.slice(end + 2);
      for (const frame of dataFrames(parseSse(block))) if (frame.data !== '[DONE]') await onEvent(frame.json as Event, block);
    }
  }
  return all;
};

describe('a streamed, stored Responses call cancelled late', () => {
  it('as its last delta arrives: the cancel owes what was delivered, and the record agrees with the charge', async () => {
    const key = await gw.mintKey({ budget: USD });
    // Eight deltas, then the finish and usage chunks each 400 ms later: the cancel lands after the last delta.
    const prompt = tagged('Cancel me late SIM_FAULT=chunks:8x6,chunk-delay:400');
    const response = await gw.post(RESPONSES, { model: 'gpt-4o-mini', input: prompt, max_output_tokens: 200, stream: true }, bearer(key));
    expect(response.status).toBe(200);
    const id = response.headers.get('x-compose-response-id')!;
    let deltas = 0;
    let cancelStatus: number | undefined;
    let deltasAfterCancel = 0;
    const sse = await readEvents(response, async (event) => {
      if (event.type !== 'response.output_text.delta') return;
      if (cancelStatus !== undefined) deltasAfterCancel += 1;
      deltas += 1;
      if (deltas === 8) cancelStatus = (await cancel(key, id)).status;
    });
    expect(deltas).toBe(8);
    expect(deltasAfterCancel).toBe(0);
    const after = await settledLedger(key.keyId);
    const stored = await retrieve(key, id);
    // One outcome: the cancel won (200, record cancelled) or was refused (409, record completed); paid either way.
    expect([cancelStatus, stored.status]).toEqual(cancelStatus === 200 ? [200, 'cancelled'] : [409, 'completed']);
    expect(after.spent).toBeGreaterThan(0n);
    expect(after.spent).toBe(BigInt(streamReceipt(sse).final_amount_wei));
  });

  it('mid-stream: output stops at the cancel, and what was delivered before it is charged', async () => {
    const key = await gw.mintKey({ budget: USD });
    const prompt = tagged('Cancel me midway SIM_FAULT=chunks:40x6,chunk-delay:150');
    const response = await gw.post(RESPONSES, { model: 'gpt-4o-mini', input: prompt, max_output_tokens: 400, stream: true }, bearer(key));
    const id = response.headers.get('x-compose-response-id')!;
    let deltas = 0;
    let failed: Event | undefined;
    const sse = await readEvents(response, async (event) => {
      if (event.type === 'response.output_text.delta' && ++deltas === 3) expect((await cancel(key, id)).status).toBe(200);
      if (event.type === 'response.failed') failed = event;
    });
    expect(deltas).toBeLessThan(40);
    expect(failed).toBeDefined();
    expect(sse).toContain('response_cancelled');
    const after = await settledLedger(key.keyId);
    expect(after.spent).toBeGreaterThan(0n);
    expect(after.spent).toBe(BigInt(streamReceipt(sse).final_amount_wei));
    expect((await retrieve(key, id)).status).toBe('cancelled');
  });
});

describe('a non-streamed, stored call', () => {
  it('has no record until it is answered: nothing can cancel it in flight, and it is then stored whole, receipt and charge agreeing', async () => {
    const key = await gw.mintKey({ budget: USD });
    const prompt = tagged('Store me unstreamed');
    // The provider is held: the call is in flight for as long as the test looks.
    const provider = gate.hold(prompt);
    const call = gw.post(RESPONSES, { model: 'gpt-4o-mini', input: prompt, max_output_tokens: 64 }, bearer(key));
    await vi.waitFor(() => expect(provider.waiting).toBe(1), { timeout: 10_000, interval: 25 });
    // Its id reaches its client only with the answer, and no record exists to find it by (one write, at the end).
    expect(await inProgressIdOf(key.keyId)).toBeUndefined();
    provider.release();

    const answer = await call;
    expect(answer.status).toBe(200);
    const id = answer.headers.get('x-compose-response-id')!;
    const body = (await answer.json()) as { status?: string; receipt?: { final_amount_wei: string } };
    expect(body.status).toBe('completed');
    const after = await settledLedger(key.keyId);
    expect(after.spent).toBeGreaterThan(0n);
    expect(after.spent).toBe(BigInt(body.receipt!.final_amount_wei));
    const stored = await retrieve(key, id);
    expect(stored).toMatchObject({ status: 'completed', receipt: body.receipt });
    // Finished before anyone could know its id: a cancel now is refused.
    expect((await cancel(key, id)).status).toBe(409);
  });
});
