/**
 * How the OpenAI-compatible adapter behaves when the provider misbehaves, against the simulator's fault
 * injection: retries before the first byte only, per-attempt timeouts, caller aborts, and failures after
 * the first byte delivered as `error` parts. Plus the conversational features: parallel and answered tool
 * calls, attachments, prompt caching, warnings, and DashScope's stream-only thinking. The simulators are reached
 * over in-memory HTTP connections (support/in-memory-http.ts): faults, hang-ups and aborts are the same HTTP
 * events without a socket.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startOpenAICompatibleSimulator, type OpenAICompatibleSimulator } from '../../infra/local/simulators/openai-compatible/server.ts';
import { createTextAdapter } from '../../layers/providers/registry.ts';
import type { CanonicalRequest, ProviderTransport, StreamPart } from '../../layers/providers/types.ts';
import {
  callOptions,
  collect,
  errorOf,
  fetchWithFault,
  finishOf,
  partsOfType,
  reasoningOf,
  startScriptedServer,
  textOf,
  toolCallsOf,
  usageOf,
  user,
  WEATHER_PARAMETERS,
} from '../support/providers-openai-compatible.ts';
import { inMemoryHttp, type InMemoryHttp } from '../support/in-memory-http.ts';

let sim: OpenAICompatibleSimulator;
let link: InMemoryHttp;
beforeAll(async () => {
  sim = await startOpenAICompatibleSimulator({ flavor: 'openai', listen: false });
  link = inMemoryHttp(sim);
});
afterAll(() => {
  link.close();
  return sim.close();
});

const adapter = (transport: Partial<ProviderTransport> = {}) =>
  createTextAdapter('openai', { baseURL: sim.url, apiKey: () => sim.apiKey, fetch: link.fetch, ...transport });
const ask = (text: string, extra: Partial<CanonicalRequest> = {}): CanonicalRequest => ({ model: 'gpt-4o-mini', messages: [user(text)], ...extra });
const requestsSince = (start: number) => sim.requests.length - start;

describe('retries before the first byte', () => {
  it('retries a 429 after its Retry-After, and tells the caller', async () => {
    const start = sim.requests.length;
    const retries: unknown[] = [];
    const parts = await adapter().generate(ask('SIM_FAULT=429-once after a pause'), callOptions({ onRetry: (info) => retries.push(info) }));
    expect(textOf(parts)).toContain('after a pause');
    expect(retries).toEqual([{ retry: 1, delayMs: 0, reason: 'status 429' }]);
    expect(requestsSince(start)).toBe(2);
  });

  it('retries a 500 and a dropped connection on a stream, then streams', async () => {
    const start = sim.requests.length;
    const parts = await collect(await adapter({ fetch: fetchWithFault('500-once', link.fetch) }).stream(ask('first'), callOptions()));
    expect(finishOf(parts)?.unified).toBe('stop');
    const dropped = await collect(await adapter({ fetch: fetchWithFault('drop-once', link.fetch) }).stream(ask('second'), callOptions()));
    expect(textOf(dropped)).toBe('You said: second');
    expect(requestsSince(start)).toBe(4);
  });

  it('gives up after maxRetries with upstream_rate_limited and the provider Retry-After', async () => {
    const start = sim.requests.length;
    const failure = adapter({ maxRetries: 1 }).generate(ask('SIM_FAULT=429:0'), callOptions());
    await expect(failure).rejects.toMatchObject({ status: 429, code: 'upstream_rate_limited', headers: { 'retry-after': '0' } });
    expect(requestsSince(start)).toBe(2);
  });

  it('times out an attempt that never answers, or answers headers and stalls, and retries it', async () => {
    // Long enough for the answering attempt on a busy machine; the silent one waits it out.
    const quick = { timeoutMs: 500 };
    const silent = await adapter({ ...quick, fetch: fetchWithFault('timeout-once', link.fetch) }).generate(ask('silent first'), callOptions());
    expect(textOf(silent)).toBe('You said: silent first');
    const stalled = await collect(await adapter({ ...quick, fetch: fetchWithFault('stall-once', link.fetch) }).stream(ask('stalled first'), callOptions()));
    expect(textOf(stalled)).toBe('You said: stalled first');
  });

  it('fails with upstream_timeout when no attempt answers in time', async () => {
    await expect(adapter({ timeoutMs: 80, maxRetries: 1, fetch: fetchWithFault('timeout', link.fetch) }).generate(ask('never'), callOptions())).rejects.toMatchObject({
      status: 504,
      code: 'upstream_timeout',
    });
  });

  it('does not retry once the stream has started: a dropped connection is an error part', async () => {
    const start = sim.requests.length;
    const parts = await collect(await adapter().stream(ask('SIM_FAULT=midstream-drop one two three four five six'), callOptions()));
    expect(textOf(parts)).not.toBe('');
    expect(parts.at(-1)).toEqual({ type: 'error', error: { status: 502, code: 'upstream_connection_lost', message: 'The connection to the provider was lost mid-stream.' } });
    expect(requestsSince(start)).toBe(1);
  });
});

describe('failures after the first byte', () => {
  const streamed = async (text: string): Promise<StreamPart[]> => collect(await adapter().stream(ask(text), callOptions()));

  it('an upstream error chunk ends the stream with an error part, keeping the text before it', async () => {
    const parts = await streamed('SIM_FAULT=midstream-error alpha beta gamma delta');
    expect(textOf(parts)).toMatch(/^You said:/);
    expect(errorOf(parts)).toMatchObject({ code: 'upstream_unavailable', status: 502 });
    expect(partsOfType(parts, 'finish')).toEqual([]);
  });

  it('a malformed chunk is an error part, not an exception', async () => {
    expect(errorOf(await streamed('SIM_FAULT=malformed-chunk alpha beta'))).toMatchObject({ code: 'upstream_malformed_chunk' });
  });

  it('a stream that stops without a finish is reported truncated', async () => {
    expect(errorOf(await streamed('SIM_FAULT=truncate alpha beta gamma'))).toMatchObject({ code: 'upstream_truncated' });
  });

  it('a content filter that stops the answer finishes with content_filter', async () => {
    expect(finishOf(await streamed('SIM_FAULT=content-filter-finish alpha beta gamma'))).toEqual({ unified: 'content_filter', raw: 'content_filter' });
  });
});

describe('caller aborts', () => {
  it('aborting mid-stream stops the upstream read and ends with request_aborted', async () => {
    const controller = new AbortController();
    const parts: StreamPart[] = [];
    const stream = await adapter().stream(ask('SIM_FAULT=chunk-delay:30 one two three four five six seven eight'), callOptions({ signal: controller.signal }));
    for await (const part of stream) {
      parts.push(part);
      if (part.type === 'text-delta') controller.abort();
    }
    // Nothing after the abort, not even a delta parsed from the same read as the first.
    expect(partsOfType(parts, 'text-delta')).toHaveLength(1);
    expect(textOf(parts)).not.toMatch(/eight$/);
    expect(finishOf(parts)).toBeUndefined();
    expect(parts.at(-1)).toEqual({ type: 'error', error: { code: 'request_aborted', message: 'The request was cancelled.' } });
  });

  it('aborting stops even the deltas already read: a whole answer in one read yields one delta, then request_aborted', async () => {
    const controller = new AbortController();
    const parts: StreamPart[] = [];
    const stream = await adapter().stream(ask('one two three four five six seven eight'), callOptions({ signal: controller.signal }));
    for await (const part of stream) {
      parts.push(part);
      if (part.type === 'text-delta') controller.abort();
    }
    expect(partsOfType(parts, 'text-delta')).toHaveLength(1);
    expect(parts.at(-1)).toEqual({ type: 'error', error: { code: 'request_aborted', message: 'The request was cancelled.' } });
  });

  it('aborting before the provider answers rejects with the abort reason, without retrying', async () => {
    const start = sim.requests.length;
    const controller = new AbortController();
    const pending = adapter({ fetch: fetchWithFault('timeout', link.fetch) }).stream(ask('wait'), callOptions({ signal: controller.signal }));
    // Abort once the request has reached the provider (a fixed delay may not be long enough on a busy machine).
    await vi.waitFor(() => expect(requestsSince(start)).toBe(1), { timeout: 10_000, interval: 5 });
    controller.abort(new Error('client went away'));
    await expect(pending).rejects.toThrow('client went away');
    expect(requestsSince(start)).toBe(1);
  });
});

describe('a consumer that stops reading', () => {
  // Over loopback TCP on purpose: what is checked is that the provider's connection really closes.
  it('cancels the upstream response', async () => {
    let upstreamClosed!: Promise<void>;
    const upstream = await startScriptedServer((_attempt, _req, res) => {
      upstreamClosed = new Promise((resolve) => res.on('close', () => resolve()));
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      const chunk = (content: string) => `data: ${JSON.stringify({ id: 'c1', model: 'm', choices: [{ index: 0, delta: { content } }] })}\n\n`;
      res.write(chunk('first '));
      const timer = setInterval(() => res.write(chunk('more ')), 10);
      res.on('close', () => clearInterval(timer));
    });
    try {
      const stream = await createTextAdapter('openai', { baseURL: upstream.url, apiKey: () => 'k' }).stream(ask('hi'), callOptions());
      for await (const part of stream) if (part.type === 'text-delta') break;
      await upstreamClosed;
      expect(upstream.count()).toBe(1);
    } finally {
      await upstream.close();
    }
  });
});

describe('conversations', () => {
  const tools: CanonicalRequest['tools'] = [
    { type: 'function', name: 'get_weather', parameters: WEATHER_PARAMETERS },
    { type: 'function', name: 'get_time', parameters: { type: 'object', properties: { tz: { type: 'string' } }, required: ['tz'] } },
  ];

  it('calls every tool the user names in parallel, or only one when parallel calls are off', async () => {
    const parallel = await collect(await adapter().stream(ask('Use get_weather and get_time for city=Oslo tz=CET', { tools }), callOptions()));
    expect(toolCallsOf(parallel).map((call) => [call.name, JSON.parse(call.arguments)])).toEqual([
      ['get_weather', { city: 'Oslo', unit: 'celsius', days: 1 }],
      ['get_time', { tz: 'CET' }],
    ]);
    const single = await adapter().generate(ask('Use get_weather and get_time', { tools, parallelToolCalls: false }), callOptions());
    expect(toolCallsOf(single).map((call) => call.name)).toEqual(['get_weather']);
  });

  it('answers a tool result with text', async () => {
    const parts = await adapter().generate(
      {
        model: 'gpt-4o-mini',
        tools,
        messages: [
          user('weather in Oslo?'),
          { role: 'assistant', content: null, toolCalls: [{ id: 'call_abc', name: 'get_weather', arguments: '{"city":"Oslo"}' }] },
          { role: 'tool', toolCallId: 'call_abc', content: '{"temp":3}' },
        ],
      },
      callOptions(),
    );
    expect(textOf(parts)).toBe('The tool get_weather returned {"temp":3}.');
    expect(finishOf(parts)?.unified).toBe('stop');
  });

  it('sends images, audio and documents the way the provider reads them', async () => {
    const parts = await adapter().generate(
      {
        model: 'gpt-4o-mini',
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: 'what is this' },
              { type: 'image', data: 'iVBORw0KGgo=', mediaType: 'image/png' },
              { type: 'audio', data: 'UklGRg==', mediaType: 'audio/wav' },
              { type: 'file', data: 'JVBERi0=', mediaType: 'application/pdf', filename: 'doc.pdf' },
            ],
          },
        ],
      },
      callOptions(),
    );
    expect(textOf(parts)).toBe('You said: what is this I received 1 image(s), 1 audio clip(s), 1 file(s).');
  });

  it('reports cached prompt tokens when a long prefix repeats', async () => {
    const system = { role: 'system' as const, content: 'You are a meticulous assistant. '.repeat(200) };
    const first = await adapter().generate({ model: 'gpt-4o-mini', messages: [system, user('first question')] }, callOptions());
    const second = await adapter().generate({ model: 'gpt-4o-mini', messages: [system, user('second question')] }, callOptions());
    expect(usageOf(first)?.cachedInputTokens).toBe(0);
    expect(usageOf(second)?.cachedInputTokens).toBeGreaterThanOrEqual(1024);
    expect((usageOf(second)?.cachedInputTokens ?? 0) % 128).toBe(0);
  });

  it('puts a warning part first for a setting it could not send, and the provider accepts the rest', async () => {
    const parts = await collect(await adapter().stream({ model: 'o4-mini', messages: [user('hi')], temperature: 0.2, maxOutputTokens: 500 }, callOptions()));
    expect(parts[0]).toEqual({ type: 'warning', message: 'temperature is not supported by openai for o4-mini and was not sent.' });
    expect(finishOf(parts)?.unified).toBe('stop');
    expect(sim.requests.at(-1)?.body).toMatchObject({ max_completion_tokens: 500 });
  });
});

describe('DashScope thinking', () => {
  let dashscope: OpenAICompatibleSimulator;
  let dashscopeLink: InMemoryHttp;
  beforeAll(async () => {
    dashscope = await startOpenAICompatibleSimulator({ flavor: 'alibaba', listen: false });
    dashscopeLink = inMemoryHttp(dashscope);
  });
  afterAll(() => {
    dashscopeLink.close();
    return dashscope.close();
  });

  it('a non-streamed call with thinking on is streamed and collected, as DashScope requires', async () => {
    const alibaba = createTextAdapter('alibaba', { baseURL: dashscope.url, apiKey: () => dashscope.apiKey, fetch: dashscopeLink.fetch });
    const parts = await alibaba.generate({ model: 'qwen-plus', messages: [user('why is the sky blue')], reasoning: { effort: 'medium' } }, callOptions());
    expect(reasoningOf(parts)).not.toBe('');
    expect(textOf(parts)).toBe('You said: why is the sky blue');
    expect(dashscope.requests.at(-1)?.body).toMatchObject({ stream: true, enable_thinking: true });
  });

  it('thinking off is a plain non-streamed call', async () => {
    const alibaba = createTextAdapter('alibaba', { baseURL: dashscope.url, apiKey: () => dashscope.apiKey, fetch: dashscopeLink.fetch });
    const parts = await alibaba.generate({ model: 'qwen-plus', messages: [user('quick')], reasoning: { effort: 'none' } }, callOptions());
    expect(reasoningOf(parts)).toBe('');
    expect(dashscope.requests.at(-1)?.body).toMatchObject({ enable_thinking: false });
    expect(dashscope.requests.at(-1)?.body).not.toHaveProperty('stream');
  });
});
