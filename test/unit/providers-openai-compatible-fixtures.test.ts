/**
 * Recorded-shape Chat Completions streams (OpenAI, Azure, Fireworks/DeepSeek, Hugging Face, Workers AI, and
 * failure modes) replayed by an HTTP server seven bytes per write, over in-memory connections
 * (support/in-memory-http.ts) that deliver each write as its own read, so SSE delimiters straddle the chunks the
 * adapter reads, asserted as the exact StreamPart arrays the adapter yields.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hostSimulator, type SimulatorHost } from '../../infra/local/simulators/host.ts';
import { createOpenAICompatibleAdapter } from '../../layers/providers/openai-compatible/adapter.ts';
import { openaiProfile } from '../../layers/providers/openai/profile.ts';
import type { StreamPart } from '../../layers/providers/types.ts';
import { callOptions, collect, user } from '../support/providers-openai-compatible.ts';
import { inMemoryHttp, type InMemoryHttp } from '../support/in-memory-http.ts';

const fixture = (name: string): Buffer => readFileSync(new URL(`../fixtures/openai-compatible/${name}`, import.meta.url));

/** Serves the fixture named by the request's model. */
let host: SimulatorHost;
let link: InMemoryHttp;
let baseURL: string;
beforeAll(async () => {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', async () => {
      const name = String((JSON.parse(Buffer.concat(chunks).toString('utf8')) as { model: string }).model);
      const body = fixture(name);
      res.writeHead(200, { 'content-type': name.endsWith('.json') ? 'application/json' : 'text/event-stream' });
      for (let offset = 0; offset < body.length; offset += 7) {
        if (res.destroyed) return;
        res.write(body.subarray(offset, offset + 7));
        await new Promise((resolve) => setImmediate(resolve));
      }
      res.end();
    });
  });
  host = await hostSimulator(server, 'fixtures', { listen: false });
  baseURL = `${host.origin}/v1`;
  link = inMemoryHttp({ url: baseURL, accept: host.accept });
});
afterAll(() => {
  link.close();
  return host.close();
});

const adapter = () => createOpenAICompatibleAdapter(openaiProfile, { baseURL, apiKey: () => 'fixture-key', maxRetries: 0, fetch: link.fetch });
const replay = async (name: string): Promise<StreamPart[]> => collect(await adapter().stream({ model: name, messages: [user('replay')] }, callOptions()));

describe('recorded streams', () => {
  it('OpenAI text with a usage chunk after the finish', async () => {
    expect(await replay('openai-text.sse')).toEqual([
      { type: 'response-metadata', id: 'chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT', model: 'gpt-4o-2024-08-06', created: 1741570283 },
      { type: 'text-delta', delta: 'Hello' },
      { type: 'text-delta', delta: ', world' },
      { type: 'text-delta', delta: '! 👋' },
      { type: 'usage', usage: { inputTokens: 1210, outputTokens: 6, totalTokens: 1216, cachedInputTokens: 1152, reasoningTokens: 0 } },
      { type: 'finish', finishReason: { unified: 'stop', raw: 'stop' } },
    ]);
  });

  it('OpenAI parallel tool calls: id and name first, then argument fragments', async () => {
    expect(await replay('openai-parallel-tools.sse')).toEqual([
      { type: 'response-metadata', id: 'chatcmpl-tools1', model: 'gpt-4o-mini-2024-07-18', created: 1741570300 },
      { type: 'tool-call-delta', index: 0, id: 'call_pUaUnrJjTRq2h6ygC9RALOyl', name: 'get_weather', argumentsDelta: '' },
      { type: 'tool-call-delta', index: 0, argumentsDelta: '{"ci' },
      { type: 'tool-call-delta', index: 0, argumentsDelta: 'ty": "Paris"}' },
      { type: 'tool-call-delta', index: 1, id: 'call_o1GvNFjR3TTwTJyiR9XVh8xV', name: 'get_time', argumentsDelta: '' },
      { type: 'tool-call-delta', index: 1, argumentsDelta: '{"tz": "CET"}' },
      { type: 'usage', usage: { inputTokens: 82, outputTokens: 48, totalTokens: 130, cachedInputTokens: 0, reasoningTokens: 0 } },
      { type: 'finish', finishReason: { unified: 'tool_calls', raw: 'tool_calls' } },
    ]);
  });

  it('Azure: the prompt-filter chunk with no choices and blank ids is skipped', async () => {
    expect(await replay('azure-text.sse')).toEqual([
      { type: 'response-metadata', id: 'chatcmpl-AzureAbc', model: 'gpt-4o-2024-11-20', created: 1741571000 },
      { type: 'text-delta', delta: 'Hi' },
      { type: 'usage', usage: { inputTokens: 9, outputTokens: 1, totalTokens: 10, cachedInputTokens: 0, reasoningTokens: 0 } },
      { type: 'finish', finishReason: { unified: 'stop', raw: 'stop' } },
    ]);
  });

  it('reasoning_content deltas (DeepSeek R1 on Fireworks) and usage on the finish chunk', async () => {
    expect(await replay('deepseek-reasoning.sse')).toEqual([
      { type: 'response-metadata', id: 'cmpl-r1', model: 'accounts/fireworks/models/deepseek-r1', created: 1741572000 },
      { type: 'reasoning-delta', delta: 'Two plus two' },
      { type: 'reasoning-delta', delta: ' is four.' },
      { type: 'text-delta', delta: '4' },
      { type: 'usage', usage: { inputTokens: 12, outputTokens: 18, totalTokens: 30, reasoningTokens: 16 } },
      { type: 'finish', finishReason: { unified: 'stop', raw: 'stop' } },
    ]);
  });

  it('the `reasoning` delta field some routers use', async () => {
    const parts = await replay('reasoning-field.sse');
    expect(parts.filter((part) => part.type === 'reasoning-delta' || part.type === 'text-delta')).toEqual([
      { type: 'reasoning-delta', delta: 'Short answer.' },
      { type: 'text-delta', delta: 'Yes.' },
    ]);
  });

  it('a whole tool call in one delta, without index or id', async () => {
    const parts = await replay('tool-call-without-index.sse');
    const call = parts.find((part) => part.type === 'tool-call-delta');
    expect(call).toMatchObject({ type: 'tool-call-delta', index: 0, name: 'lookup', argumentsDelta: '{"q":"cats"}' });
    expect(call?.type === 'tool-call-delta' && call.id).toMatch(/^call_/);
    expect(parts.at(-1)).toEqual({ type: 'finish', finishReason: { unified: 'tool_calls', raw: 'tool_calls' } });
  });
});

describe('recorded failures', () => {
  it('an error chunk mid-stream becomes a final, sanitized error part', async () => {
    expect((await replay('midstream-error.sse')).slice(1)).toEqual([
      { type: 'text-delta', delta: 'Partial' },
      {
        type: 'error',
        error: { status: 502, code: 'upstream_unavailable', message: 'The server had an error while processing your request. Sorry about that! Contact us through [url] if the error persists.' },
      },
    ]);
  });

  it('a malformed chunk becomes an error part and nothing after it is trusted', async () => {
    expect((await replay('malformed.sse')).slice(1)).toEqual([
      { type: 'text-delta', delta: 'Fine' },
      { type: 'error', error: { status: 502, code: 'upstream_malformed_chunk', message: 'The provider sent a malformed stream chunk.' } },
    ]);
  });

  it('a stream that ends without a finish_reason was truncated', async () => {
    expect((await replay('truncated.sse')).slice(1)).toEqual([
      { type: 'text-delta', delta: 'Once upon' },
      { type: 'text-delta', delta: ' a time' },
      { type: 'error', error: { status: 502, code: 'upstream_truncated', message: 'The provider ended the stream before finishing.' } },
    ]);
  });
});

describe('recorded complete responses', () => {
  it('a non-streamed tool call becomes the parts a stream would have produced', async () => {
    expect(await adapter().generate({ model: 'openai-tool-call.json', messages: [user('weather')] }, callOptions())).toEqual([
      { type: 'response-metadata', id: 'chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG', model: 'gpt-4o-2024-08-06', created: 1741570283 },
      { type: 'tool-call-delta', index: 0, id: 'call_12345xyz', name: 'get_weather', argumentsDelta: '{"city":"Paris"}' },
      { type: 'usage', usage: { inputTokens: 82, outputTokens: 17, totalTokens: 99, cachedInputTokens: 0, reasoningTokens: 0 } },
      { type: 'finish', finishReason: { unified: 'tool_calls', raw: 'tool_calls' } },
    ]);
  });

  it('a provider that ignores stream:true and answers JSON is replayed as parts', async () => {
    expect(await replay('ignored-stream-flag.json')).toEqual([
      { type: 'response-metadata', id: 'chatcmpl-nostream', model: 'some-model', created: 1741578000 },
      { type: 'text-delta', delta: 'Whole answer at once.' },
      { type: 'usage', usage: { inputTokens: 4, outputTokens: 4, totalTokens: 8 } },
      { type: 'finish', finishReason: { unified: 'stop', raw: 'stop' } },
    ]);
  });
});
