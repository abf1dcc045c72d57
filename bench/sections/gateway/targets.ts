/** The three paths the gateway section compares, all ending at the same loopback upstream. */
import { resolveTextModel } from '../../../shared/inference/resolve.ts';
import { createPool, type HttpTarget } from '../../lib/load.ts';
import type { Services } from '../../lib/services.ts';
import { directive } from '../../services/upstream.ts';

export const PATHS = ['direct', 'bare proxy', 'gateway'] as const;
export type PathName = (typeof PATHS)[number];

const CANDIDATE_MODELS = ['gpt-4o-mini', 'gpt-4.1-mini', 'gpt-4.1', 'gpt-4o'];

/** A public model id the catalog serves from the openai provider (the one pointed at the upstream). */
export const openaiModel = (): string => {
  for (const id of CANDIDATE_MODELS) {
    try {
      if (resolveTextModel(id).provider === 'openai') return id;
    } catch {
      // not in this catalog: try the next
    }
  }
  throw new Error(`none of ${CANDIDATE_MODELS.join(', ')} resolves to provider openai in the catalog`);
};

/** The same Chat Completions body on every path (the gateway always asks upstream for usage, so all do). */
export const chatBody = (model: string, stream: boolean, chunks: number, gapMs: number): string =>
  JSON.stringify({
    model,
    messages: [{ role: 'user', content: directive(chunks, gapMs) }],
    stream,
    ...(stream ? { stream_options: { include_usage: true } } : {}),
  });

export interface GatewayTargets {
  readonly targets: Readonly<Record<PathName, HttpTarget>>;
  readonly pids: Readonly<Record<'bare proxy' | 'gateway', number>>;
  /** The gateway's stand-ins process (dynalite, s3rver, fauxqs), when the runtime runs them apart as `npm start` does. */
  readonly standInsPid: number | undefined;
  close(): Promise<void>;
}

export const createTargets = async (services: Services, connections: number): Promise<GatewayTargets> => {
  const [upstream, proxy, gateway] = [await services.upstream(), await services.bareProxy(), await services.gateway()];
  const json = { 'content-type': 'application/json' };
  const target = (name: PathName, url: string, authorization: string): HttpTarget => ({
    name,
    pool: createPool(url, connections),
    path: '/v1/chat/completions',
    headers: { ...json, authorization },
  });
  const targets = {
    direct: target('direct', upstream.url, 'Bearer sk-bench'),
    'bare proxy': target('bare proxy', proxy.url, 'Bearer sk-bench'),
    // A Compose Key minted by the gateway process (bench/services/gateway.ts): the key path is part of the cost.
    gateway: target('gateway', gateway.url, String(gateway.info['authorization'])),
  };
  return {
    targets,
    pids: { 'bare proxy': proxy.pid, gateway: gateway.pid },
    standInsPid: typeof gateway.info['standInsPid'] === 'number' ? gateway.info['standInsPid'] : undefined,
    close: async () => {
      await Promise.all(Object.values(targets).map((t) => t.pool.close()));
    },
  };
};
