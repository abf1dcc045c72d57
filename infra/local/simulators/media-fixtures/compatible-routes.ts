/**
 * The media routes of the OpenAI-compatible simulator's other flavors (Azure deployments, Fireworks workflows,
 * DashScope, Workers AI, the Hugging Face router), dispatched from its server before the text read (media
 * bodies can be binary). One entry per flavor; each lives in its `<provider>-media/` folder with a README.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Flavor, FlavorName } from '../openai-compatible/flavors.ts';
import type { MediaDeps } from '../openai-media/index.ts';
import { handleAzureMedia, matchesAzureMedia } from '../azure-media/routes.ts';
import { handleFireworksMedia, matchesFireworksMedia } from '../fireworks-media/routes.ts';

export interface CompatibleMediaRoutes {
  matches(url: URL): boolean;
  handle(req: IncomingMessage, res: ServerResponse, url: URL, deps: MediaDeps): Promise<void>;
}

const ROUTES: Partial<Record<FlavorName, CompatibleMediaRoutes>> = {
  azure: { matches: matchesAzureMedia, handle: handleAzureMedia },
  fireworks: { matches: matchesFireworksMedia, handle: handleFireworksMedia },
};

export const isCompatibleMediaRequest = (flavor: Flavor, url: URL): boolean => ROUTES[flavor.name]?.matches(url) ?? false;

export const handleCompatibleMedia = (req: IncomingMessage, res: ServerResponse, url: URL, deps: MediaDeps): Promise<void> => ROUTES[deps.flavor.name]!.handle(req, res, url, deps);
