/**
 * What each family's function may touch. Charging is derived from the route table (a family with a
 * `payment` route verifies x402 and debits keys; `key` routes debit keys only); the rest is what the family's
 * own code stores. `Record<Family, …>` makes a new family a compile error here until its access is decided.
 */
import { FAMILIES, ROUTES, type Family } from '../../shared/routes.ts';
import type { TableName } from '../../layers/core/tables.ts';

export interface FamilyAccess {
  readonly tables: readonly TableName[];
  /** Writes outputs and presigns downloads; also holds response bodies too large for DynamoDB. */
  readonly media: boolean;
  /** Provider API keys and the x402 relayer key. */
  readonly providerSecrets: boolean;
}

/** Data the family's own operations keep, beyond charging. */
const OWN: Record<Family, FamilyAccess> = {
  health: { tables: [], media: false, providerSecrets: false },
  catalog: { tables: [], media: false, providerSecrets: false },
  // Responses records and input items; `POST /v1/responses` with `modalities: ['video']` submits video jobs, and
  // `POST /v1/responses/{id}/cancel` cancels them.
  inference: { tables: ['responses', 'videos'], media: true, providerSecrets: true },
  media: { tables: [], media: true, providerSecrets: true },
  // Job items; the worker (issue 6) submits to providers, but x402 settlement here still needs the relayer key.
  videos: { tables: ['videos'], media: true, providerSecrets: true },
  external: { tables: ['responses', 'videos'], media: true, providerSecrets: true },
  router: { tables: [], media: false, providerSecrets: false },
};

/**
 * The families that submit video jobs (SendMessage on the video queue, and its URL): the video route, and the
 * Responses routes (native and external) with `modalities: ['video']`. And those that cancel them (StopExecution):
 * `POST /v1/responses/{id}/cancel`.
 */
export const VIDEO_ROLES = {
  submit: ['videos', 'external', 'inference'],
  cancel: ['inference'],
} as const satisfies Readonly<Record<'submit' | 'cancel', readonly Family[]>>;

const authsOf = (family: Family) => new Set(ROUTES.filter((r) => r.family === family).map((r) => r.auth));

/** How a family's routes are paid for: `payment` takes x402 and Compose Keys, `key` Compose Keys only. */
export type Charging = 'payment' | 'key' | 'none';

export const chargingOf = (family: Family): Charging => {
  const auths = authsOf(family);
  return auths.has('payment') ? 'payment' : auths.has('key') ? 'key' : 'none';
};

/** Tables a family needs to charge for its routes. */
const chargingTables = (family: Family): TableName[] => {
  const auths = authsOf(family);
  const tables: TableName[] = [];
  if (auths.has('payment') || auths.has('key')) tables.push('idempotency', 'ledgers');
  if (auths.has('payment')) tables.push('nonces');
  return tables;
};

export const accessOf = (family: Family): FamilyAccess => {
  const own = OWN[family];
  const charging = chargingTables(family);
  return {
    tables: [...new Set([...own.tables, ...charging])],
    media: own.media,
    // Settling x402 needs the relayer key even where no provider is called.
    providerSecrets: own.providerSecrets || charging.includes('nonces'),
  };
};

export const FAMILY_NAMES = Object.keys(FAMILIES) as Family[];
