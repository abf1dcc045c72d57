import { createFamilyHandler } from '../../shared/http/handler.ts';
import { createTextOperations } from '../../shared/inference/operations.ts';
import { textServices } from './text-services.ts';

export const handler = createFamilyHandler('inference', createTextOperations(textServices));
