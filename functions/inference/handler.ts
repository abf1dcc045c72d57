import { createFamilyHandler } from '../../shared/http/handler.ts';
import { createTextOperations } from '../../shared/inference/operations.ts';
import { billing, textServices } from './text-services.ts';

export const handler = createFamilyHandler('inference', createTextOperations(textServices, billing));
