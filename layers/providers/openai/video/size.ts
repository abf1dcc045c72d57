/**
 * OpenAI names a video's resolution and orientation by one `size`. The gateway's request speaks in resolution
 * and aspect ratio (like the Responses fields), so this is the map between them, and the only sizes it sends.
 */
import { UpstreamError } from '../../../core/errors.ts';
import { UPSTREAM_CODES } from '../../http/upstream-error.ts';

const SIZES: Readonly<Record<string, string>> = {
  '720p 16:9': '1280x720',
  '720p 9:16': '720x1280',
  '1024p 16:9': '1792x1024',
  '1024p 9:16': '1024x1792',
};

export const openAIVideoSize = (resolution: string, aspectRatio: string): string => {
  const size = SIZES[`${resolution} ${aspectRatio}`];
  if (!size) throw new UpstreamError(400, UPSTREAM_CODES.badRequest, `OpenAI does not render ${resolution} at ${aspectRatio}.`);
  return size;
};
