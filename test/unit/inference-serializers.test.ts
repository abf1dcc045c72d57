import { describe, expect, it } from 'vitest';
import type { StreamPart } from '../../layers/providers/types.ts';
import { createChatChunkSerializer } from '../../shared/inference/chat/serialize.ts';
import { createResponsesEventSerializer } from '../../shared/inference/responses/serialize.ts';

const events = (frames: string[]) =>
  frames.map((f) => {
    const data = f.split('\n').find((l) => l.startsWith('data: '))!.slice(6);
    return JSON.parse(data) as Record<string, any>;
  });

const parts: StreamPart[] = [
  { type: 'reasoning-delta', delta: 'Thinking' },
  { type: 'text-delta', delta: 'Hel' },
  { type: 'text-delta', delta: 'lo' },
  { type: 'tool-call-delta', index: 0, id: 'call_1', name: 'lookup', argumentsDelta: '{"q":' },
  { type: 'tool-call-delta', index: 0, argumentsDelta: '"x"}' },
  { type: 'usage', usage: { inputTokens: 5, outputTokens: 7, cachedInputTokens: 2, reasoningTokens: 3 } },
  { type: 'finish', finishReason: { unified: 'tool_calls', raw: 'tool_calls' } },
];

describe('Chat Completions chunk serializer', () => {
  const identity = { id: 'chatcmpl_1', created: 1, model: 'gpt-test' };

  it('opens with the assistant role, streams content, reasoning and tool-call deltas, then the finish chunk', () => {
    const s = createChatChunkSerializer(identity, false);
    const chunks = events(parts.flatMap((p) => s.part(p)));
    expect(chunks[0]!.choices[0].delta).toEqual({ role: 'assistant', reasoning_content: 'Thinking' });
    expect(chunks.map((c) => c.choices[0].delta.content).filter(Boolean).join('')).toBe('Hello');
    expect(chunks[3]!.choices[0].delta.tool_calls[0]).toEqual({ index: 0, id: 'call_1', type: 'function', function: { name: 'lookup', arguments: '{"q":' } });
    expect(chunks[4]!.choices[0].delta.tool_calls[0]).toEqual({ index: 0, function: { arguments: '"x"}' } });
    expect(chunks.at(-1)!.choices[0].finish_reason).toBe('tool_calls');
    expect(chunks.every((c) => c.object === 'chat.completion.chunk' && c.id === 'chatcmpl_1')).toBe(true);
  });

  it('writes each chunk as exactly the JSON of OpenAI\'s chunk object, in its key order, whatever the text holds', () => {
    const awkward = { id: 'chatcmpl_"1"', created: 1_765_000_000, model: 'org/model\u2028x' };
    const s = createChatChunkSerializer(awkward, false);
    const text = 'quote " backslash \\ newline \n tab \t nul \u0000 emoji 😀 lone \ud800 end';
    const frames = [
      ...s.part({ type: 'text-delta', delta: text }),
      ...s.part({ type: 'reasoning-delta', delta: '' }),
      ...s.part({ type: 'tool-call-delta', index: 1, id: 'call_x', name: 'f', argumentsDelta: '{"a":1}' }),
      ...s.part({ type: 'finish', finishReason: { unified: 'length', raw: 'length' } }),
    ];
    const ordered = (delta: object, finish_reason: string | null = null) =>
      `data: ${JSON.stringify({ id: awkward.id, object: 'chat.completion.chunk', created: awkward.created, model: awkward.model, choices: [{ index: 0, delta, logprobs: null, finish_reason }] })}\n\n`;
    expect(frames).toEqual([
      ordered({ role: 'assistant', content: text }),
      ordered({ reasoning_content: '' }),
      ordered({ tool_calls: [{ index: 1, id: 'call_x', type: 'function', function: { name: 'f', arguments: '{"a":1}' } }] }),
      ordered({}, 'length'),
    ]);
    // A finish with nothing before it still opens with the role.
    expect(createChatChunkSerializer(awkward, false).part({ type: 'finish', finishReason: { unified: 'stop', raw: 'stop' } })).toEqual([ordered({ role: 'assistant' }, 'stop')]);
  });

  it('sends usage last, with no choices, only when the client asked for it', () => {
    const asked = createChatChunkSerializer(identity, true);
    for (const p of parts) asked.part(p);
    const [usage] = events(asked.end());
    expect(usage).toMatchObject({ choices: [], usage: { prompt_tokens: 5, completion_tokens: 7, total_tokens: 12 } });
    expect(usage!.usage.prompt_tokens_details.cached_tokens).toBe(2);
    expect(usage!.usage.completion_tokens_details.reasoning_tokens).toBe(3);

    const notAsked = createChatChunkSerializer(identity, false);
    for (const p of parts) notAsked.part(p);
    expect(notAsked.end()).toEqual([]);
  });
});

describe('Responses event serializer', () => {
  const base = { id: 'resp_1', created_at: 1, model: 'gpt-test' };

  it('writes text deltas as exactly the JSON of OpenAI\'s event objects, numbered in sequence, whatever the text holds', () => {
    const s = createResponsesEventSerializer(base);
    const awkward = 'quote " backslash \\ newline \n nul \u0000 emoji 😀 lone \ud800';
    const frames = [...s.start!(), ...s.part({ type: 'reasoning-delta', delta: awkward }), ...s.part({ type: 'text-delta', delta: awkward }), ...s.part({ type: 'text-delta', delta: '' })];
    const parsed = events(frames);
    const reasoningId = parsed.find((e) => e.type === 'response.output_item.added')!.item.id;
    const messageId = parsed.filter((e) => e.type === 'response.output_item.added')[1]!.item.id;
    const event = (type: string, payload: object) => `event: ${type}\ndata: ${JSON.stringify({ type, ...payload })}\n\n`;
    const at = (type: string, n = 0) => frames.filter((f) => f.startsWith(`event: ${type}\n`))[n];
    expect(at('response.reasoning_summary_text.delta')).toBe(
      event('response.reasoning_summary_text.delta', { sequence_number: 4, item_id: reasoningId, output_index: 0, summary_index: 0, delta: awkward }),
    );
    expect(at('response.output_text.delta')).toBe(
      event('response.output_text.delta', { sequence_number: 10, item_id: messageId, output_index: 1, content_index: 0, delta: awkward, logprobs: [] }),
    );
    expect(at('response.output_text.delta', 1)).toBe(
      event('response.output_text.delta', { sequence_number: 11, item_id: messageId, output_index: 1, content_index: 0, delta: '', logprobs: [] }),
    );
    expect(parsed.map((e) => e.sequence_number)).toEqual(parsed.map((_, i) => i));
  });

  it('emits the OpenAI event order for reasoning, text and a function call, numbered in sequence', () => {
    const s = createResponsesEventSerializer(base);
    const all = events([...s.start!(), ...parts.flatMap((p) => s.part(p)), ...s.end()]);
    expect(all.map((e) => e.type)).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.reasoning_summary_part.added',
      'response.reasoning_summary_text.delta',
      'response.reasoning_summary_text.done',
      'response.reasoning_summary_part.done',
      'response.output_item.done',
      'response.output_item.added',
      'response.content_part.added',
      'response.output_text.delta',
      'response.output_text.delta',
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.output_item.added',
      'response.function_call_arguments.delta',
      'response.function_call_arguments.delta',
      'response.function_call_arguments.done',
      'response.output_item.done',
      'response.completed',
    ]);
    expect(all.map((e) => e.sequence_number)).toEqual(all.map((_, i) => i));
    const done = all.at(-1)!.response;
    expect(done.status).toBe('completed');
    expect(done.output.map((o: any) => o.type)).toEqual(['reasoning', 'message', 'function_call']);
    expect(done.output[1].content[0].text).toBe('Hello');
    expect(done.output[2]).toMatchObject({ call_id: 'call_1', name: 'lookup', arguments: '{"q":"x"}' });
    expect(done.usage).toMatchObject({ input_tokens: 5, output_tokens: 7, total_tokens: 12 });
    // Items in the final object carry the ids the stream announced.
    const added = all.filter((e) => e.type === 'response.output_item.added').map((e) => e.item.id);
    expect(done.output.map((o: any) => o.id)).toEqual(added);
  });

  it('ends with response.incomplete when the model hit its token limit', () => {
    const s = createResponsesEventSerializer(base);
    s.part({ type: 'text-delta', delta: 'cut' });
    s.part({ type: 'finish', finishReason: { unified: 'length' } });
    const last = events(s.end()).at(-1)!;
    expect(last.type).toBe('response.incomplete');
    expect(last.response.incomplete_details).toEqual({ reason: 'max_output_tokens' });
  });

  it('ends with response.failed carrying the error when the upstream failed', () => {
    const s = createResponsesEventSerializer(base);
    s.part({ type: 'text-delta', delta: 'partial' });
    s.part({ type: 'error', error: { code: 'upstream_stream_error', message: 'boom' } });
    const last = events(s.end()).at(-1)!;
    expect(last.type).toBe('response.failed');
    expect(last.response.error).toEqual({ code: 'upstream_stream_error', message: 'boom' });
  });

  it('still produces one (empty) message item when the model said nothing', () => {
    const s = createResponsesEventSerializer(base);
    s.part({ type: 'finish', finishReason: { unified: 'stop' } });
    const all = events(s.end());
    expect(all.at(-1)!.response.output).toHaveLength(1);
    expect(all.at(-1)!.response.output[0].type).toBe('message');
  });
});
