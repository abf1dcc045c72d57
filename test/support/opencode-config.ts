/**
 * The part of OpenCode's config that declares a custom provider, as OpenCode validates it (its `ProviderConfig`
 * and model schemas in packages/opencode/src/config/provider.ts), restated in zod so a test can parse our
 * documents the way OpenCode would. Objects are strict here, where OpenCode ignores unknown keys: a key OpenCode
 * would silently drop is a bug in the document.
 */
import { z } from 'zod';

const finite = z.number().refine(Number.isFinite);
const modality = z.enum(['text', 'audio', 'image', 'video', 'pdf']);

export const opencodeModel = z.strictObject({
  id: z.string().optional(),
  name: z.string().optional(),
  family: z.string().optional(),
  release_date: z.string().optional(),
  attachment: z.boolean().optional(),
  reasoning: z.boolean().optional(),
  temperature: z.boolean().optional(),
  tool_call: z.boolean().optional(),
  interleaved: z.union([z.literal(true), z.strictObject({ field: z.enum(['reasoning_content', 'reasoning_details']) })]).optional(),
  cost: z.strictObject({ input: finite, output: finite, cache_read: finite.optional(), cache_write: finite.optional() }).optional(),
  limit: z.strictObject({ context: finite, input: finite.optional(), output: finite }).optional(),
  modalities: z.strictObject({ input: z.array(modality).optional(), output: z.array(modality).optional() }).optional(),
  experimental: z.boolean().optional(),
  provider: z.strictObject({ npm: z.string().optional(), api: z.string().optional() }).optional(),
  options: z.record(z.string(), z.unknown()).optional(),
  headers: z.record(z.string(), z.string()).optional(),
});

export const opencodeProvider = z.strictObject({
  api: z.string().optional(),
  name: z.string().optional(),
  env: z.array(z.string()).optional(),
  id: z.string().optional(),
  npm: z.string().optional(),
  whitelist: z.array(z.string()).optional(),
  blacklist: z.array(z.string()).optional(),
  options: z
    .looseObject({
      apiKey: z.string().optional(),
      baseURL: z.string().optional(),
      timeout: z.union([z.number().int().positive(), z.literal(false)]).optional(),
    })
    .optional(),
  models: z.record(z.string(), opencodeModel).optional(),
});

/** An `opencode.json` as far as providers go; the rest of OpenCode's config is not ours to send. */
export const opencodeConfig = z.strictObject({
  $schema: z.string().optional(),
  provider: z.record(z.string(), opencodeProvider),
});

/** What `opencode auth login <url>` fetches from `<url>/.well-known/opencode`. */
export const opencodeWellKnown = z.strictObject({
  auth: z.strictObject({ command: z.array(z.string()).min(1), env: z.string().regex(/^[A-Z_][A-Z0-9_]*$/) }),
  config: opencodeConfig,
});

/** OpenCode's `{env:NAME}` substitution, applied to a config's text before it is parsed. */
export const substituteEnv = (text: string, env: Readonly<Record<string, string>>): string =>
  text.replace(/\{env:([^}]+)\}/g, (_, name: string) => env[name] ?? '');
