/**
 * Canonical request → Chat Completions body, per provider profile: messages and attachments, tools,
 * response formats, reasoning, token limits, pass-through extras, and warnings for what cannot be sent.
 */
import { describe, expect, it } from 'vitest';
import { alibabaProfile } from '../../layers/providers/alibaba/profile.ts';
import { azureProfile } from '../../layers/providers/azure/profile.ts';
import { cloudflareProfile } from '../../layers/providers/cloudflare/profile.ts';
import { aimlProfile } from '../../layers/providers/aiml/profile.ts';
import { asicloudProfile } from '../../layers/providers/asicloud/profile.ts';
import { fireworksProfile } from '../../layers/providers/fireworks/profile.ts';
import { huggingfaceProfile } from '../../layers/providers/huggingface/profile.ts';
import { chatRequestSchema } from '../../layers/providers/openai-compatible/chat-request-schema.ts';
import { mapFinishReason } from '../../layers/providers/openai-compatible/finish-reason.ts';
import { buildChatBody } from '../../layers/providers/openai-compatible/request-body.ts';
import { convertUsage } from '../../layers/providers/openai-compatible/usage.ts';
import { openaiProfile } from '../../layers/providers/openai/profile.ts';
import type { CanonicalRequest } from '../../layers/providers/types.ts';
import { InvalidRequestError } from '../../layers/core/errors.ts';
import { resolveTextModel } from '../../shared/inference/resolve.ts';
import { user, WEATHER_PARAMETERS } from '../support/providers-openai-compatible.ts';

const request = (overrides: Partial<CanonicalRequest> = {}): CanonicalRequest => ({ model: 'gpt-4o', messages: [user('hi')], ...overrides });

describe('messages', () => {
  it('sends a lone text part as a string and mixed content as parts, images as image_url', () => {
    const { body } = buildChatBody(
      request({
        messages: [
          user('plain'),
          {
            role: 'user',
            content: [
              { type: 'text', text: 'look' },
              { type: 'image', data: 'iVBORw0KGgo=', mediaType: 'image/png', detail: 'low' },
              { type: 'image', url: 'https://example.com/cat.jpg' },
            ],
          },
        ],
      }),
      openaiProfile,
      false,
    );
    expect(body['messages']).toEqual([
      { role: 'user', content: 'plain' },
      {
        role: 'user',
        content: [
          { type: 'text', text: 'look' },
          { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=', detail: 'low' } },
          { type: 'image_url', image_url: { url: 'https://example.com/cat.jpg' } },
        ],
      },
    ]);
    expect(chatRequestSchema.safeParse(body).success).toBe(true);
  });

  it('sends audio as input_audio and documents as file parts where the provider takes them', () => {
    const { body } = buildChatBody(
      request({
        messages: [
          {
            role: 'user',
            content: [
              { type: 'audio', data: 'UklGR', mediaType: 'audio/wav' },
              { type: 'file', data: 'JVBERi0=', mediaType: 'application/pdf', filename: 'a.pdf' },
            ],
          },
        ],
      }),
      openaiProfile,
      false,
    );
    expect(body['messages']).toEqual([
      {
        role: 'user',
        content: [
          { type: 'input_audio', input_audio: { data: 'UklGR', format: 'wav' } },
          { type: 'file', file: { filename: 'a.pdf', file_data: 'data:application/pdf;base64,JVBERi0=' } },
        ],
      },
    ]);
  });

  it('reads text files as text for every provider', () => {
    const { body } = buildChatBody(
      request({ messages: [{ role: 'user', content: [{ type: 'file', data: Buffer.from('hello file').toString('base64'), mediaType: 'text/plain' }] }] }),
      fireworksProfile,
      false,
    );
    expect(body['messages']).toEqual([{ role: 'user', content: 'hello file' }]);
  });

  it('refuses content the provider cannot take instead of dropping it', () => {
    const audio = request({ messages: [{ role: 'user', content: [{ type: 'audio', data: 'x', mediaType: 'audio/wav' }] }] });
    expect(() => buildChatBody(audio, fireworksProfile, false)).toThrow(InvalidRequestError);
    const ogg = request({ messages: [{ role: 'user', content: [{ type: 'audio', data: 'x', mediaType: 'audio/ogg' }] }] });
    expect(() => buildChatBody(ogg, openaiProfile, false)).toThrow(/wav or mp3/);
    const pdfUrl = request({ messages: [{ role: 'user', content: [{ type: 'file', url: 'https://x.test/a.pdf', mediaType: 'application/pdf' }] }] });
    expect(() => buildChatBody(pdfUrl, openaiProfile, false)).toThrow(/file data/);
  });

  it('carries tool calls and tool results, and maps developer to system where there is no developer role', () => {
    const messages: CanonicalRequest['messages'] = [
      { role: 'developer', content: 'be brief' },
      user('weather?'),
      { role: 'assistant', content: null, reasoning: 'thinking', toolCalls: [{ id: 'call_1', name: 'get_weather', arguments: '{"city":"Paris"}' }] },
      { role: 'tool', toolCallId: 'call_1', content: '{"temp":20}' },
    ];
    const openai = buildChatBody(request({ messages }), openaiProfile, false).body;
    const fireworks = buildChatBody(request({ model: 'accounts/fireworks/models/x', messages }), fireworksProfile, false).body;
    expect(openai['messages']).toEqual([
      { role: 'developer', content: 'be brief' },
      { role: 'user', content: 'weather?' },
      { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }] },
      { role: 'tool', tool_call_id: 'call_1', content: '{"temp":20}' },
    ]);
    expect((fireworks['messages'] as { role: string }[])[0]?.role).toBe('system');
  });
});

describe('settings', () => {
  it('maps tools, tool choice, parallel calls, response format and sampling settings', () => {
    const { body, warnings } = buildChatBody(
      request({
        tools: [{ type: 'function', name: 'get_weather', description: 'Weather', parameters: WEATHER_PARAMETERS, strict: true }],
        toolChoice: { type: 'function', name: 'get_weather' },
        parallelToolCalls: false,
        responseFormat: { type: 'json_schema', name: 'out', schema: { type: 'object' }, strict: true },
        temperature: 0.2,
        topP: 0.9,
        stop: ['END'],
        seed: 7,
        maxOutputTokens: 100,
        user: 'u1',
      }),
      openaiProfile,
      false,
    );
    expect(warnings).toEqual([]);
    expect(body).toMatchObject({
      tools: [{ type: 'function', function: { name: 'get_weather', description: 'Weather', parameters: WEATHER_PARAMETERS, strict: true } }],
      tool_choice: { type: 'function', function: { name: 'get_weather' } },
      parallel_tool_calls: false,
      response_format: { type: 'json_schema', json_schema: { name: 'out', schema: { type: 'object' }, strict: true } },
      temperature: 0.2,
      top_p: 0.9,
      stop: ['END'],
      seed: 7,
      max_completion_tokens: 100,
      user: 'u1',
    });
    expect(body).not.toHaveProperty('stream');
    expect(body).not.toHaveProperty('stream_options');
  });

  it('always asks for usage on streams', () => {
    const { body } = buildChatBody(request(), fireworksProfile, true);
    expect(body).toMatchObject({ stream: true, stream_options: { include_usage: true } });
  });

  it('uses max_tokens where the provider expects it', () => {
    expect(buildChatBody(request({ maxOutputTokens: 50 }), cloudflareProfile, false).body).toMatchObject({ max_tokens: 50 });
    expect(buildChatBody(request({ model: 'o3', maxOutputTokens: 50 }), azureProfile, false).body).toMatchObject({ max_completion_tokens: 50 });
  });

  it('warns about tool_choice without tools instead of sending an invalid body', () => {
    const { body, warnings } = buildChatBody(request({ toolChoice: 'required' }), openaiProfile, false);
    expect(body).not.toHaveProperty('tool_choice');
    expect(warnings).toEqual(['tool_choice was ignored: no tools were given.']);
  });

  it('removes settings a model rejects, with a warning for each', () => {
    const reasoning = buildChatBody(request({ model: 'o3-mini', temperature: 0.3, topP: 0.5, reasoning: { effort: 'high' } }), openaiProfile, false);
    expect(reasoning.body).toMatchObject({ reasoning_effort: 'high' });
    expect(reasoning.body).not.toHaveProperty('temperature');
    expect(reasoning.warnings).toEqual([
      'temperature is not supported by openai for o3-mini and was not sent.',
      'top_p is not supported by openai for o3-mini and was not sent.',
    ]);
    const plain = buildChatBody(request({ model: 'gpt-4o', reasoning: { effort: 'low' } }), openaiProfile, false);
    expect(plain.body).not.toHaveProperty('reasoning_effort');
    expect(plain.warnings).toHaveLength(1);
  });

  it.each([azureProfile, fireworksProfile, aimlProfile, huggingfaceProfile, cloudflareProfile, asicloudProfile])(
    'drops reasoning_effort with a warning on $provider when the catalog does not mark the model as reasoning',
    (profile) => {
      const plain = buildChatBody(request({ model: 'plain-model', reasoning: { effort: 'high' }, reasoningModel: false }), profile, false);
      expect(plain.body).not.toHaveProperty('reasoning_effort');
      expect(plain.warnings).toEqual(['reasoning_effort is not supported by plain-model, which is not a reasoning model, and was not sent.']);
      const thinking = buildChatBody(request({ model: 'thinking-model', reasoning: { effort: 'high' }, reasoningModel: true }), profile, false);
      expect(thinking.body).toMatchObject({ reasoning_effort: 'high' });
      expect(thinking.warnings).toEqual([]);
    },
  );

  it('takes whether a model reasons from the catalog row the gateway resolved', () => {
    expect(resolveTextModel('gpt-4o', 'azure').reasoning).toBe(false);
    expect(resolveTextModel('deepseek-ai/DeepSeek-R1-0528', 'hugging face').reasoning).toBe(true);
  });

  it('turns reasoning into enable_thinking for DashScope', () => {
    expect(buildChatBody(request({ model: 'qwen-plus', reasoning: { effort: 'medium' } }), alibabaProfile, true).body).toMatchObject({ enable_thinking: true });
    expect(buildChatBody(request({ model: 'qwen-plus', reasoning: { effort: 'none' } }), alibabaProfile, true).body).toMatchObject({ enable_thinking: false });
    expect(buildChatBody(request({ model: 'qwen-plus', reasoning: { effort: 'high' } }), alibabaProfile, true).body).not.toHaveProperty('reasoning_effort');
  });

  it('warns that a reasoning summary cannot be requested through Chat Completions', () => {
    expect(buildChatBody(request({ model: 'o3', reasoning: { summary: 'auto' } }), openaiProfile, false).warnings).toHaveLength(1);
  });

  it('passes provider extras through, but never over the fields the gateway owns', () => {
    const { body, warnings } = buildChatBody(
      request({ temperature: 0.5, extra: { top_k: 40, thinking_budget: 512, stream: false, temperature: 2, n: 3 } }),
      alibabaProfile,
      true,
    );
    expect(body).toMatchObject({ top_k: 40, thinking_budget: 512, stream: true, temperature: 0.5 });
    expect(body).not.toHaveProperty('n');
    expect(warnings).toHaveLength(3);
  });

  it('falls back to json_object, with a warning, where json_schema is unsupported', () => {
    const profile = { ...fireworksProfile, supports: { ...fireworksProfile.supports, jsonSchema: false } };
    const { body, warnings } = buildChatBody(request({ responseFormat: { type: 'json_schema', name: 'x', schema: {} } }), profile, false);
    expect(body['response_format']).toEqual({ type: 'json_object' });
    expect(warnings).toHaveLength(1);
  });
});

describe('finish reasons and usage', () => {
  it('keeps the raw finish reason next to the unified one', () => {
    expect(mapFinishReason('stop')).toEqual({ unified: 'stop', raw: 'stop' });
    expect(mapFinishReason('length')).toEqual({ unified: 'length', raw: 'length' });
    expect(mapFinishReason('tool_calls')).toEqual({ unified: 'tool_calls', raw: 'tool_calls' });
    expect(mapFinishReason('function_call')).toEqual({ unified: 'tool_calls', raw: 'function_call' });
    expect(mapFinishReason('content_filter')).toEqual({ unified: 'content_filter', raw: 'content_filter' });
    expect(mapFinishReason('eos_token')).toEqual({ unified: 'stop', raw: 'eos_token' });
    expect(mapFinishReason('something_new')).toEqual({ unified: 'other', raw: 'something_new' });
  });

  it('reads cached input and reasoning output tokens', () => {
    expect(
      convertUsage({ prompt_tokens: 2000, completion_tokens: 300, total_tokens: 2300, prompt_tokens_details: { cached_tokens: 1920 }, completion_tokens_details: { reasoning_tokens: 256 } }),
    ).toEqual({ inputTokens: 2000, outputTokens: 300, totalTokens: 2300, cachedInputTokens: 1920, reasoningTokens: 256 });
    expect(convertUsage({ prompt_tokens: 5, completion_tokens: 2 })).toEqual({ inputTokens: 5, outputTokens: 2, totalTokens: 7 });
  });
});
