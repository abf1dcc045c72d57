/** Fireworks, AI/ML API, Hugging Face and DashScope: OpenAI's paths and auth, their own error bodies. */
import { exactPath, openAIAuth, unknownByName, type Flavor } from './flavor.ts';
import { invalidRequest, openAIErrorBody } from './sim-error.ts';

export const fireworks: Flavor = {
  name: 'fireworks',
  basePath: '/inference/v1',
  match: exactPath('/inference/v1/chat/completions'),
  authorize: (req, expected) => {
    const error = openAIAuth(req, expected);
    return error ? { ...error, status: 401, message: 'The API key you provided is invalid.', code: 'UNAUTHORIZED' } : undefined;
  },
  renderError: (error) => ({ error: { object: 'error', type: error.type ?? 'invalid_request_error', code: error.code ?? null, message: error.message } }),
  contentFilterError: () => invalidRequest('Request blocked by content moderation.', null, 'content_policy_violation'),
  strict: false,
  unknownModel: (model) =>
    !/^accounts\/[^/]+\/(?:models|deployedModels)\/[^/]+$/.test(model) || /not-found/.test(model)
      ? { status: 404, message: 'Model not found, inaccessible, and/or not deployed', type: 'invalid_request_error', code: 'NOT_FOUND' }
      : undefined,
};

export const aiml: Flavor = {
  name: 'aiml',
  basePath: '/v1',
  match: exactPath('/v1/chat/completions'),
  authorize: openAIAuth,
  renderError: (error, requestId) => ({
    message: error.message,
    path: '/v1/chat/completions',
    requestId,
    statusCode: error.status,
    timestamp: new Date(0).toISOString(),
  }),
  contentFilterError: () => invalidRequest('Your prompt was flagged by the content moderation system as inappropriate content.'),
  strict: false,
  unknownModel: unknownByName,
};

export const huggingface: Flavor = {
  name: 'huggingface',
  basePath: '/v1',
  match: exactPath('/v1/chat/completions'),
  authorize: (req, expected) => (openAIAuth(req, expected) ? { status: 401, message: 'Invalid credentials in Authorization header' } : undefined),
  renderError: (error) => ({ error: error.message }),
  contentFilterError: () => invalidRequest('Input flagged by the content filter of the inference provider.'),
  strict: false,
  unknownModel: (model) => (/not-found/.test(model) ? { status: 404, message: `The requested model '${model}' does not exist.` } : undefined),
};

export const alibaba: Flavor = {
  name: 'alibaba',
  basePath: '/compatible-mode/v1',
  match: exactPath('/compatible-mode/v1/chat/completions'),
  authorize: (req, expected) => (openAIAuth(req, expected) ? { status: 401, message: 'Incorrect API key provided. ', type: 'invalid_request_error', code: 'invalid_api_key' } : undefined),
  renderError: (error, requestId) => ({ ...openAIErrorBody(error), id: `chatcmpl-${requestId}`, request_id: requestId }),
  contentFilterError: () => ({ status: 400, message: 'Input data may contain inappropriate content.', type: 'data_inspection_failed', code: 'data_inspection_failed' }),
  strict: false,
  unknownModel: (model) =>
    /not-found/.test(model) ? { status: 404, message: `The model \`${model}\` does not exist or you do not have access to it.`, type: 'invalid_request_error', code: 'model_not_found' } : undefined,
};

