/**
 * The media core's public interface, for the media and external functions and for other paid operations
 * (vision, video submission) that want the same storage, upload checks and billing flow.
 */
export { createMediaOperations, type MediaOperationName } from './operations.ts';
export { mediaSettingsFromEnv, uploadLimit, MEDIA_ENV, type MediaServices, type MediaSettings } from './services.ts';

// Paying for a call that answers once or streams: hold, idempotency, provider call under a deadline, charge, receipt.
export { servePaid, servePaidStream, type PaidCall, type PaidModel, type Serve, type Served, type ServeStream, type StreamServed } from './paid.ts';
export { imageEvents, type ImageOperation } from './images/events.ts';
export { bytesAnswer, jsonAnswer, receiptedJsonAnswer, textAnswer, toHttpResult, type MediaAnswer } from './answer.ts';
export { priceMedia, type MediaPriceInput } from './price.ts';
export { allowedValues, resolveMediaModel, type MediaModel, type MediaOperation } from './model.ts';

// Storage: outputs in the media bucket, handed out as presigned URLs; streams uploaded part by part.
export { createMediaStore, urlTtlFromEnv, MEDIA_URL_TTL_ENV, type MediaStore, type StoredMedia } from './storage/store.ts';
export { uploadStream, PART_BYTES } from './storage/multipart-upload.ts';
export { mediaKey, extensionFor } from './storage/keys.ts';

// Uploads: multipart bodies, and files checked for presence, size and real format.
export { readMultipart, fieldsAsBody, type MultipartBody } from './upload/multipart.ts';
export { assertFileSize, assertFormat, filesNamed, requireFiles, FILE_ERROR_CODES } from '../uploads/files.ts';
export { MEDIA_LIMITS } from '../../layers/core/media/limits.ts';
export { multipartFingerprint } from './fingerprint.ts';
export { readMediaJson } from '../http/json-body.ts';

// Formats: what bytes are, and how long audio lasts.
export { sniffMedia, type SniffedMedia, type MediaKind } from '../../layers/core/media/formats/sniff.ts';
export { audioDuration, type AudioDuration } from '../../layers/core/media/formats/duration.ts';
export { readWavInfo, wavFromPcm, wavHeader, type PcmFormat, type WavInfo } from '../../layers/core/media/formats/wav.ts';
export { readPngSize, sizeLabel, type ImageSize } from '../../layers/core/media/formats/png.ts';
export { renderSrt, renderVtt, type TimedText } from './transcription/subtitles.ts';
