import { createFamilyHandler } from '../../shared/http/handler.ts';
import { createVideoOperations } from '../../shared/videos/operations.ts';
import { billing } from '../shared-services.ts';
import { videoServices } from './video-services.ts';

export const handler = createFamilyHandler('videos', createVideoOperations(videoServices, billing));
