import openapi from '../../openapi/generated/openapi.json' with { type: 'json' };
import pkg from '../../package.json' with { type: 'json' };
import { createFamilyHandler } from '../../shared/http/handler.ts';
import { validHost, validScheme } from '../../shared/http/origin.ts';
import type { HttpRequest } from '../../shared/http/request.ts';
import { json } from '../../shared/http/response.ts';

const startedAt = new Date().toISOString();
const stage = () => process.env.STAGE ?? 'local';

/**
 * Where this document is being served from, so a client generated from it (or a "try it" console) calls this
 * deployment: the Host the request came to, its scheme, and the stage prefix API Gateway's own domain needs
 * (`https://{api}.execute-api.{region}.amazonaws.com/{stage}`); a custom domain maps the stage itself.
 */
export const servedServer = (http: HttpRequest): { url: string; description: string } => {
  const host = validHost(http.headers.host) ?? 'localhost';
  const scheme = validScheme(http.headers['x-forwarded-proto']) ?? 'http';
  const stageName = http.event.requestContext?.stage ?? stage();
  const prefix = /\.execute-api\.[a-z0-9-]+\.amazonaws\.com$/i.test(host.replace(/:\d+$/, '')) ? `/${stageName}` : '';
  return { url: `${scheme}://${host}${prefix}`, description: `Stage ${stageName}` };
};

export const handler = createFamilyHandler('health', {
  'health.check': () =>
    json(200, {
      status: 'ok',
      timestamp: new Date().toISOString(),
      // The API's version (the OpenAPI document's `info.version`) beside the deployed package's.
      version: openapi.info.version,
      apiVersion: openapi.info.version,
      packageVersion: pkg.version,
      stage: stage(),
      startedAt,
    }),
  'openapi.get': (http) => json(200, { ...openapi, servers: [servedServer(http)] }),
});
