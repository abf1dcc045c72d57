/**
 * The environment a family's function starts with in AWS: what the stack sets (infra/lib/compose-stack.ts,
 * storage bindings from infra/lib/access.ts) plus the variables the Lambda runtime itself provides.
 * Values are placeholders; nothing at module init may need a real one. Functions outside the route table
 * (queue workers) get a superset, since the bench cannot know their grants.
 */
import { accessOf, type FamilyAccess } from '../../infra/lib/access.ts';
import { PROVIDER_SECRETS_ENV } from '../../layers/providers/credentials.ts';
import { KEY_ENV } from '../../shared/keys/index.ts';
import { PLATFORM_FEE_ENV } from '../../shared/pricing/index.ts';
import { FAMILIES, type Family } from '../../shared/routes.ts';
import { MEDIA_BUCKET_ENV, TABLES, physicalTableName, type TableName } from '../../layers/core/tables.ts';

const STAGE = 'bench';
const REGION = 'us-east-1';

export interface LambdaEnvOptions {
  /** Public JWKS for Compose Key verification, given to the families that charge (as the stack will). */
  readonly jwks?: string;
}

/** What a function outside the route table (a worker) may get: every table, the bucket and the secrets. */
const SUPERSET: FamilyAccess = { tables: Object.keys(TABLES) as TableName[], media: true, providerSecrets: true };

export const isFamily = (name: string): name is Family => name in FAMILIES;

export const lambdaEnv = (functionName: string, options: LambdaEnvOptions = {}): Record<string, string> => {
  const access = isFamily(functionName) ? accessOf(functionName) : SUPERSET;
  const charges = access.tables.includes('ledgers');
  const name = `compose-${STAGE}-${functionName}`;
  return {
    // The Lambda runtime's own variables.
    AWS_REGION: REGION,
    AWS_DEFAULT_REGION: REGION,
    AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x',
    AWS_LAMBDA_FUNCTION_NAME: name,
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(isFamily(functionName) ? FAMILIES[functionName].memoryMB : 1024),
    AWS_LAMBDA_LOG_FORMAT: 'JSON',
    AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${name}`,
    AWS_ACCESS_KEY_ID: 'ASIABENCH',
    AWS_SECRET_ACCESS_KEY: 'bench',
    AWS_SESSION_TOKEN: 'bench',
    LAMBDA_TASK_ROOT: '/var/task',
    TZ: ':UTC',
    // What the stack sets.
    STAGE,
    // As infra/lib/family-function.ts sets it for a stage with its defaults: the in-process tracer is opt-in.
    POWERTOOLS_TRACE_ENABLED: 'false',
    COMPOSE_SHARED_ASSETS: '/opt/compose',
    [PLATFORM_FEE_ENV]: '100',
    X402_NETWORK: 'eip155:84532',
    ...Object.fromEntries(access.tables.map((table) => [TABLES[table].envVar, physicalTableName(STAGE, table)])),
    ...(access.media ? { [MEDIA_BUCKET_ENV]: `compose-${STAGE}-media` } : {}),
    ...(charges && options.jwks ? { [KEY_ENV.jwks]: options.jwks } : {}),
    ...(access.providerSecrets ? { [PROVIDER_SECRETS_ENV]: `arn:aws:secretsmanager:${REGION}:000000000000:secret:compose-${STAGE}-providers` } : {}),
    // The gas-check worker's own settings (infra/lib/relayer-gas-check.ts): the wallet it watches, read at init.
    ...(functionName === 'relayer-gas-check' ? { X402_RELAYER_ADDRESS: '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC' } : {}),
  };
};
