/**
 * `stream_format: sse` on speech: the provider's audio, as it arrives, in OpenAI's speech events —
 * `speech.audio.delta` {type, audio} (base64 of the next bytes of the asked format) for each chunk, then
 * `speech.audio.done` {type}. Any speech model streams this way: the gateway frames the provider's audio
 * stream itself. The price is known before the call (characters); it is charged when the audio is done, and a
 * stream that breaks before then charges nothing. A client that hangs up after receiving audio owes the whole
 * price: the provider bills every character of the input however much of the audio was listened to.
 */
import { UpstreamError } from '../../../layers/core/errors.ts';
import { eventFrame } from '../../../layers/core/sse/encode.ts';
import type { MediaModel } from '../model.ts';
import type { ServeStream } from '../paid.ts';
import type { MediaServices } from '../services.ts';
import { MEDIA_LIMITS } from '../../../layers/core/media/limits.ts';
import type { SpeechCall } from './request.ts';
import { speakWith } from './serve.ts';

const base64 = (chunk: Uint8Array): string => Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength).toString('base64');

export const streamSpeech =
  (services: MediaServices, call: SpeechCall, model: MediaModel, characters: number): ServeStream =>
  async (options) => {
    const { audio } = await speakWith(services, call, model, options);
    let done = false;
    let delivered = false;

    async function* frames(): AsyncGenerator<string> {
      let size = 0;
      for await (const chunk of audio) {
        if (chunk.byteLength === 0) continue;
        size += chunk.byteLength;
        if (size > MEDIA_LIMITS.speechOutputBytes) throw new UpstreamError(502, 'upstream_invalid_response', 'The provider returned more audio than the gateway serves in one answer.');
        delivered = true;
        yield eventFrame('speech.audio.delta', { type: 'speech.audio.delta', audio: base64(chunk) });
      }
      if (size === 0) throw new UpstreamError(502, 'upstream_invalid_response', 'The provider returned no audio.');
      done = true;
      yield eventFrame('speech.audio.done', { type: 'speech.audio.done' });
    }

    return { frames: frames(), measured: (end) => (done || (end === 'abandoned' && delivered) ? [{ kind: 'characters', characters }] : []) };
  };
