/**
 * `stream: true` on transcription: OpenAI's transcript events — `transcript.text.delta` {type, delta} as the
 * provider recognises text, then `transcript.text.done` {type, text, usage}. Models and providers that cannot
 * stream send the finished transcript as one delta, then done. Charged when done arrives, at the seconds the
 * unstreamed call charges; a stream that breaks before then charges nothing. A client that hangs up after
 * receiving text owes the call: the provider bills the whole audio however much of the transcript was read —
 * at the audio's length as far as the gateway knows it (exact for WAV), within the bound held for.
 */
import { UpstreamError } from '../../../layers/core/errors.ts';
import type { Measured } from '../../pricing/index.ts';
import { eventFrame } from '../../../layers/core/sse/encode.ts';
import { finishedTranscriptEvents } from '../../../layers/providers/transcript-events.ts';
import { audioDuration } from '../../../layers/core/media/formats/duration.ts';
import type { MediaModel } from '../model.ts';
import type { ServeStream } from '../paid.ts';
import type { MediaServices } from '../services.ts';
import type { TranscriptionCall } from './request.ts';
import { billedSeconds, toMilliseconds, transcriberFor, transcriptionRequest } from './serve.ts';

export const streamTranscription =
  (services: MediaServices, call: TranscriptionCall, model: MediaModel, boundSeconds: number): ServeStream =>
  async (options) => {
    const adapter = transcriberFor(services, model);
    const request = transcriptionRequest(call, model);
    const events = adapter.streamTranscription ? await adapter.streamTranscription(request, options) : finishedTranscriptEvents(await adapter.transcribe!(request, options));
    let charged: number | undefined;
    let delivered = false;

    async function* frames(): AsyncGenerator<string> {
      for await (const event of events) {
        if (event.type === 'delta') {
          if (event.text === '') continue;
          delivered = true;
          yield eventFrame('transcript.text.delta', { type: 'transcript.text.delta', delta: event.text });
          continue;
        }
        const seconds = billedSeconds(event.result, boundSeconds);
        charged = seconds;
        yield eventFrame('transcript.text.done', { type: 'transcript.text.done', text: event.result.text, usage: { type: 'duration', seconds: Math.ceil(seconds) } });
        return;
      }
      throw new UpstreamError(502, 'upstream_truncated', 'The provider ended the transcript stream before it was done.');
    }

    const heard = (): number => toMilliseconds(Math.min(audioDuration(call.file.data)?.seconds ?? boundSeconds, boundSeconds));
    const measured = (end?: 'abandoned'): readonly Measured[] =>
      charged !== undefined ? [{ kind: 'audio_minutes', seconds: charged }] : end === 'abandoned' && delivered ? [{ kind: 'audio_minutes', seconds: heard() }] : [];
    return { frames: frames(), measured };
  };
