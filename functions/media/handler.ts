import { createFamilyHandler } from '../../shared/http/handler.ts';
import { createMediaOperations } from '../../shared/media/operations.ts';
import { billing } from '../shared-services.ts';
import { mediaServices } from './media-services.ts';

export const handler = createFamilyHandler('media', createMediaOperations(mediaServices, billing, 'native'));
