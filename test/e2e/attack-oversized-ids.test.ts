/**
 * Attack: ids longer than DynamoDB's 2,048-byte key limit, on every route that names a stored record — the
 * Responses reads, DELETE (new on both surfaces), cancel and `previous_response_id`, and the video routes. Each
 * used to reach the store and come back as a 500 (a ValidationException). An id that long is not of its kind, so
 * the family handler refuses it as OpenAI refuses a malformed id (400, before any store call; the stores also treat
 * an over-long id as absent), and the message does not echo it whole.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sharedPaymentsRuntime, type MintedTestKey, type PaymentsRuntime } from '../support/payments.ts';

let gw: PaymentsRuntime;
let key: MintedTestKey;
beforeAll(async () => {
  gw = await sharedPaymentsRuntime();
  key = await gw.mintKey({ budget: 1_000_000n });
});
afterAll(() => gw?.close());

const RESPONSE = `resp_${'a'.repeat(3000)}`;
const VIDEO = `video_${'a'.repeat(3000)}`;

const call = (method: string, path: string, body?: unknown) =>
  fetch(`${gw.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${key.token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });

const expectRefused = async (response: Response, code: string) => {
  const text = await response.text();
  expect(response.status, text.slice(0, 200)).toBe(400);
  const { error } = JSON.parse(text) as { error: { code: string; type: string; message: string } };
  expect(error).toMatchObject({ code, type: 'invalid_request_error' });
  expect(error.message.length).toBeLessThan(300);
};

describe('an id too long to be one the gateway minted is a 400, never a 500', () => {
  it.each([
    ['GET', `/v1/responses/${RESPONSE}`],
    ['GET', `/v1/responses/${RESPONSE}/input_items`],
    ['DELETE', `/v1/responses/${RESPONSE}`],
    ['POST', `/v1/responses/${RESPONSE}/cancel`],
    ['GET', `/external/v1/responses/${RESPONSE}`],
    ['DELETE', `/external/v1/responses/${RESPONSE}`],
  ])('%s %s…', async (method, path) => {
    await expectRefused(await call(method, path), 'invalid_response_id');
  });

  it('previous_response_id', async () => {
    await expectRefused(await call('POST', '/v1/responses', { model: 'gpt-4o-mini', input: 'continue', previous_response_id: RESPONSE, max_output_tokens: 8 }), 'invalid_previous_response_id');
  });

  it.each([`/v1/videos/${VIDEO}`, `/v1/videos/${VIDEO}/content`, `/v1/videos/${VIDEO}/stream`, `/external/v1/videos/${VIDEO}`])('GET %s…', async (path) => {
    await expectRefused(await call('GET', path), 'invalid_video_id');
  });
});
