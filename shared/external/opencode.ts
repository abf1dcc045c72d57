import { getCatalog } from '../catalog/index.ts';
import type { HttpRequest } from '../http/request.ts';
import { validHost, validScheme } from '../http/origin.ts';

/** The environment variable OpenCode reads the Compose Key from; the documents only ever name it. */
export const OPENCODE_KEY_ENV = 'COMPOSE_API_KEY';
const PROVIDER_ID = 'compose';

/** API Gateway's default endpoint, which serves each stage under `/{stage}`; custom domains map the API at their root. */
const EXECUTE_API_HOST = /^[a-z0-9]+\.execute-api\.[a-z0-9-]+\.amazonaws\.com(?:\.cn)?$/i;

/**
 * The public base URL clients reach: configured (a custom domain with a base path, a proxy), else what the request
 * came in on — with the stage prefix when that was API Gateway's default endpoint, or nothing there would answer.
 */
export const publicBaseUrl = (request: HttpRequest, env: NodeJS.ProcessEnv = process.env): string => {
  if (env.PUBLIC_BASE_URL) return env.PUBLIC_BASE_URL.replace(/\/$/, '');
  const host = validHost(request.headers['x-forwarded-host']) ?? validHost(request.headers.host) ?? '127.0.0.1:3000';
  const proto = validScheme(request.headers['x-forwarded-proto']) ?? (host.startsWith('127.0.0.1') || host.startsWith('localhost') ? 'http' : 'https');
  const stage = request.event.requestContext?.stage;
  return `${proto}://${host}${stage && EXECUTE_API_HOST.test(host) ? `/${stage}` : ''}`;
};

/** Text models OpenCode can drive, with the limits it uses to manage context. */
const textModels = () => {
  const models: Record<string, { name: string; limit?: { context: number; output: number }; tool_call?: boolean; reasoning?: boolean; attachment?: boolean }> = {};
  for (const { row } of getCatalog().entries) {
    if (models[row.modelId] || !row.operations.some((o) => o.operation === 'text-generation')) continue;
    const caps = row.capabilities;
    models[row.modelId] = {
      name: row.name ?? row.modelId,
      ...(typeof row.contextWindow === 'number' && row.maxOutputTokens ? { limit: { context: row.contextWindow, output: row.maxOutputTokens } } : {}),
      tool_call: caps.toolCalls,
      reasoning: caps.reasoning,
      attachment: caps.attachments,
    };
  }
  return models;
};

/** `/external/opencode`: an `opencode.json` declaring Compose as a custom OpenAI-compatible provider. */
export const opencodeProviderConfig = (request: HttpRequest) => ({
  $schema: 'https://opencode.ai/config.json',
  provider: {
    [PROVIDER_ID]: {
      npm: '@ai-sdk/openai-compatible',
      name: 'Compose Inference',
      options: { baseURL: `${publicBaseUrl(request)}/external/v1`, apiKey: `{env:${OPENCODE_KEY_ENV}}` },
      models: textModels(),
    },
  },
});

/**
 * `/.well-known/opencode`: what `opencode auth login <url>` reads. OpenCode runs `auth.command` and stores what
 * it prints as the token it then exposes as `auth.env`; the command prints the Compose Key the user already has
 * in that variable, so no key ever passes through this document.
 */
export const opencodeWellKnown = (request: HttpRequest) => ({
  auth: { command: ['sh', '-c', `printf %s "$${OPENCODE_KEY_ENV}"`], env: OPENCODE_KEY_ENV },
  config: opencodeProviderConfig(request),
});
