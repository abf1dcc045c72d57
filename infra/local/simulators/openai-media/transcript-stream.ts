/**
 * GPT-4o transcribe with `stream: true`: Server-Sent Events as OpenAI sends them — the transcript word by
 * word as `transcript.text.delta`, then `transcript.text.done` with the whole text and its token usage. No
 * `[DONE]`: the stream simply ends. Mid-stream faults (an `x-sim-fault` header or `SIM_FAULT=` in the
 * prompt), after the first delta: `midstream-error` (an in-band `error` event), `midstream-drop` (the socket
 * closes), `malformed` (a data line that is not JSON), `truncate` (the stream ends before `done`);
 * `chunk-delay:<ms>` paces the events.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { faultSpecs, parseFaults } from '../openai-compatible/faults.ts';
import type { MediaContext } from './context.ts';

const frame = (event: Record<string, unknown> & { type: string }): string => `event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;

export const streamTranscript = (context: MediaContext, text: string, usage: Record<string, unknown>, prompt: string | undefined): void => {
  const { req, res } = context;
  const header = req.headers['x-sim-fault'];
  const faults = parseFaults(faultSpecs(typeof header === 'string' ? header : undefined, prompt ?? '', undefined));
  // Each word with the space before it, so the deltas concatenate to the text.
  const deltas = text.match(/\s*\S+/g) ?? [];
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', 'x-request-id': context.requestId });
  const write = (chunk: string): Promise<void> => new Promise<void>((resolve) => res.write(chunk, () => resolve()));
  const run = async (): Promise<void> => {
    for (const [at, delta] of deltas.entries()) {
      if (at > 0 && faults.chunkDelayMs) await delay(faults.chunkDelayMs);
      if (res.destroyed) return;
      if (at === 1) {
        if (faults.midstreamError) {
          res.end(`event: error\ndata: ${JSON.stringify({ type: 'error', error: { type: 'server_error', code: 'server_error', message: 'The transcript stream failed.', param: null } })}\n\n`);
          return;
        }
        if (faults.midstreamDrop) return void req.socket.destroy();
        if (faults.malformedChunk) return void res.end('event: transcript.text.delta\ndata: {"type": "transcript.text.\n\n');
      }
      await write(frame({ type: 'transcript.text.delta', delta }));
    }
    if (faults.truncate) return void res.end();
    if (faults.chunkDelayMs) await delay(faults.chunkDelayMs);
    if (res.destroyed) return;
    await write(frame({ type: 'transcript.text.done', text, usage }));
    res.end();
  };
  run().catch(() => res.destroy());
};
