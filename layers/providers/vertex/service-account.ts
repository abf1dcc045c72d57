/** The service-account JSON key Vertex is authorized with. Its contents never appear in errors or logs. */
// A namespace import lets esbuild drop the parts of zod we do not use (its 40-odd locales among them).
import * as z from 'zod';
import { UpstreamError } from '../../core/errors.ts';
import { UPSTREAM_CODES } from '../http/upstream-error.ts';

// Built on the first Vertex call, not at import: every text function loads the provider registry, and zod's
// schema construction is part of a cold start that calls to other providers never need.
const makeSchema = () => z.object({
  type: z.literal('service_account').optional(),
  project_id: z.string().min(1).optional(),
  private_key_id: z.string().optional(),
  private_key: z.string().includes('PRIVATE KEY'),
  client_email: z.string().min(1),
  token_uri: z.url().optional(),
});
let schema: ReturnType<typeof makeSchema> | undefined;

export type ServiceAccountKey = z.infer<ReturnType<typeof makeSchema>>;

const notConfigured = (): UpstreamError =>
  new UpstreamError(502, UPSTREAM_CODES.notConfigured, 'The Vertex provider is not configured with a usable service-account key.');

let lastJson: string | undefined;
let lastKey: ServiceAccountKey | undefined;

/** Parsed once per distinct key text: the transport hands the same secret back on every call. */
export const parseServiceAccount = (json: string): ServiceAccountKey => {
  if (json === lastJson && lastKey) return lastKey;
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    throw notConfigured();
  }
  const parsed = (schema ??= makeSchema()).safeParse(raw);
  if (!parsed.success) throw notConfigured();
  lastJson = json;
  lastKey = parsed.data;
  return parsed.data;
};
