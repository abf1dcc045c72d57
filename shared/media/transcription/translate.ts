/**
 * POST /v1/audio/translations: speech in any language to English text, OpenAI's Whisper endpoint (on OpenAI and
 * on Azure OpenAI deployments). It is a transcription in every way that matters for money — the same audio
 * minutes, at the model's transcription price in the catalog — so it is read, bounded, held and charged as one;
 * only the provider call, the fields it takes and the models that can do it differ.
 */
import { InvalidRequestError, UpstreamError } from '../../../layers/core/errors.ts';
import type { MediaModel } from '../model.ts';
import type { Serve } from '../paid.ts';
import type { MediaServices } from '../services.ts';
import type { TranscriptionCall } from './request.ts';
import { transcriptAnswer } from './respond.ts';
import { billedSeconds, transcriptionRequest } from './serve.ts';

/** OpenAI translates with Whisper only (`whisper-1`; Azure deployments of it): the catalog's `whisper` family. */
export const translates = (model: MediaModel): boolean => model.row.family === 'whisper';

export const assertTranslates = (model: MediaModel): void => {
  if (!translates(model)) {
    throw new InvalidRequestError(
      'unsupported_operation',
      `The model '${model.publicId}' does not translate speech; translations are served by Whisper models (whisper-1).`,
      { param: 'model' },
    );
  }
};

export const serveTranslation =
  (services: MediaServices, call: TranscriptionCall, model: MediaModel, boundSeconds: number): Serve =>
  async (options) => {
    const adapter = services.adapterFor(model.provider);
    if (!adapter.translate) throw new UpstreamError(503, 'provider_not_configured', `The ${model.provider} provider does not serve translations on this gateway.`);
    const { language: _language, ...request } = transcriptionRequest(call, model);
    const result = await adapter.translate(request, options);
    const seconds = billedSeconds(result, boundSeconds);
    return { answer: transcriptAnswer(call.format, result, seconds, 'translate'), measured: [{ kind: 'audio_minutes', seconds }] };
  };
