import { randomBytes } from 'node:crypto';

/**
 * Video job ids look like OpenAI's (`video_…`) and are unguessable: status routes key on them. The prefix is
 * also how `POST /v1/responses/{id}/cancel` tells an async video job from a stored response.
 */
const PREFIX = 'video_';
const PATTERN = /^video_[0-9a-f]{48}$/;

export const newVideoJobId = (): string => `${PREFIX}${randomBytes(24).toString('hex')}`;

export const isVideoJobId = (id: string): boolean => PATTERN.test(id);
