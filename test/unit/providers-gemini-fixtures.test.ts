/**
 * Recorded-shape Gemini responses replayed by an HTTP server, byte-split over in-memory connections
 * (support/in-memory-http.ts) that deliver each write as its own read, so SSE delimiters straddle the chunks the
 * adapter reads, asserted as the exact StreamPart arrays the adapter yields.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hostSimulator, type SimulatorHost } from '../../infra/local/simulators/host.ts';
import { createGeminiAdapter } from '../../layers/providers/gemini/model.ts';
import { thoughtSignatureOf } from '../../layers/providers/gemini/tool-call-id.ts';
import type { StreamPart } from '../../layers/providers/types.ts';
import { callOptions, collect, user } from '../support/providers-gemini.ts';
import { inMemoryHttp, type InMemoryHttp } from '../support/in-memory-http.ts';

const fixture = (name: string): Buffer => readFileSync(new URL(`../fixtures/gemini/${name}`, import.meta.url));

/** Serves the fixture named by the model id, seven bytes per write. */
let host: SimulatorHost;
let link: InMemoryHttp;
let baseURL: string;
beforeAll(async () => {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', async () => {
      const [, name = '', method] = /\/models\/([^:]+):(\w+)/.exec(req.url ?? '') ?? [];
      const body = fixture(decodeURIComponent(name));
      res.writeHead(200, { 'content-type': method === 'streamGenerateContent' ? 'text/event-stream' : 'application/json' });
      for (let offset = 0; offset < body.length; offset += 7) {
        res.write(body.subarray(offset, offset + 7));
        await new Promise((resolve) => setImmediate(resolve));
      }
      res.end();
    });
  });
  host = await hostSimulator(server, 'fixtures', { listen: false });
  baseURL = `${host.origin}/v1beta`;
  link = inMemoryHttp({ url: baseURL, accept: host.accept });
});
afterAll(() => {
  link.close();
  return host.close();
});

const adapter = () => createGeminiAdapter({ baseURL, apiKey: () => 'fixture-key', maxRetries: 0, fetch: link.fetch });
const replay = async (name: string): Promise<StreamPart[]> => collect(await adapter().stream({ model: name, messages: [user('replay')] }, callOptions()));

describe('Gemini fixtures replayed as canonical streams', () => {
  it('thought summary, text, cumulative usage with thoughts and cached tokens', async () => {
    expect(await replay('text-with-thoughts.sse')).toEqual([
      { type: 'response-metadata', id: 'b3NpbXVsYXRlZC1yZXNwb25zZS0x', model: 'gemini-2.5-flash' },
      { type: 'reasoning-delta', delta: '**Weighing the question**\n\nThe user asks why the sky is blue; Rayleigh scattering explains it.' },
      { type: 'text-delta', delta: 'Sunlight scatters off air molecules, and' },
      { type: 'text-delta', delta: ' blue light scatters the most.' },
      { type: 'usage', usage: { inputTokens: 1290, outputTokens: 226, totalTokens: 1516, cachedInputTokens: 1024, reasoningTokens: 212 } },
      { type: 'finish', finishReason: { unified: 'stop', raw: 'STOP' } },
    ]);
  });

  it('whole function calls, one delta each, the first carrying its thought signature in the id', async () => {
    const parts = await replay('function-calls.sse');
    expect(parts).toEqual([
      { type: 'response-metadata', id: 'b3NpbXVsYXRlZC1yZXNwb25zZS0y', model: 'gemini-2.5-flash' },
      { type: 'tool-call-delta', index: 0, id: expect.stringMatching(/^call_\w+__ts__/), name: 'get_weather', argumentsDelta: '{"city":"Tokyo","unit":"celsius"}' },
      { type: 'tool-call-delta', index: 1, id: expect.stringMatching(/^call_[0-9a-f]{24}$/), name: 'get_time', argumentsDelta: '{"zone":"Asia/Tokyo"}' },
      { type: 'usage', usage: { inputTokens: 83, outputTokens: 126, totalTokens: 209, reasoningTokens: 104 } },
      { type: 'finish', finishReason: { unified: 'tool_calls', raw: 'STOP' } },
    ]);
    const first = parts[1] as Extract<StreamPart, { type: 'tool-call-delta' }>;
    expect(thoughtSignatureOf(first.id!)).toBe('CiQBcsjafA9e+Qm2kq/7uXo0dGVzdC1zaWduYXR1cmU=');
  });

  it('a blocked prompt', async () => {
    expect(await replay('prompt-blocked.sse')).toEqual([
      { type: 'response-metadata', id: 'b3NpbXVsYXRlZC1yZXNwb25zZS0z', model: 'gemini-2.5-flash' },
      { type: 'usage', usage: { inputTokens: 12, outputTokens: 0, totalTokens: 12 } },
      { type: 'finish', finishReason: { unified: 'content_filter', raw: 'PROHIBITED_CONTENT' } },
    ]);
  });

  it('an answer stopped for safety', async () => {
    expect(await replay('safety-stop.sse')).toEqual([
      { type: 'response-metadata', id: 'b3NpbXVsYXRlZC1yZXNwb25zZS00', model: 'gemini-2.0-flash' },
      { type: 'text-delta', delta: 'Here is how' },
      { type: 'usage', usage: { inputTokens: 9, outputTokens: 3, totalTokens: 12 } },
      { type: 'finish', finishReason: { unified: 'content_filter', raw: 'SAFETY' } },
    ]);
  });

  it('an answer cut at max tokens', async () => {
    expect((await replay('max-tokens.sse')).at(-1)).toEqual({ type: 'finish', finishReason: { unified: 'length', raw: 'MAX_TOKENS' } });
  });

  it('an error object midstream', async () => {
    expect(await replay('midstream-error.sse')).toEqual([
      { type: 'response-metadata', id: 'b3NpbXVsYXRlZC1yZXNwb25zZS02', model: 'gemini-2.5-pro' },
      { type: 'text-delta', delta: 'The first part of the answer' },
      { type: 'error', error: { status: 503, code: 'upstream_unavailable', message: 'The model is overloaded. Please try again later.' } },
      { type: 'usage', usage: { inputTokens: 5, outputTokens: 6, totalTokens: 11 } },
      { type: 'finish', finishReason: { unified: 'error' } },
    ]);
  });

  it('malformed chunks become error parts and the stream carries on to its end', async () => {
    expect(await replay('malformed-chunk.sse')).toEqual([
      { type: 'response-metadata', id: 'b3NpbXVsYXRlZC1yZXNwb25zZS03', model: 'gemini-2.0-flash' },
      { type: 'text-delta', delta: 'Partial' },
      { type: 'error', error: { code: 'upstream_malformed_chunk', message: 'The provider sent a chunk that is not valid JSON.' } },
      { type: 'error', error: { code: 'upstream_malformed_chunk', message: 'The provider sent a chunk that does not match the generateContent format.' } },
      { type: 'text-delta', delta: ' answer' },
      { type: 'usage', usage: { inputTokens: 4, outputTokens: 2, totalTokens: 6 } },
      { type: 'finish', finishReason: { unified: 'error', raw: 'STOP' } },
    ]);
  });

  it('CRLF framing', async () => {
    const parts = await replay('crlf.sse');
    expect(parts.filter((part) => part.type === 'text-delta')).toEqual([
      { type: 'text-delta', delta: 'Line endings' },
      { type: 'text-delta', delta: ' survive CRLF.' },
    ]);
    expect(parts.at(-1)).toEqual({ type: 'finish', finishReason: { unified: 'stop', raw: 'STOP' } });
  });

  it('a generateContent body with text and a function call, tool-use prompt tokens counted as input', async () => {
    const parts = await adapter().generate({ model: 'generate-function-call.json', messages: [user('replay')] }, callOptions());
    expect(parts).toEqual([
      { type: 'response-metadata', id: 'b3NpbXVsYXRlZC1yZXNwb25zZS05', model: 'gemini-2.0-flash' },
      { type: 'text-delta', delta: 'Let me check that.' },
      { type: 'tool-call-delta', index: 0, id: expect.stringMatching(/^call_[0-9a-f]{24}$/), name: 'get_weather', argumentsDelta: '{"city":"Paris"}' },
      { type: 'usage', usage: { inputTokens: 48, outputTokens: 12, totalTokens: 60 } },
      { type: 'finish', finishReason: { unified: 'tool_calls', raw: 'STOP' } },
    ]);
  });
});
