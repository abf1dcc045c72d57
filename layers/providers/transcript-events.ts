/**
 * A finished transcript as stream events: how a transcription is streamed where the provider (or the model)
 * cannot stream it — the whole text as one delta, then done. Nothing finer-grained is invented.
 */
import type { TranscriptionResult, TranscriptStreamEvent } from './media-types.ts';

export async function* finishedTranscriptEvents(result: TranscriptionResult): AsyncGenerator<TranscriptStreamEvent> {
  yield { type: 'delta', text: result.text };
  yield { type: 'done', result };
}
