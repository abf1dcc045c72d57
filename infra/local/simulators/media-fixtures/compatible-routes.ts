/**
 * The media routes of the OpenAI-compatible simulator's other flavors (Azure deployments, Fireworks workflows,
 * DashScope, Workers AI, the Hugging Face router), dispatched from its server before the text read (media
 * bodies can be binary). One entry per flavor; each lives in its `<provider>-media/` folder with a README.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Flavor, FlavorName } from '../openai-compatible/flavors.ts';
import type { MediaDeps } from '../openai-media/index.ts';
import { FILES_PATH } from '../openai-media/image-files.ts';
import { sendBytes } from '../openai-media/io.ts';
import { fail } from '../openai-media/context.ts';
import { handleAlibabaMedia, matchesAlibabaMedia } from '../alibaba-media/routes.ts';
import { handleAzureMedia, matchesAzureMedia } from '../azure-media/routes.ts';
import { handleCloudflareMedia, matchesCloudflareMedia } from '../cloudflare-media/routes.ts';
import { handleFireworksMedia, matchesFireworksMedia } from '../fireworks-media/routes.ts';
import { handleHuggingFaceMedia, matchesHuggingFaceMedia } from '../huggingface-media/routes.ts';

export interface CompatibleMediaRoutes {
  matches(url: URL): boolean;
  handle(req: IncomingMessage, res: ServerResponse, url: URL, deps: MediaDeps): Promise<void>;
}

const ROUTES: Partial<Record<FlavorName, CompatibleMediaRoutes>> = {
  alibaba: { matches: matchesAlibabaMedia, handle: handleAlibabaMedia },
  azure: { matches: matchesAzureMedia, handle: handleAzureMedia },
  cloudflare: { matches: matchesCloudflareMedia, handle: handleCloudflareMedia },
  fireworks: { matches: matchesFireworksMedia, handle: handleFireworksMedia },
  huggingface: { matches: matchesHuggingFaceMedia, handle: handleHuggingFaceMedia },
};

/**
 * Results a provider answers by URL (DashScope task images, Kontext samples) are kept in the server's
 * `ImageFiles` and downloaded from `GET /v1/sim-files/<id>.png` without a key, as signed URLs are.
 */
const serveFile = async (req: IncomingMessage, res: ServerResponse, url: URL, deps: MediaDeps): Promise<void> => {
  const image = req.method === 'GET' ? deps.files.get(url.pathname) : undefined;
  if (image) return sendBytes(res, 'image/png', image);
  const context = { req, res, flavor: deps.flavor, requestId: deps.requestId, origin: '', files: deps.files };
  return fail(context, { status: 404, message: 'The specified blob does not exist.', type: 'invalid_request_error' });
};

export const isCompatibleMediaRequest = (flavor: Flavor, url: URL): boolean =>
  (ROUTES[flavor.name] !== undefined && url.pathname.startsWith(FILES_PATH)) || (ROUTES[flavor.name]?.matches(url) ?? false);

export const handleCompatibleMedia = (req: IncomingMessage, res: ServerResponse, url: URL, deps: MediaDeps): Promise<void> =>
  url.pathname.startsWith(FILES_PATH) ? serveFile(req, res, url, deps) : ROUTES[deps.flavor.name]!.handle(req, res, url, deps);
