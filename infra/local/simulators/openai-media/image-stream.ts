/**
 * GPT Image with `stream: true`: Server-Sent Events as OpenAI sends them. For each image, `partial_images`
 * `<kind>.partial_image` events (real PNGs of the full size, progressively painted), then `<kind>.completed`
 * with the finished PNG and its usage. No `[DONE]`: the stream simply ends.
 * Mid-stream faults (an `x-sim-fault` header or `SIM_FAULT=` in the prompt), after the first event:
 * `midstream-error` (an in-band `error` event), `midstream-drop` (the socket closes), `malformed` (a data line
 * that is not JSON), `truncate` (the stream ends before any image is finished); `chunk-delay:<ms>` paces events.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { faultSpecs, parseFaults } from '../openai-compatible/faults.ts';
import type { MediaContext } from './context.ts';
import { partialPromptPicture, promptPicture } from './encode/png.ts';
import { dimensions, imageUsage, reportedQuality, seedOf, type Resolved } from './images.ts';

type Kind = 'image_generation' | 'image_edit';

interface SimEvent {
  readonly type: string;
  readonly [field: string]: unknown;
}

const eventsOf = (request: Resolved, kind: Kind, overrun = 0): SimEvent[] => {
  const [width, height] = dimensions(request.size);
  const settings = { size: `${width}x${height}`, quality: reportedQuality(request), background: 'opaque', output_format: 'png' };
  const created_at = Math.floor(Date.now() / 1000);
  return Array.from({ length: request.n + overrun }, (_, i) => {
    const seed = seedOf(`${request.prompt}#${i}`);
    const partials = Array.from({ length: request.partialImages }, (_, index) => ({
      type: `${kind}.partial_image`,
      b64_json: partialPromptPicture(width, height, seed, index, request.partialImages).toString('base64'),
      partial_image_index: index,
      created_at,
      ...settings,
    }));
    const completed = { type: `${kind}.completed`, b64_json: promptPicture(width, height, seed).toString('base64'), created_at, ...settings, usage: imageUsage(request, 1, request.partialImages) };
    return [...partials, completed];
  }).flat();
};

const frame = (event: SimEvent): string => `event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;

export const streamImages = (context: MediaContext, request: Resolved, kind: Kind): void => {
  const { req, res } = context;
  const header = req.headers['x-sim-fault'];
  const faults = parseFaults(faultSpecs(typeof header === 'string' ? header : undefined, request.prompt, undefined));
  const events = eventsOf(request, kind, faults.overrun);
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', 'x-request-id': context.requestId });
  // After the first event, or before the only one.
  const faultAt = Math.min(1, events.length - 1);
  const run = async (): Promise<void> => {
    for (const [at, event] of events.entries()) {
      if (at > 0 && faults.chunkDelayMs) await delay(faults.chunkDelayMs);
      if (res.destroyed) return;
      if (at === faultAt) {
        if (faults.midstreamError) {
          res.end(`event: error\ndata: ${JSON.stringify({ type: 'error', error: { type: 'server_error', code: 'server_error', message: 'The image stream failed.', param: null } })}\n\n`);
          return;
        }
        if (faults.midstreamDrop) return void req.socket.destroy();
        if (faults.malformedChunk) return void res.end('event: image_generation.partial_image\ndata: {"type": "image_generation.partial_\n\n');
      }
      if (faults.truncate && event.type.endsWith('.completed')) break;
      // Flushed before the next step, so a fault after it really comes after it on the wire.
      await new Promise<void>((resolve) => res.write(frame(event), () => resolve()));
    }
    res.end();
  };
  run().catch(() => res.destroy());
};
