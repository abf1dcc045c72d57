/** Azure OpenAI: deployment paths, api-version, the api-key header, its own error shape. */
import type { Flavor, Route } from './flavor.ts';
import type { SimError } from './sim-error.ts';

const AZURE_PATH = /^\/openai\/deployments\/([^/]+)\/chat\/completions$/;

export const azure: Flavor = {
  name: 'azure',
  basePath: '',
  match: (url): Route | SimError | undefined => {
    const match = AZURE_PATH.exec(url.pathname);
    if (!match) return undefined;
    const apiVersion = url.searchParams.get('api-version');
    if (apiVersion === null || apiVersion === '') return { status: 404, message: 'Resource not found', code: '404' };
    if (!/^\d{4}-\d{2}-\d{2}(?:-preview)?$/.test(apiVersion)) {
      return { status: 400, message: `Unsupported api-version ${apiVersion}.`, code: 'BadRequest' };
    }
    return { pathModel: decodeURIComponent(match[1] ?? '') };
  },
  authorize: (req, expected) => {
    const key = req.headers['api-key'];
    const ok = typeof key === 'string' && key !== '' && (expected === undefined || key === expected);
    return ok
      ? undefined
      : {
          status: 401,
          message:
            'Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid key for an active subscription and use a correct regional API endpoint for your resource.',
          code: '401',
        };
  },
  renderError: (error) => ({
    error: { code: error.code ?? String(error.status), message: error.message, param: error.param ?? null, type: error.type ?? null, status: error.status },
  }),
  contentFilterError: () => ({
    status: 400,
    message:
      "The response was filtered due to the prompt triggering Azure OpenAI's content management policy. Please modify your prompt and retry. To learn more about our content filtering policies please read our documentation: https://go.microsoft.com/fwlink/?linkid=2198766",
    param: 'prompt',
    code: 'content_filter',
  }),
  strict: true,
  unknownModel: (deployment) =>
    /not-found|does-not-exist/.test(deployment)
      ? { status: 404, message: 'The API deployment for this resource does not exist. If you created the deployment within the last 5 minutes, please wait a moment and try again.', code: 'DeploymentNotFound' }
      : undefined,
};

