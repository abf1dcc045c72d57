/** OpenAI itself, and ASI Cloud, which copies it. */
import { exactPath, openAIAuth, unknownByName, type Flavor } from './flavor.ts';
import { invalidRequest, openAIErrorBody } from './sim-error.ts';

export const openai: Flavor = {
  name: 'openai',
  basePath: '/v1',
  match: exactPath('/v1/chat/completions'),
  authorize: openAIAuth,
  renderError: openAIErrorBody,
  contentFilterError: () => ({
    status: 400,
    message: 'Your request was rejected as a result of our safety system. Your prompt may contain text that is not allowed by our safety system.',
    type: 'invalid_request_error',
    code: 'content_policy_violation',
  }),
  strict: true,
  unknownModel: unknownByName,
};

export const asicloud: Flavor = { ...openai, name: 'asicloud', strict: false, contentFilterError: () => invalidRequest('Content blocked by moderation.', null, 'content_filter') };

