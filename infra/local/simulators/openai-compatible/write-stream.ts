/**
 * Writes a reply as a Chat Completions SSE stream with the real framing: role chunk, reasoning and content
 * deltas, tool-call deltas (id and name first, then argument fragments), the finish chunk, a usage chunk with
 * empty choices when `include_usage`, then `data: [DONE]`. Mid-stream faults are applied here.
 */
import type { ServerResponse } from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';
import { azurePromptFilterChunk, chunkBody, fragments, pieces, usageChunkBody, type ResponseIdentity, type SimUsage } from './build-responses.ts';
import type { Reply } from './compose-reply.ts';
import type { Faults } from './faults.ts';
import { midstreamErrorBody } from './sim-error.ts';

type Frame = { readonly data: string } | { readonly fault: 'error' | 'drop' | 'truncate' | 'malformed' };

const frame = (body: unknown): Frame => ({ data: `data: ${JSON.stringify(body)}\n\n` });

const planFrames = (identity: ResponseIdentity, reply: Reply, usage: SimUsage, includeUsage: boolean, faults: Faults): Frame[] => {
  const chunk = (delta: Record<string, unknown>, finish: string | null = null): Frame => frame(chunkBody(identity, delta, finish, includeUsage));
  const content = reply.content === null ? [] : reply.content.startsWith('{') || reply.content.startsWith('[') ? fragments(reply.content, 16) : pieces(reply.content, faults.chunks);
  const body: Frame[] = [
    ...pieces(reply.reasoning).map((piece) => chunk({ reasoning_content: piece })),
    ...content.map((piece) => chunk({ content: piece })),
    ...reply.toolCalls.flatMap((call, index) => [
      chunk({ tool_calls: [{ index, id: call.id, type: 'function', function: { name: call.name, arguments: '' } }] }),
      ...fragments(call.arguments).map((piece) => chunk({ tool_calls: [{ index, function: { arguments: piece } }] })),
    ]),
  ];
  // Faults strike halfway through the body (after at least one delta), where they hurt the most.
  const middle = Math.max(1, Math.ceil(body.length / 2));
  if (faults.contentFilterFinish) return [chunk({ role: 'assistant', content: '' }), ...body.slice(0, middle), chunk({}, 'content_filter'), ...tail(identity, usage, includeUsage)];
  if (faults.malformedChunk) body.splice(1, 0, { fault: 'malformed' });
  const midstream = faults.midstreamError ? 'error' : faults.midstreamDrop ? 'drop' : faults.truncate ? 'truncate' : undefined;
  if (midstream !== undefined) return [chunk({ role: 'assistant', content: '' }), ...body.slice(0, middle), { fault: midstream }];
  return [
    ...(identity.azure ? [frame(azurePromptFilterChunk())] : []),
    chunk({ role: 'assistant', content: reply.content === null ? null : '' }),
    ...body,
    chunk({}, reply.finishReason),
    ...tail(identity, usage, includeUsage),
  ];
};

const tail = (identity: ResponseIdentity, usage: SimUsage, includeUsage: boolean): Frame[] => [
  ...(includeUsage ? [frame(usageChunkBody(identity, usage))] : []),
  { data: 'data: [DONE]\n\n' },
];

/** Resolves once the text is handed to the socket (so a later fault cannot discard it), or the client left. */
const write = (res: ServerResponse, text: string): Promise<void> =>
  new Promise((resolve) => {
    const done = (): void => {
      res.off('close', done);
      resolve();
    };
    res.once('close', done);
    res.write(text, done);
  });

export const writeStream = async (res: ServerResponse, identity: ResponseIdentity, reply: Reply, usage: SimUsage, includeUsage: boolean, faults: Faults): Promise<void> => {
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-request-id': identity.id });
  for (const [index, item] of planFrames(identity, reply, usage, includeUsage, faults).entries()) {
    if (res.destroyed) return;
    if (index > 0 && faults.chunkDelayMs) await delay(faults.chunkDelayMs);
    if ('data' in item) await write(res, item.data);
    else if (item.fault === 'malformed') await write(res, 'data: {"id": "chatcmpl-broken", "choices": [{"delta": {"content": "unterminated\n\n');
    else if (item.fault === 'error') await write(res, `data: ${JSON.stringify(midstreamErrorBody)}\n\n`);
    else if (item.fault === 'drop') {
      res.destroy();
      return;
    }
    // 'truncate' simply ends the body: no finish chunk, no [DONE].
  }
  res.end();
};
