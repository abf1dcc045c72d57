/**
 * `npm run keys -- <command>`: mint and inspect Compose Keys for local use.
 *
 *   create --budget 5.00 [--models a,b] [--expires 30d] [--subject name] [--json]
 *   show <keyId|token> [--json]     claims (verified against the local keyring) and the ledger
 *   revoke <keyId>                  refuses the key's next reservation
 *   rotate                          a new current signing key; older keys keep verifying
 *   retire <kid>                    drop an old signing key
 *   jwks                            the public JWKS to deploy as COMPOSE_KEYS_JWKS
 *
 * Signing keys live in `$COMPOSE_DATA_DIR/keys` (default `.data/keys`). The ledger is read and written through
 * DynamoDB at AWS_ENDPOINT_URL_DYNAMODB and LEDGERS_TABLE (default `compose-$STAGE-ledgers`, stage `local`);
 * without them, through the stand-ins of the `npm start` running on the same data directory, found in its
 * `endpoints.json`. With neither, `create` leaves the ledger to be created from the key's budget claim on first
 * use, and `revoke` fails: a revocation that did not reach the ledger must never look done.
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { decodeJwt } from 'jose';
import {
  createKeyLedger,
  createKeyVerifier,
  DEFAULT_ALGORITHMS,
  DEFAULT_AUDIENCE,
  DEFAULT_ISSUER,
  ensureDevSigningKey,
  KEY_PREFIX,
  mintKey,
  publicJwks,
  retireSigningKey,
  rotateSigningKey,
  type KeyLedger,
  type Ledger,
} from '../shared/keys/index.ts';
import { formatUsd, parseUsd } from '../shared/pricing/decimal.ts';
import { physicalTableName, TABLES } from '../layers/core/tables.ts';
import { endpointsFile, readLocalEndpoints } from '../infra/local/endpoints.ts';

export { ensureDevSigningKey, mintKey, publicJwks };

const root = join(import.meta.dirname, '..');
export const dataDirFromEnv = (env: NodeJS.ProcessEnv = process.env): string => env.COMPOSE_DATA_DIR ?? join(root, '.data');

const DURATION = /^(\d+)([smhd])$/;
const SECONDS = { s: 1, m: 60, h: 3600, d: 86_400 } as const;
export const parseDuration = (text: string): number => {
  const match = DURATION.exec(text);
  // A zero duration would mint a key born expired, which looks made but refuses its first call.
  if (!match || Number(match[1]) === 0) throw new Error(`--expires takes a positive duration such as 30d, 12h, 45m or 3600s, not '${text}'`);
  return Number(match[1]) * SECONDS[match[2] as keyof typeof SECONDS];
};

interface LedgerStore {
  readonly ledger: KeyLedger;
  readonly table: string;
  /** Where the ledger is, for messages: the endpoint (and how it was found). */
  readonly where: string;
  close(): void;
}

/**
 * The ledger through the endpoint in the environment; else through the running `npm start` on the same data
 * directory (its endpoints.json); else undefined, with the reason in `why`.
 */
const ledgerFromEnv = (env: NodeJS.ProcessEnv): LedgerStore | undefined => {
  let endpoint = env.AWS_ENDPOINT_URL_DYNAMODB;
  let table = env[TABLES.ledgers.envVar];
  let where = endpoint ? `${endpoint} (AWS_ENDPOINT_URL_DYNAMODB)` : 'the AWS account in the environment';
  if (!endpoint && !table) {
    const lookup = readLocalEndpoints(dataDirFromEnv(env));
    if (!('found' in lookup)) return undefined;
    endpoint = lookup.found.dynamodb;
    table = lookup.found.tables.ledgers;
    where = `${endpoint} (the npm start at ${lookup.found.url}, from ${endpointsFile(dataDirFromEnv(env))})`;
  }
  const local = endpoint !== undefined && !env.AWS_ACCESS_KEY_ID;
  const raw = new DynamoDBClient({
    region: env.AWS_REGION ?? 'us-east-1',
    ...(endpoint ? { endpoint } : {}),
    // dynalite accepts any signature; a real account's credentials come from the usual chain.
    ...(local ? { credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } : {}),
    maxAttempts: 2,
  });
  const name = table ?? physicalTableName(env.STAGE ?? 'local', 'ledgers');
  return { ledger: createKeyLedger({ client: DynamoDBDocumentClient.from(raw), tableName: name }), table: name, where, close: () => raw.destroy() };
};

/** Why no ledger could be found, in words a user can act on. */
const noLedger = (env: NodeJS.ProcessEnv): string => {
  const lookup = readLocalEndpoints(dataDirFromEnv(env));
  const reason =
    'found' in lookup
      ? ''
      : lookup.missing === 'stale'
        ? `${lookup.file} names an npm start that is no longer running`
        : lookup.missing === 'unreadable'
          ? `${lookup.file} cannot be read`
          : `no npm start is running on ${dataDirFromEnv(env)} (no ${lookup.file})`;
  return `${reason}: start it (npm start), run this with the same COMPOSE_DATA_DIR, or set AWS_ENDPOINT_URL_DYNAMODB (and LEDGERS_TABLE if not the local default)`;
};

/** Revokes and reads the ledger back: anything short of a ledger that says revoked is an error, never a quiet success. */
const revoke = async (keyId: string | undefined, env: NodeJS.ProcessEnv, out: (line: string) => void): Promise<void> => {
  if (!keyId) throw new Error('revoke needs a key id');
  const store = ledgerFromEnv(env);
  if (!store) throw new Error(`Not revoked: ${keyId} is still live. No ledger to write the revocation to: ${noLedger(env)}.`);
  try {
    await store.ledger.revoke(keyId);
    const ledger = await store.ledger.getLedger(keyId);
    if (!ledger?.revoked) throw new Error('the ledger does not say revoked after the write');
  } catch (error) {
    throw new Error(`Not revoked: ${keyId} is still live. The ledger at ${store.where}, table ${store.table}, could not be updated: ${(error as Error).message}`);
  } finally {
    store.close();
  }
  out(`Revoked ${keyId} in ${store.table} at ${store.where}: calls with it are refused (401 revoked_api_key) within 30 s.`);
};

const describeLedger = (ledger: Ledger | undefined): string[] =>
  ledger
    ? [
        `  budget:    ${formatUsd(ledger.budget)} USDC`,
        `  spent:     ${formatUsd(ledger.spent)} USDC`,
        `  reserved:  ${formatUsd(ledger.reserved)} USDC (${ledger.reservations.length} in flight)`,
        `  available: ${formatUsd(ledger.available)} USDC`,
        `  revoked:   ${ledger.revoked ? 'yes' : 'no'}`,
      ]
    : ['  ledger:    none yet (created from the budget claim on first use)'];

const jsonLedger = (ledger: Ledger | undefined) =>
  ledger && {
    budget_wei: ledger.budget.toString(),
    spent_wei: ledger.spent.toString(),
    reserved_wei: ledger.reserved.toString(),
    available_wei: ledger.available.toString(),
    revoked: ledger.revoked,
    open_reservations: ledger.reservations.length,
  };

const create = async (values: Record<string, string | boolean | undefined>, env: NodeJS.ProcessEnv, out: (line: string) => void): Promise<void> => {
  if (typeof values.budget !== 'string') throw new Error('create needs --budget <USD>, e.g. --budget 5.00');
  const budget = parseUsd(values.budget);
  const models = typeof values.models === 'string' ? values.models.split(',').map((m) => m.trim()).filter(Boolean) : undefined;
  // An empty list is a key allowed no model at all; leave --models out for a key allowed every model.
  if (models?.length === 0) throw new Error('--models takes a comma-separated list of model ids (leave it out to allow every model)');
  const expiresInSeconds = typeof values.expires === 'string' ? parseDuration(values.expires) : undefined;
  const signingKey = await ensureDevSigningKey(dataDirFromEnv(env));
  const minted = await mintKey({
    signingKey,
    budget,
    ...(models ? { models } : {}),
    ...(expiresInSeconds === undefined ? {} : { expiresInSeconds }),
    ...(typeof values.subject === 'string' ? { subject: values.subject } : {}),
    issuer: env.COMPOSE_KEYS_ISSUER || DEFAULT_ISSUER,
    audience: env.COMPOSE_KEYS_AUDIENCE || DEFAULT_AUDIENCE,
  });
  const { claims } = minted;
  const store = ledgerFromEnv(env);
  try {
    await store?.ledger.create(claims.keyId, { budget, ...(claims.expiresAt === undefined ? {} : { expiresAt: claims.expiresAt }) });
  } finally {
    store?.close();
  }
  if (values.json) {
    out(JSON.stringify({ key_id: claims.keyId, token: minted.token, kid: signingKey.kid, budget_wei: budget.toString(), models: models ?? null, expires_at: claims.expiresAt ?? null, ledger_table: store?.table ?? null }));
    return;
  }
  out(`Created Compose Key ${claims.keyId} (signed with ${signingKey.kid})`);
  out(`  budget:  ${formatUsd(budget)} USDC`);
  out(`  models:  ${models?.join(', ') ?? 'any'}`);
  out(`  expires: ${claims.expiresAt === undefined ? 'never' : new Date(claims.expiresAt * 1000).toISOString()}`);
  out(`  ledger:  ${store ? `written to ${store.table}` : 'created from the budget claim on first use'}`);
  out('');
  out('The key (shown once; it is a secret):');
  out(`  ${minted.token}`);
  out('');
  out('Send it as `Authorization: Bearer compose-…` (OpenAI SDKs: apiKey = the key).');
};

const show = async (subject: string | undefined, values: Record<string, string | boolean | undefined>, env: NodeJS.ProcessEnv, out: (line: string) => void): Promise<void> => {
  if (!subject) throw new Error('show needs a key id or a compose-… token');
  const isToken = subject.startsWith(KEY_PREFIX) || subject.split('.').length === 3;
  let keyId = subject;
  let claims: Record<string, unknown> | undefined;
  let signature: string | undefined;
  if (isToken) {
    const payload = decodeJwt(subject.startsWith(KEY_PREFIX) ? subject.slice(KEY_PREFIX.length) : subject);
    keyId = String(payload.jti);
    claims = { sub: payload.sub, budget: payload.budget, models: payload.models, iat: payload.iat, exp: payload.exp, iss: payload.iss, aud: payload.aud };
    const verifier = createKeyVerifier({
      jwks: publicJwks(dataDirFromEnv(env)),
      issuer: env.COMPOSE_KEYS_ISSUER || DEFAULT_ISSUER,
      audience: env.COMPOSE_KEYS_AUDIENCE || DEFAULT_AUDIENCE,
      algorithms: [...DEFAULT_ALGORITHMS],
    });
    signature = await verifier.verify(subject).then(
      () => 'valid',
      (error: { code?: string }) => `refused (${error.code ?? 'error'})`,
    );
  }
  const store = ledgerFromEnv(env);
  const ledger = store ? await store.ledger.getLedger(keyId).finally(() => store.close()) : undefined;
  if (values.json) {
    out(JSON.stringify({ key_id: keyId, claims: claims ?? null, verification: signature ?? null, ledger: jsonLedger(ledger) ?? null }));
    return;
  }
  out(`Compose Key ${keyId}`);
  if (claims) out(`  claims:    ${JSON.stringify(claims)}`);
  if (signature) out(`  verifies:  ${signature} against ${join(dataDirFromEnv(env), 'keys')}`);
  for (const line of store ? describeLedger(ledger) : [`  ledger:    not found (${noLedger(env)})`]) out(line);
};

/**
 * Every option of this CLI is long (`--budget`), so an argument with one leading dash is a key id (base64url ids may
 * start with '-'; keys minted before newKeyId avoided it still do), never an option: it goes after a `--`.
 */
const dashLedAsArguments = (argv: readonly string[]): string[] => {
  if (argv.includes('--')) return [...argv];
  const dashLed = (arg: string): boolean => /^-[^-]/.test(arg);
  const rest = argv.filter(dashLed);
  return rest.length === 0 ? [...argv] : [...argv.filter((arg) => !dashLed(arg)), '--', ...rest];
};

export const runKeysCli = async (argv: readonly string[], env: NodeJS.ProcessEnv = process.env, out: (line: string) => void = console.log): Promise<void> => {
  const { positionals, values } = parseArgs({
    args: dashLedAsArguments(argv),
    allowPositionals: true,
    options: { budget: { type: 'string' }, models: { type: 'string' }, expires: { type: 'string' }, subject: { type: 'string' }, json: { type: 'boolean' } },
  });
  const [command, argument] = positionals;
  const dataDir = dataDirFromEnv(env);
  switch (command) {
    case 'create':
      return create(values, env, out);
    case 'show':
      return show(argument, values, env, out);
    case 'revoke':
      return revoke(argument, env, out);
    case 'rotate': {
      const key = await rotateSigningKey(dataDir);
      out(`New signing key ${key.kid}; previous keys keep verifying until retired. Redeploy COMPOSE_KEYS_JWKS (npm run keys -- jwks).`);
      return;
    }
    case 'retire':
      if (!argument) throw new Error('retire needs a kid');
      retireSigningKey(dataDir, argument);
      out(`Retired ${argument}.`);
      return;
    case 'jwks':
      await ensureDevSigningKey(dataDir);
      out(JSON.stringify(publicJwks(dataDir)));
      return;
    default:
      throw new Error('usage: npm run keys -- create --budget 5.00 [--models a,b] [--expires 30d] | show <keyId|token> | revoke <keyId> | rotate | retire <kid> | jwks');
  }
};

if (import.meta.main) {
  runKeysCli(process.argv.slice(2)).catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exitCode = 1;
  });
}
