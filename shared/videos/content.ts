/**
 * GET /v1/videos/{id}/content (OpenAI's download route, `client.videos.downloadContent(id)`): the completed
 * job's MP4, streamed from the media bucket to the client as S3 sends it — piped, never collected, so a
 * function holds a few chunks whatever the video's size. Only the job's owner gets it (404 otherwise, as for
 * every job read); a job without a finished video is a 409 that says where it stands.
 */
import type { Billing, Surface } from '../billing/types.ts';
import { ConflictError, InvalidRequestError, NotFoundError } from '../../layers/core/errors.ts';
import type { Operation } from '../http/handler.ts';
import { VIDEO_STATUS } from './job.ts';
import type { VideoServices } from './services.ts';

/** OpenAI also serves `thumbnail` and `spritesheet`; the gateway stores the video only. */
const VARIANTS = ['video'];

const notReady = (id: string, status: string): ConflictError =>
  new ConflictError(
    'video_not_completed',
    status === VIDEO_STATUS.queued || status === VIDEO_STATUS.inProgress
      ? `The video job '${id}' is ${status}: its content can be downloaded once it is completed.`
      : `The video job '${id}' is ${status}: it has no video to download.`,
    { param: 'id' },
  );

export const videoContent =
  (services: VideoServices, billing: Billing, surface: Surface = 'native'): Operation =>
  async (http) => {
    const variant = http.query.variant;
    if (variant !== undefined && !VARIANTS.includes(variant)) {
      throw new InvalidRequestError('unsupported_variant', `Only the video itself can be downloaded ('variant=video'); '${variant}' is not stored by this gateway.`, { param: 'variant' });
    }
    // A read needs only the caller, never a payment: the job is visible to the credential that created it.
    const caller = await billing.owner(http, surface);
    const id = http.pathParameters.id!;
    const job = await services.jobs.readOwned(id, caller.id);
    if (job.status !== VIDEO_STATUS.completed || !job.videoKey) throw notReady(id, job.status);
    const video = await services.storage.open(job.videoKey);
    if (!video) throw new NotFoundError('video_content_not_found', `The video of job '${id}' is no longer stored.`, { param: 'id' });
    return {
      statusCode: 200,
      headers: { 'content-type': video.contentType, 'content-length': String(video.bytes), 'content-disposition': `attachment; filename="${id}.mp4"` },
      body: video.body,
    };
  };
