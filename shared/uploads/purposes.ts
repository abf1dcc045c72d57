/**
 * What an upload is for, and so how large it may be: the provider limits of the operation that will read it
 * (layers/core/media/limits.ts), lowered by a deployment's `MEDIA_MAX_UPLOAD_BYTES`.
 */
import { MEDIA_LIMITS } from '../../layers/core/media/limits.ts';

export const UPLOAD_PURPOSES = ['transcription', 'image_edit'] as const;
export type UploadPurpose = (typeof UPLOAD_PURPOSES)[number];

const PROVIDER_LIMITS: Readonly<Record<UploadPurpose, number>> = {
  transcription: MEDIA_LIMITS.transcriptionFileBytes,
  image_edit: MEDIA_LIMITS.imageFileBytes,
};

export const purposeLimit = (purpose: UploadPurpose, maxUploadBytes?: number): number => Math.min(PROVIDER_LIMITS[purpose], maxUploadBytes ?? Number.POSITIVE_INFINITY);
