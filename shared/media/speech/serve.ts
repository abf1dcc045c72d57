/**
 * Speech: billed per input character (known before the call, so quote and charge are equal), answered as the
 * audio bytes with their content type. The audio is collected (bounded) before answering: its receipt goes in
 * the headers, before any byte, and a replay must be able to return it. (`stream_format: sse`: stream.ts.)
 */
import type { SpeechResult } from '../../../layers/providers/media-types.ts';
import type { CallOptions } from '../../../layers/providers/types.ts';
import { ComposeError, UpstreamError } from '../../../layers/core/errors.ts';
import type { HttpRequest } from '../../http/request.ts';
import { bytesAnswer } from '../answer.ts';
import type { Body } from '../fields.ts';
import { resolveMediaModel, type MediaModel } from '../model.ts';
import type { Serve } from '../paid.ts';
import { priceMedia } from '../price.ts';
import type { MediaServices } from '../services.ts';
import { MEDIA_LIMITS } from '../../../layers/core/media/limits.ts';
import { characterCount, checkLanguage, checkVoice, parseSpeechRequest, type SpeechCall } from './request.ts';
import { cleanupFailed } from '../../../layers/core/observability/index.ts';

export const prepareSpeech = (http: HttpRequest, body: Body) => {
  const call = parseSpeechRequest(body);
  const model = resolveMediaModel(call.model, call.provider, 'speech');
  checkVoice(call, model);
  checkLanguage(call, model);
  const characters = characterCount(call.input);
  const price = priceMedia(http, model, { quote: { kind: 'characters', characters }, metered: false, description: `Speech of ${characters} characters with ${model.publicId}` });
  return { call, model, price, characters };
};

const collect = async (audio: ReadableStream<Uint8Array>, maxBytes: number): Promise<Uint8Array> => {
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for await (const chunk of audio) {
      size += chunk.byteLength;
      if (size > maxBytes) throw new UpstreamError(502, 'upstream_invalid_response', 'The provider returned more audio than the gateway serves in one answer.');
      chunks.push(chunk);
    }
  } catch (error) {
    await audio.cancel().catch(cleanupFailed('cancelling the provider audio'));
    // After the first byte nothing is retried: a connection lost mid-audio fails the call (and charges nothing).
    throw error instanceof ComposeError ? error : new UpstreamError(502, 'upstream_connection_lost', 'The connection to the provider was lost mid-audio.', { cause: error });
  }
  if (size === 0) throw new UpstreamError(502, 'upstream_invalid_response', 'The provider returned no audio.');
  return Buffer.concat(chunks, size);
};

/** The provider's audio as it sends it: resolves once the provider has answered. */
export const speakWith = async (services: MediaServices, call: SpeechCall, model: MediaModel, options: CallOptions): Promise<SpeechResult> => {
  const adapter = services.adapterFor(model.provider);
  if (!adapter.speak) throw new UpstreamError(503, 'provider_not_configured', `The ${model.provider} provider does not serve speech on this gateway.`);
  return adapter.speak(
    {
      model: model.wireModel,
      input: call.input,
      voice: call.voice,
      format: call.format,
      ...(call.speed !== undefined ? { speed: call.speed } : {}),
      ...(call.instructions !== undefined ? { instructions: call.instructions } : {}),
      ...(call.language !== undefined ? { language: call.language } : {}),
    },
    options,
  );
};

export const serveSpeech =
  (services: MediaServices, call: SpeechCall, model: MediaModel, characters: number): Serve =>
  async (options) => {
    const result = await speakWith(services, call, model, options);
    const audio = await collect(result.audio, MEDIA_LIMITS.speechOutputBytes);
    return { answer: bytesAnswer(audio, result.mediaType), measured: [{ kind: 'characters', characters }] };
  };
