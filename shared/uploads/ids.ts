import { randomBytes } from 'node:crypto';

/** Upload ids are unguessable (128 random bits) and say what they are, as OpenAI's ids do. */
const PATTERN = /^upl_[0-9a-f]{32}$/;

export const newUploadId = (): string => `upl_${randomBytes(16).toString('hex')}`;

export const isUploadId = (id: string): boolean => PATTERN.test(id);
