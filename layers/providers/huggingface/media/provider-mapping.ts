/**
 * The partner's own id for a Hub model, read at run time from the Hub as @huggingface/inference does
 * (`GET {hub}/api/models/{id}?expand[]=inferenceProviderMapping`), so a partner renaming its endpoint does not
 * leave the catalog's copy calling a dead one. Answers are kept for a while per model. When the Hub cannot be
 * asked (down, slow), the catalog's id is used: the lookup is a freshness check, not a dependency of the call.
 * A Hub answer that does not list the partner at all means the partner no longer serves the model.
 */
import * as z from 'zod';
import { UpstreamError } from '../../../core/errors.ts';
import { UPSTREAM_CODES } from '../../http/upstream-error.ts';
import type { CallOptions } from '../../types.ts';
import { discardBody, type ProviderFetch, type ProviderResponse } from '../../http/provider-response.ts';
import { nodeFetch } from '../../http/node-fetch.ts';

export const HF_HUB_URL = 'https://huggingface.co';
const CACHE_MS = 15 * 60_000;
const LOOKUP_TIMEOUT_MS = 5_000;

/** The Hub answers a record by partner (older) or an array of entries (newer); the SDK reads both. */
const entrySchema = z.looseObject({ providerId: z.string(), status: z.string().optional(), task: z.string().optional() });
const mappingSchema = z.looseObject({
  inferenceProviderMapping: z.union([z.record(z.string(), entrySchema), z.array(entrySchema.extend({ provider: z.string() }))]).optional(),
});

type Mapping = ReadonlyMap<string, string>;

const toMapping = (value: z.infer<typeof mappingSchema>['inferenceProviderMapping']): Mapping => {
  if (value === undefined) return new Map();
  if (Array.isArray(value)) return new Map(value.map((entry) => [entry.provider, entry.providerId]));
  return new Map(Object.entries(value).map(([partner, entry]) => [partner, entry.providerId]));
};

export interface ProviderMappingSource {
  /** The partner's id for `model`, the fallback when the Hub cannot say; refuses a partner the Hub no longer lists. */
  providerId(hub: string, key: string, model: string, partner: string, fallback: string, options: CallOptions): Promise<string>;
}

export const createProviderMappingSource = (fetchImpl: ProviderFetch = nodeFetch, now: () => number = Date.now): ProviderMappingSource => {
  const cache = new Map<string, { readonly mapping: Mapping; readonly until: number }>();

  const lookup = async (hub: string, key: string, model: string, options: CallOptions): Promise<Mapping | undefined> => {
    const cached = cache.get(`${hub}\0${model}`);
    if (cached && cached.until > now()) return cached.mapping;
    const path = model.split('/').map(encodeURIComponent).join('/');
    let response: ProviderResponse;
    try {
      response = await fetchImpl(`${hub}/api/models/${path}?expand[]=inferenceProviderMapping`, {
        headers: key.startsWith('hf_') ? { authorization: `Bearer ${key}` } : {},
        signal: AbortSignal.any([options.signal, AbortSignal.timeout(LOOKUP_TIMEOUT_MS)]),
      });
    } catch (error) {
      if (options.signal.aborted) throw error;
      return undefined; // The Hub unreachable: the catalog's id serves (see above).
    }
    if (!response.ok) {
      await discardBody(response);
      return undefined;
    }
    let body: unknown;
    try {
      body = await response.json();
    } catch {
      return undefined; // An unreadable Hub answer says nothing about the partner either.
    }
    const parsed = mappingSchema.safeParse(body);
    if (!parsed.success || parsed.data.inferenceProviderMapping === undefined) return undefined;
    const mapping = toMapping(parsed.data.inferenceProviderMapping);
    cache.set(`${hub}\0${model}`, { mapping, until: now() + CACHE_MS });
    return mapping;
  };

  return {
    async providerId(hub, key, model, partner, fallback, options) {
      const mapping = await lookup(hub, key, model, options);
      if (mapping === undefined) return fallback;
      const id = mapping.get(partner);
      if (id === undefined) {
        throw new UpstreamError(502, UPSTREAM_CODES.notConfigured, `Hugging Face no longer lists ${partner} as a provider of ${model}.`, { details: { provider: 'hugging face' } });
      }
      return id;
    },
  };
};
