/**
 * The prologue every OpenAI-compatible-flavor media route shares: the flavor's auth and error shape, the body
 * read as bytes (audio and images are binary), the `x-sim-fault` vocabulary, and refusals thrown as
 * `Refusal`s (see `../openai-media/context.ts`) answered in the flavor's body shape.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { statusError, type SimError } from '../openai-compatible/sim-error.ts';
import { Refusal, fail, type MediaContext } from '../openai-media/context.ts';
import { applyMediaFaults } from '../openai-media/faults.ts';
import type { MediaDeps } from '../openai-media/index.ts';
import { readBytes } from '../openai-media/io.ts';

export interface RouteRequest {
  readonly context: MediaContext;
  readonly url: URL;
  readonly body: Buffer;
}

export interface RouteOptions {
  /** Skip the flavor's key check (result downloads: the URL is the capability). */
  readonly public?: boolean;
  /** Text a `SIM_FAULT=` token may hide in, from the parsed body. */
  readonly faultText?: (body: Buffer) => string;
  /** The error for a body above the reader's limit. */
  readonly tooLarge?: SimError;
  /** Routes whose auth or error shape differs from the flavor's chat endpoint (DashScope's native API). */
  readonly flavor?: MediaDeps['flavor'];
}

export const throwSimError = (error: SimError): never => {
  throw new Refusal(error);
};

/** Runs `answer` after the shared checks; a thrown `Refusal` becomes the flavor's error answer. */
export const runRoute = async (
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  deps: MediaDeps,
  answer: (request: RouteRequest) => Promise<void> | void,
  options: RouteOptions = {},
): Promise<void> => {
  const flavor = options.flavor ?? deps.flavor;
  const context: MediaContext = { req, res, flavor, requestId: deps.requestId, origin: `http://${req.headers.host ?? '127.0.0.1'}`, files: deps.files };
  const body = await readBytes(req);
  if (!options.public) {
    const denied = flavor.authorize(req, deps.apiKey);
    if (denied) return fail(context, denied);
  }
  if (!body) return fail(context, options.tooLarge ?? { status: 413, message: 'Request entity too large.', type: 'invalid_request_error' });
  const text = options.faultText?.(body) ?? '';
  if (await applyMediaFaults(req, res, deps.once, text, (error) => fail(context, error), flavor.contentFilterError)) return;
  try {
    await answer({ context, url, body });
  } catch (error) {
    if (error instanceof Refusal) return fail(context, error.error);
    return fail(context, statusError(500, undefined));
  }
};

/** The body as a JSON object, or the refusal `invalid` builds. */
export const jsonObject = (body: Buffer, invalid: () => SimError): Record<string, unknown> => {
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch {
    return throwSimError(invalid());
  }
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : throwSimError(invalid());
};

/** Prompt or input text of a JSON body, for fault tokens. */
export const jsonFaultText = (body: Buffer): string => {
  try {
    const value = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
    return [value['prompt'], value['input'], value['text'], (value['input'] as Record<string, unknown> | undefined)?.['prompt']]
      .flatMap((item) => (typeof item === 'string' ? [item] : Array.isArray(item) ? item.filter((entry) => typeof entry === 'string') : []))
      .join(' ');
  } catch {
    return '';
  }
};
