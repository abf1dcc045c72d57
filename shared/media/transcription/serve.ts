/**
 * Transcription, billed per minute of audio. Before the call the duration is bounded: exactly for WAV (its
 * PCM size fixes it), else by the file's size at the lowest bit rate any speech codec uses. After it, the
 * provider's duration is charged, capped at that bound, so the charge never exceeds the hold.
 */
import type { MediaAdapter, TranscriptionRequest, TranscriptionResult } from '../../../layers/providers/media-types.ts';
import { UpstreamError } from '../../../layers/core/errors.ts';
import type { HttpRequest } from '../../http/request.ts';
import { AUDIO_MIN_BYTES_PER_SECOND } from '../../pricing/index.ts';
import { audioDuration } from '../../../layers/core/media/formats/duration.ts';
import { resolveMediaModel, type MediaModel } from '../model.ts';
import type { Serve } from '../paid.ts';
import { priceMedia } from '../price.ts';
import type { MediaServices } from '../services.ts';
import { transcriptAnswer } from './respond.ts';
import type { TranscriptionCall } from './request.ts';

/** Milliseconds are the receipt's resolution; rounding down keeps the charge within the bound. */
export const toMilliseconds = (seconds: number): number => Math.floor(seconds * 1000) / 1000;

/** `model` is resolved before an upload is looked up (a wrong model is a 400 before any S3 read). */
export const prepareTranscription = (http: HttpRequest, call: TranscriptionCall, model: MediaModel = resolveMediaModel(call.model, call.provider, 'transcription')) => {
  // An upload is known by its first bytes and its size: enough for WAV's exact length and for the size bound.
  const declared = audioDuration(call.file.data);
  const exact = declared?.exact ? declared.seconds : undefined;
  const boundSeconds = exact ?? call.file.data.byteLength / AUDIO_MIN_BYTES_PER_SECOND;
  const price = priceMedia(http, model, {
    quote: exact !== undefined ? { kind: 'audio_minutes', seconds: exact } : { kind: 'audio_minutes', bytes: call.file.data.byteLength },
    metered: true,
    description: `Transcription with ${model.publicId}`,
  });
  return { call, model, price, boundSeconds };
};

export const transcriptionRequest = (call: TranscriptionCall, model: MediaModel): TranscriptionRequest => ({
  model: model.wireModel,
  file: call.file,
  ...(call.language ? { language: call.language } : {}),
  ...(call.prompt ? { prompt: call.prompt } : {}),
});

export const transcriberFor = (services: MediaServices, model: MediaModel): MediaAdapter => {
  const adapter = services.adapterFor(model.provider);
  if (!adapter.transcribe) throw new UpstreamError(503, 'provider_not_configured', `The ${model.provider} provider does not serve transcription on this gateway.`);
  return adapter;
};

/** The seconds charged for a result: the provider's duration, within the bound held for. */
export const billedSeconds = (result: TranscriptionResult, boundSeconds: number): number => toMilliseconds(Math.min(Math.max(0, result.durationSeconds), boundSeconds));

export const serveTranscription =
  (services: MediaServices, call: TranscriptionCall, model: MediaModel, boundSeconds: number): Serve =>
  async (options) => {
    const result = await transcriberFor(services, model).transcribe!(transcriptionRequest(call, model), options);
    const seconds = billedSeconds(result, boundSeconds);
    return { answer: transcriptAnswer(call.format, result, seconds), measured: [{ kind: 'audio_minutes', seconds }] };
  };
