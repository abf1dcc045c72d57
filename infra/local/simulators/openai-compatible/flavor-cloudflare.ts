/** Cloudflare Workers AI: account paths and the v4 error envelope. */
import { openAIAuth, type Flavor, type Route } from './flavor.ts';
import type { SimError } from './sim-error.ts';

const CLOUDFLARE_PATH = /^\/client\/v4\/accounts\/([^/]+)\/ai\/v1\/chat\/completions$/;

/** Cloudflare's platform errors use the v4 envelope; the rest of the flavor is OpenAI-shaped. */
const cloudflareEnvelope = (code: number, message: string) => ({ success: false, errors: [{ code, message }], messages: [], result: null });

export const cloudflare: Flavor = {
  name: 'cloudflare',
  basePath: '/client/v4',
  match: (url): Route | SimError | undefined => {
    const match = CLOUDFLARE_PATH.exec(url.pathname);
    if (!match) return undefined;
    const account = match[1] ?? '';
    if (!/^[0-9a-f]{32}$/.test(account)) {
      return { status: 400, message: `Could not route to ${url.pathname}, perhaps your object identifier is invalid?`, code: '7003' };
    }
    return {};
  },
  authorize: (req, expected) => (openAIAuth(req, expected) ? { status: 401, message: 'Authentication error', code: '10000' } : undefined),
  renderError: (error) => cloudflareEnvelope(Number(error.code) || 5006, error.message),
  contentFilterError: () => ({ status: 400, message: 'AiError: Input was flagged by content moderation.', code: '3030' }),
  strict: false,
  unknownModel: (model) => (!/^@(?:cf|hf)\//.test(model) || /not-found/.test(model) ? { status: 400, message: `No such model ${model} or task`, code: '5007' } : undefined),
};

