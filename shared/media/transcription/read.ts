/**
 * Reading a transcription call: multipart (a `file`, or a `file_id`) or JSON (a `file_id`). An upload is
 * looked up for the proven caller (its key is under that caller), checked for size, and opened by its first
 * bytes only; the provider request streams the rest from S3. Its idempotency fingerprint is the request plus
 * the upload's id and ETag, so a replaced file is a different call.
 */
import type { Billing, Surface } from '../../billing/types.ts';
import type { HttpRequest } from '../../http/request.ts';
import { findUpload, openUpload } from '../../uploads/resolve.ts';
import { multipartFingerprint } from '../fingerprint.ts';
import { readMediaJson } from '../../http/json-body.ts';
import { resolveMediaModel, type MediaModel } from '../model.ts';
import { uploadLimit, type MediaServices } from '../services.ts';
import { assertTranslates } from './translate.ts';
import { MEDIA_LIMITS } from '../../../layers/core/media/limits.ts';
import { isMultipart, readMultipart } from '../upload/multipart.ts';
import { parseTranscriptionForm, parseTranscriptionJson, transcriptionCall, type TranscriptionCall, type TranscriptionRequest } from './request.ts';

export interface ReadTranscription {
  readonly call: TranscriptionCall;
  readonly model: MediaModel;
  readonly fingerprint: string;
}

/** `translate`: POST /audio/translations, which takes fewer fields and only models that translate (see translate.ts). */
export const readTranscription = async (
  http: HttpRequest,
  services: MediaServices,
  billing: Billing,
  surface: Surface,
  task: 'transcribe' | 'translate' = 'transcribe',
): Promise<ReadTranscription> => {
  const limit = uploadLimit(services.settings, MEDIA_LIMITS.transcriptionFileBytes);
  let request: TranscriptionRequest;
  let fingerprint: string;
  if (isMultipart(http.headers['content-type'])) {
    const form = await readMultipart(http);
    request = parseTranscriptionForm(form, limit, task);
    fingerprint = multipartFingerprint(form);
  } else {
    const body = readMediaJson(http);
    request = parseTranscriptionJson(body, task);
    fingerprint = JSON.stringify(body);
  }
  const model = resolveMediaModel(request.fields.model, request.fields.provider, 'transcription');
  if (task === 'translate') assertTranslates(model);
  const { source } = request;
  if ('file' in source) return { call: transcriptionCall(request.fields, source.file, 'file'), model, fingerprint };

  // Proving the caller here costs no I/O (a key's signature, an x402 signature); the paid path proves it again.
  const { caller } = await billing.identify(http, surface);
  const found = await findUpload(services.uploads, caller, 'transcription', source.fileId);
  const opened = await openUpload(services.uploads, source.fileId, found, limit);
  return {
    call: transcriptionCall(request.fields, opened.file, 'file_id'),
    model,
    fingerprint: JSON.stringify({ request: fingerprint, upload: { id: opened.id, etag: found.etag } }),
  };
};
