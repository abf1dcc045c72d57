/**
 * Wan video generation as DashScope async tasks (`/api/v1/services/aigc/video-generation/video-synthesis`):
 * text-to-video, or image-to-video when a first frame is given (`img_url`, sent as a data URL). The pixel size
 * comes from the resolution and aspect ratio; a finished task holds `video_url`, a signed download link.
 */
import { encodeBase64 } from '../../http/media-call.ts';
import { sanitizeUpstreamMessage } from '../../http/sanitize.ts';
import { unsupportedOperation } from '../../media-input.ts';
import type { VideoJobState, VideoRequest } from '../../media-types.ts';
import { isDashscopeContentFilter } from './errors.ts';
import type { TaskStatus } from './wire.ts';

export const VIDEO_SYNTHESIS_PATH = '/api/v1/services/aigc/video-generation/video-synthesis';

/** Wan 2.x sizes by resolution and aspect ratio. */
const SIZES: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  '480p': { '16:9': '832*480', '9:16': '480*832', '1:1': '624*624' },
  '720p': { '16:9': '1280*720', '9:16': '720*1280', '1:1': '960*960' },
  '1080p': { '16:9': '1920*1080', '9:16': '1080*1920', '1:1': '1440*1440' },
};

export interface VideoSynthesisRequest {
  readonly model: string;
  readonly input: { readonly prompt: string; readonly img_url?: string };
  readonly parameters: { readonly size?: string; readonly resolution?: string; readonly duration: number; readonly prompt_extend: boolean };
}

const isImageToVideo = (model: string): boolean => /-i2v-/.test(model);

export const videoTask = (request: VideoRequest): VideoSynthesisRequest => {
  const ratio = request.aspectRatio ?? '16:9';
  const size = SIZES[request.resolution]?.[ratio];
  if (!size) throw unsupportedOperation('alibaba', `${request.resolution} video at ${ratio}`, 'resolution');
  if (isImageToVideo(request.model) && !request.image) throw unsupportedOperation('alibaba', `${request.model} without a first-frame image`, 'image');
  const image = request.image ? { img_url: `data:${request.image.mediaType};base64,${encodeBase64(request.image.data)}` } : {};
  return {
    model: request.model,
    input: { prompt: request.prompt, ...image },
    // Image-to-video keeps the frame's aspect ratio and takes a resolution tier; text-to-video takes pixels.
    parameters: { ...(isImageToVideo(request.model) ? { resolution: request.resolution.toUpperCase() } : { size }), duration: request.durationSeconds, prompt_extend: false },
  };
};

export const videoState = (task: TaskStatus): VideoJobState => {
  const { output } = task;
  switch (output.task_status) {
    case 'PENDING':
      return { status: 'queued' };
    case 'RUNNING':
      return { status: 'in_progress' };
    case 'SUCCEEDED': {
      const url = typeof output['video_url'] === 'string' ? output['video_url'] : undefined;
      return url ? { status: 'completed', videoUrl: url } : { status: 'failed', error: { code: 'video_generation_failed', message: 'The provider finished the task without a video.' } };
    }
    default: {
      const filtered = isDashscopeContentFilter(output.code);
      return {
        status: 'failed',
        error: {
          code: filtered ? 'content_filter' : 'video_generation_failed',
          message: sanitizeUpstreamMessage(output.message ?? `The video task ended ${output.task_status}.`, { contentFilter: filtered }),
        },
      };
    }
  }
};
