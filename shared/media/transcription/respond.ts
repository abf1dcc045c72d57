/**
 * A transcript in the format the client asked for, built from the provider's canonical result. Providers that
 * give no segments get one segment spanning the whole audio, so `srt`, `vtt` and `verbose_json` always work.
 */
import type { TranscriptionResult, TranscriptionSegment } from '../../../layers/providers/media-types.ts';
import { receiptedJsonAnswer, textAnswer, type MediaAnswer } from '../answer.ts';
import type { TranscriptFormat } from './request.ts';
import { renderSrt, renderVtt } from './subtitles.ts';

const segmentsOf = (result: TranscriptionResult, duration: number): readonly TranscriptionSegment[] =>
  result.segments?.length ? result.segments : [{ start: 0, end: duration, text: result.text }];

/** `billedSeconds` is what the receipt charges; `usage.seconds` reports it rounded up, as OpenAI does. */
export const transcriptAnswer = (format: TranscriptFormat, result: TranscriptionResult, billedSeconds: number, task: 'transcribe' | 'translate' = 'transcribe'): MediaAnswer => {
  const usage = { type: 'duration', seconds: Math.ceil(billedSeconds) };
  switch (format) {
    case 'text':
      return textAnswer(`${result.text}\n`);
    case 'srt':
      return textAnswer(renderSrt(segmentsOf(result, billedSeconds)));
    case 'vtt':
      return textAnswer(renderVtt(segmentsOf(result, billedSeconds)));
    case 'verbose_json':
      return receiptedJsonAnswer({
        task,
        language: result.language ?? 'unknown',
        duration: billedSeconds,
        text: result.text,
        segments: segmentsOf(result, billedSeconds).map((s, id) => ({ id, seek: 0, start: s.start, end: s.end, text: s.text, tokens: [], temperature: 0, avg_logprob: 0, compression_ratio: 0, no_speech_prob: 0 })),
        usage,
      });
    case 'json':
      return receiptedJsonAnswer({ text: result.text, usage });
  }
};
