/**
 * A Gemini thinking model signs the text of its answer; a conversation continued with `previous_response_id` sends
 * that signature back on the turn's text, end to end through the local runtime (before, only function-call
 * signatures survived a turn). The Gemini simulator here is the test's own, so its requests can be read.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGeminiSimulator, type GeminiSimulator } from '../../infra/local/simulators/gemini/server.ts';
import { startE2eRuntime, type E2eRuntime } from '../support/e2e.ts';

let gemini: GeminiSimulator;
let gateway: E2eRuntime;
beforeAll(async () => {
  gemini = await startGeminiSimulator({ apiKey: 'e2e-gemini-key' });
  gateway = await startE2eRuntime({ env: { GEMINI_API_KEY: 'e2e-gemini-key', GEMINI_BASE_URL: gemini.url }, chain: false, videos: false });
});
afterAll(async () => {
  await gateway?.close();
  await gemini?.close();
});

describe('Gemini thought signatures across a stored conversation', () => {
  it('sends the first answer’s signature back with its text when the conversation continues', async () => {
    const first = await gateway.post('/v1/responses', { model: 'gemini-2.5-flash', provider: 'gemini', input: 'Think about tides.', store: true });
    expect(first.status).toBe(200);
    const { id } = (await first.json()) as { id: string };
    const next = await gateway.post('/v1/responses', { model: 'gemini-2.5-flash', provider: 'gemini', input: 'And the moon?', previous_response_id: id, store: true });
    expect(next.status).toBe(200);
    const contents = (gemini.requests.at(-1)!.body as { contents: { role: string; parts: { text?: string; thoughtSignature?: string }[] }[] }).contents;
    const model = contents.find((content) => content.role === 'model')!;
    expect(model.parts).toEqual([{ text: expect.stringContaining('Think about tides.'), thoughtSignature: expect.any(String) }]);
  });
});
