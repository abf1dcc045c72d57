/**
 * What the end-to-end tests share: a local runtime in a fresh data directory, the official `openai` SDK
 * pointed at it, the provider table, and a raw SSE reader for what the SDK hides (comments, named events).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { inject } from 'vitest';
import { readLocalEndpoints } from '../../infra/local/endpoints.ts';
import type { LocalRuntime, LocalRuntimeOptions } from '../../infra/local/runtime.ts';
import { ensureDevSigningKey, mintKey } from '../../shared/keys/index.ts';
import { parseUsd } from '../../shared/pricing/index.ts';

/** One text model per provider the issues name; `provider` is the Compose extension that picks the row. */
export const TEXT_MODELS = [
  { provider: 'openai', model: 'gpt-4o-mini' },
  { provider: 'azure', model: 'gpt-4o' },
  { provider: 'fireworks', model: 'accounts/fireworks/models/kimi-k2-instruct' },
  { provider: 'gemini', model: 'gemini-2.5-flash' },
  { provider: 'vertex', model: 'gemini-2.5-flash' },
] as const;

export type TextModel = (typeof TEXT_MODELS)[number];

/** The simulators' deterministic answer to a plain prompt: OpenAI-compatible ones say "You said:", Gemini's "Echo:". */
export const echoOf = (provider: string, prompt: string): string =>
  provider === 'gemini' || provider === 'vertex' ? `Echo: ${prompt}` : `You said: ${prompt}`;

export interface E2eRuntime extends LocalRuntime {
  /** A Compose Key with a budget no test exhausts; the default credential of `client`, `fetch` and `post`. */
  readonly apiKey: string;
  /** An SDK client; another key (`mintDevKey`) is another caller, and stored records are scoped to the caller. */
  client(apiKey?: string): OpenAI;
  /** A raw request to the gateway, for what the SDK would hide or refuse to send. */
  fetch(path: string, init?: RequestInit): Promise<Response>;
  post(path: string, body: unknown, headers?: Record<string, string>): Promise<Response>;
}

/**
 * The runtime's module, loaded when a file starts one: it imports the stand-ins and every simulator (~1.5 s of CPU
 * in a fresh worker), which a file on the shared runtime never uses.
 */
export const localRuntimeModule = (): Promise<typeof import('../../infra/local/runtime.ts')> => import('../../infra/local/runtime.ts');

/** Starts the whole API locally in a temp directory; `close` also removes the directory. */
export const startE2eRuntime = async (options: Omit<LocalRuntimeOptions, 'dataDir'> = {}): Promise<E2eRuntime> => {
  const dataDir = mkdtempSync(join(tmpdir(), 'compose-e2e-'));
  const runtime = await (await localRuntimeModule()).startLocalRuntime({ ...options, dataDir });
  return withCaller(runtime, async () => {
    await runtime.close();
    rmSync(dataDir, { recursive: true, force: true });
  });
};

/** What the shared runtime's global setup hands to the files that use it. */
export interface SharedRuntimeInfo {
  readonly url: string;
  /** Holds the runtime's signing key, so a file can mint its own Compose Keys. */
  readonly dataDir: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    sharedRuntime: SharedRuntimeInfo;
  }
}

/**
 * The runtime the `e2e-shared-runtime` project started once for its files (support/shared-runtime-setup.ts),
 * with a Compose Key of this file's own: another caller than every other file. `close` leaves it running.
 */
export const sharedE2eRuntime = async (): Promise<E2eRuntime> => {
  const { url, dataDir } = inject('sharedRuntime');
  const signingKey = await ensureDevSigningKey(dataDir);
  const lookup = readLocalEndpoints(dataDir);
  const runtime: LocalRuntime = {
    url,
    // Of its environment, only the provider simulators' variables (its endpoints file says them): what no answer
    // may carry. The rest is its own process's: a file that needs more starts its own runtime.
    env: 'found' in lookup ? (lookup.found.simulated ?? {}) : {},
    simulated: [],
    chain: undefined,
    videos: undefined,
    // The shared runtime's stand-ins belong to its own process tree, not to this file.
    standInsPid: undefined,
    mintDevKey: async (budgetUsd = 10, keyOptions = {}) =>
      (await mintKey({ signingKey, budget: parseUsd(budgetUsd.toFixed(6)), ...(keyOptions.models ? { models: keyOptions.models } : {}) })).token,
    close: async () => undefined,
  };
  return withCaller(runtime, async () => undefined);
};

const withCaller = async (runtime: LocalRuntime, close: () => Promise<void>): Promise<E2eRuntime> => {
  const apiKey = await runtime.mintDevKey(1_000);
  const fetchGateway = (path: string, init: RequestInit = {}): Promise<Response> =>
    fetch(`${runtime.url}${path}`, { ...init, headers: { authorization: `Bearer ${apiKey}`, ...(init.headers as Record<string, string>) } });
  return {
    ...runtime,
    apiKey,
    // No SDK retries: the gateway's own retries are under test, and an error must surface as it is.
    client: (key = apiKey) => new OpenAI({ baseURL: `${runtime.url}/v1`, apiKey: key, maxRetries: 0 }),
    fetch: fetchGateway,
    post: (path, body, headers = {}) =>
      fetchGateway(path, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) }),
    close,
  };
};

/** The Compose `provider` extension, which the SDK's types do not know, added to a request body. */
export const onProvider = <T extends object>(body: T, provider: string): T => ({ ...body, provider }) as T;

/** One SSE frame as written: a comment line (heartbeat), or an optional event name with its data. */
export type SseFrame = { readonly comment: string } | { readonly event: string | undefined; readonly data: string };

/** Splits a raw SSE body into frames, keeping comments, which SSE clients silently drop. */
export const parseSse = (text: string): SseFrame[] =>
  text
    .split(/\n\n/)
    .filter((block) => block.trim() !== '')
    .map((block) => {
      const lines = block.split('\n');
      if (lines.every((line) => line.startsWith(':'))) return { comment: lines.map((line) => line.slice(1).trim()).join('\n') };
      const event = lines.find((line) => line.startsWith('event:'))?.slice('event:'.length).trim();
      const data = lines
        .filter((line) => line.startsWith('data:'))
        .map((line) => line.slice('data:'.length).trimStart())
        .join('\n');
      return { event, data };
    });

export const isComment = (frame: SseFrame): frame is { readonly comment: string } => 'comment' in frame;

/** The data frames (not comments), with their JSON parsed unless `[DONE]`. */
export const dataFrames = (frames: readonly SseFrame[]): { event: string | undefined; data: string; json: unknown }[] =>
  frames
    .filter((frame) => !isComment(frame))
    .map((frame) => {
      const { event, data } = frame as { event: string | undefined; data: string };
      return { event, data, json: data === '[DONE]' ? undefined : JSON.parse(data) };
    });

/** Every element of an async iterable, or the elements seen before it threw and the error. */
export const drain = async <T>(iterable: AsyncIterable<T>): Promise<{ items: T[]; error: unknown }> => {
  const items: T[] = [];
  try {
    for await (const item of iterable) items.push(item);
    return { items, error: undefined };
  } catch (error) {
    return { items, error };
  }
};

/**
 * Native streams send their `compose.receipt` event after `[DONE]`, where OpenAI SDKs stop reading, so an SDK
 * never hands it over; these keep only what OpenAI itself would send, for streams read some other way.
 */
export const openAiChunks = <T extends { object?: string }>(items: readonly T[]): T[] => items.filter((item) => item.object !== 'compose.receipt');
export const openAiEvents = <T extends { type?: string }>(items: readonly T[]): T[] => items.filter((item) => item.type !== 'compose.receipt');
