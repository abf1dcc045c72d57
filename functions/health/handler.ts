import openapi from '../../openapi/generated/openapi.json' with { type: 'json' };
import { createFamilyHandler } from '../../shared/http/handler.ts';
import { json } from '../../shared/http/response.ts';

const startedAt = new Date().toISOString();
const document = JSON.stringify(openapi);

export const handler = createFamilyHandler('health', {
  'health.check': () =>
    json(200, {
      status: 'ok',
      timestamp: new Date().toISOString(),
      version: openapi.info.version,
      stage: process.env.STAGE ?? 'local',
      startedAt,
    }),
  'openapi.get': () => ({ statusCode: 200, headers: { 'content-type': 'application/json' }, body: document }),
});
