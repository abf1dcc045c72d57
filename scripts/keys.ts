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
 * DynamoDB at AWS_ENDPOINT_URL_DYNAMODB (the local runtime's dynalite; `npm start` prints it) and
 * LEDGERS_TABLE (default `compose-$STAGE-ledgers`, stage `local`). Without either, `create` leaves the
 * ledger to be created from the key's budget claim on first use.
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
import { physicalTableName, TABLES } from '../shared/stores/tables.ts';

export { ensureDevSigningKey, mintKey, publicJwks };

const root = join(import.meta.dirname, '..');
export const dataDirFromEnv = (env: NodeJS.ProcessEnv = process.env): string => env.COMPOSE_DATA_DIR ?? join(root, '.data');

const DURATION = /^(\d+)([smhd])$/;
const SECONDS = { s: 1, m: 60, h: 3600, d: 86_400 } as const;
export const parseDuration = (text: string): number => {
  const match = DURATION.exec(text);
  if (!match) throw new Error(`--expires takes a duration such as 30d, 12h, 45m or 3600s, not '${text}'`);
  return Number(match[1]) * SECONDS[match[2] as keyof typeof SECONDS];
};

/** The ledger through the endpoint in the environment, or undefined when none is configured. */
const ledgerFromEnv = (env: NodeJS.ProcessEnv): { ledger: KeyLedger; table: string; close: () => void } | undefined => {
  const endpoint = env.AWS_ENDPOINT_URL_DYNAMODB;
  if (!endpoint && !env[TABLES.ledgers.envVar]) return undefined;
  const local = endpoint !== undefined && !env.AWS_ACCESS_KEY_ID;
  const raw = new DynamoDBClient({
    region: env.AWS_REGION ?? 'us-east-1',
    ...(endpoint ? { endpoint } : {}),
    // dynalite accepts any signature; a real account's credentials come from the usual chain.
    ...(local ? { credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } : {}),
  });
  const table = env[TABLES.ledgers.envVar] ?? physicalTableName(env.STAGE ?? 'local', 'ledgers');
  return { ledger: createKeyLedger({ client: DynamoDBDocumentClient.from(raw), tableName: table }), table, close: () => raw.destroy() };
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
  for (const line of store ? describeLedger(ledger) : ['  ledger:    no DynamoDB configured (set AWS_ENDPOINT_URL_DYNAMODB)']) out(line);
};

export const runKeysCli = async (argv: readonly string[], env: NodeJS.ProcessEnv = process.env, out: (line: string) => void = console.log): Promise<void> => {
  const { positionals, values } = parseArgs({
    args: [...argv],
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
    case 'revoke': {
      if (!argument) throw new Error('revoke needs a key id');
      const store = ledgerFromEnv(env);
      if (!store) throw new Error('revoke needs the ledger: set AWS_ENDPOINT_URL_DYNAMODB (and LEDGERS_TABLE if not the local default)');
      await store.ledger.revoke(argument).finally(() => store.close());
      out(`Revoked ${argument}: its next reservation is refused with revoked_api_key.`);
      return;
    }
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
