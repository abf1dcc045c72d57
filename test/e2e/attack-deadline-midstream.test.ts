/**
 * A text stream whose generation deadline fires after the first byte, while the provider is still streaming (the
 * OpenAI simulator's `chunk-delay` fault): the client is told in-band that the generation ran out of time
 * (`generation_timeout`), never that the request was cancelled, which it was not. The adapters report a read cut by
 * the call's abort as an error part of their own (`request_aborted`); the paid-stream engine names the deadline.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simulatorEnv } from '../../infra/local/simulators/openai-compatible/local-env.ts';
import { startOpenAICompatibleSimulator, type OpenAICompatibleSimulator } from '../../infra/local/simulators/openai-compatible/server.ts';
import { dataFrames, parseSse, startE2eRuntime, type E2eRuntime } from '../support/e2e.ts';
import { expectMatchesSchema } from '../support/openapi.ts';

let openai: OpenAICompatibleSimulator;
let gateway: E2eRuntime;

beforeAll(async () => {
  openai = await startOpenAICompatibleSimulator({ flavor: 'openai', apiKey: 'sk-test-openai' });
  gateway = await startE2eRuntime({
    chain: false,
    videos: false,
    // The deadline is long enough for a loaded machine to see the first chunk, far shorter than the slow reply.
    env: { ...simulatorEnv('openai', openai), GENERATION_DEADLINE_MS: '1500', SSE_HEARTBEAT_MS: '200' },
  });
});
afterAll(async () => {
  await gateway?.close();
  await openai?.close();
});

const SLOW = 'Tell me a long and winding story about many many things SIM_FAULT=chunk-delay:400';

describe('a generation deadline that fires mid-stream', () => {
  it('ends a chat stream with generation_timeout in-band, after what was delivered', async () => {
    const response = await gateway.post('/v1/chat/completions', { model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: SLOW }] });
    expect(response.status).toBe(200);
    const frames = dataFrames(parseSse(await response.text()));
    expect(frames.at(-1)!.data).toBe('[DONE]');
    const error = frames.find((frame) => frame.event === 'compose.error')!;
    expectMatchesSchema('ErrorEnvelope', error.json);
    expect(error.json).toMatchObject({ error: { code: 'generation_timeout', type: 'api_error' } });
    expect(frames.some((frame) => (frame.json as { choices?: { delta?: { content?: string } }[] } | undefined)?.choices?.[0]?.delta?.content)).toBe(true);
  });

  it('ends a Responses stream as failed with generation_timeout', async () => {
    const response = await gateway.post('/v1/responses', { model: 'gpt-4o-mini', stream: true, input: SLOW });
    expect(response.status).toBe(200);
    const events = dataFrames(parseSse(await response.text())).map((frame) => frame.json as { type?: string; response?: { status?: string; error?: { code?: string } } });
    const failed = events.find((event) => event.type === 'response.failed');
    expect(failed?.response).toMatchObject({ status: 'failed', error: { code: 'generation_timeout' } });
  });
});
