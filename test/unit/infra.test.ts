/**
 * The CDK app, asserted on its synthesized templates. Construction bundles seven functions with esbuild, so
 * each stack is built once per file and shared; the prod stack reuses the dev bundles from CDK's asset cache.
 * The payments section at the end asserts the dev stack too, and a stage with payments configured.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, type Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import type { CfnTable } from 'aws-cdk-lib/aws-dynamodb';
import type { CfnBucket } from 'aws-cdk-lib/aws-s3';
import type { CfnSecret } from 'aws-cdk-lib/aws-secretsmanager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accessOf, chargingOf } from '../../infra/lib/access.ts';
import { BINARY_MEDIA_TYPES } from '../../infra/lib/api.ts';
import { GATEWAY_RESPONSES } from '../../infra/lib/gateway-responses.ts';
import { buildComposeApp } from '../../infra/lib/compose-app.ts';
import type { ComposeStack } from '../../infra/lib/compose-stack.ts';
import { SETTLEMENT_WORKER } from '../../infra/lib/settlement-queue.ts';
import { PROVIDER_SECRETS_ENV } from '../../layers/providers/credentials.ts';
import { x402PaymentsFromEnv } from '../../shared/billing/x402-from-env.ts';
import { keyVerifierConfigFromEnv } from '../../shared/keys/config.ts';
import { QUEUES, deadLetterQueueName, physicalQueueName } from '../../shared/stores/queues.ts';
import { FALLBACK_PATH, FAMILIES, FAMILY_NODE_OPTIONS, ROUTES, type Family } from '../../shared/routes.ts';
import { MEDIA_BUCKET_ENV, TABLES, physicalTableName, type TableName } from '../../layers/core/tables.ts';

const CERT = 'arn:aws:acm:eu-west-1:123456789012:certificate/11111111-2222-3333-4444-555555555555';
const FAMILY_LIST = Object.keys(FAMILIES) as Family[];
const JWKS = { keys: [{ kty: 'OKP', crv: 'Ed25519', x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo', kid: 'k1' }] };
const TABLE_LIST = Object.keys(TABLES) as TableName[];

interface Synth {
  readonly stack: ComposeStack;
  readonly template: Template;
  readonly annotations: Annotations;
  readonly json: { Resources: Record<string, { Type: string; Properties?: any; Metadata?: any }>; Outputs?: Record<string, any> };
}

/** cdk.json's context (feature flags included), so tests synthesize what `cdk synth` does. */
const CDK_CONTEXT = JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')).context as Record<string, unknown>;
/** cdk.json's prod example (reserved concurrency, WAF), which the prod stack is built with. */
const PROD_EXAMPLE = (CDK_CONTEXT.stages as Record<string, Record<string, unknown>>).prod;

/** One assembly directory for both apps: CDK's bundle cache is keyed by it, so prod reuses dev's bundles. */
const OUTDIR = mkdtempSync(join(tmpdir(), 'compose-infra-test-'));

const synth = (context: Record<string, unknown>): Synth => {
  // CloudFormation validation starts a WebAssembly engine (~4 s of CPU a process): infra-cli.test.ts validates the
  // templates `cdk synth` writes for both stages, in one process, so these synths leave it off.
  const app = new App({ context: { ...CDK_CONTEXT, ...context }, builtinCloudFormationValidation: false, outdir: OUTDIR });
  const stack = buildComposeApp(app);
  // Annotations first: they force a synth, which the template then reuses (the other way round synthesizes twice).
  const annotations = Annotations.fromStack(stack);
  const template = Template.fromStack(stack);
  return { stack, template, annotations, json: template.toJSON() as Synth['json'] };
};

const logicalId = (stack: Stack, construct: { node: { defaultChild?: unknown } }): string =>
  stack.resolve((construct.node.defaultChild as CfnFunction).logicalId) as string;

/** cdk-nag's AwsSolutions errors and warnings left unacknowledged on a stack, one line each. */
const nagFindings = ({ annotations }: Synth): string[] =>
  [
    ...annotations.findError('*', Match.stringLikeRegexp('AwsSolutions-.*')),
    ...annotations.findWarning('*', Match.stringLikeRegexp('AwsSolutions-.*')),
  ].map((f) => `${f.id}: ${String(f.entry.data).split('\n')[0]}`);

let dev: Synth;
let prod: Synth;
let plain: Synth;
let paid: Synth;

beforeAll(() => {
  const started = Date.now();
  dev = synth({ stage: 'dev', paymentsOptional: true });
  // Same bundling options as dev (source maps on), so prod reuses dev's bundles from CDK's asset cache.
  prod = synth(
    {
      stage: 'prod',
      stages: {
        prod: {
          ...PROD_EXAMPLE,
          sourceMaps: true,
          composeKeysJwks: JWKS,
          domains: [{ domainName: 'api.compose.example', certificateArn: CERT }],
          // A relayer run elsewhere, watched for gas on the network the gateway can read.
          x402PayTo: '0x70997970C51812dc3A010C7d01b50e0d17dc79C8',
          x402FacilitatorUrl: 'https://x402.org/facilitator',
          x402Networks: [{ network: 'eip155:8453', chainId: 8453, name: 'Base', usdc: '0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913', rpcUrl: 'https://mainnet.base.org' }],
          x402RelayerAddress: '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC',
          alarms: { emails: [], topicArn: 'arn:aws:sns:eu-west-1:123456789012:pager' },
        },
      },
    },
  );
  // A stage that says it deploys without payments (no JWKS, no x402): the dev stage.
  plain = dev;
  // cdk.json-style values for most settings, and the payTo address as a single `-c` key (a string).
  paid = synth({
    stage: 'pay',
    stages: { pay: { composeKeysJwks: PAID_JWKS, x402FacilitatorUrl: FACILITATOR, x402Networks: NETWORKS } },
    x402PayTo: PAY_TO.toLowerCase(),
  });
  // Synth time is reported, not asserted: see the brief's note on bundling cost.
  console.info(`infra: synthesized the dev, prod and pay stacks in ${Date.now() - started} ms`);
});

afterAll(() => rmSync(OUTDIR, { recursive: true, force: true }));

/** Resource path → logical id, rebuilt from the template's parent links. */
const resourcePaths = (s: Synth): Map<string, string> => {
  const byId = Object.entries(s.json.Resources).filter(([, r]) => r.Type === 'AWS::ApiGateway::Resource');
  const paths = new Map<string, string>();
  const pathOf = (id: string): string => {
    const resource = s.json.Resources[id]!;
    const parent = resource.Properties.ParentId;
    const prefix = parent['Fn::GetAtt'] ? '' : pathOf(parent.Ref as string);
    return `${prefix}/${resource.Properties.PathPart}`;
  };
  for (const [id] of byId) paths.set(pathOf(id), id);
  return paths;
};

/** Methods as `METHOD path` → { function logical id, integration }. */
const methods = (s: Synth) => {
  const paths = new Map([...resourcePaths(s)].map(([path, id]) => [id, path]));
  const out = new Map<string, { fn: string; integration: any }>();
  for (const r of Object.values(s.json.Resources)) {
    if (r.Type !== 'AWS::ApiGateway::Method') continue;
    const resourceId = r.Properties.ResourceId;
    const path = resourceId.Ref ? paths.get(resourceId.Ref)! : '/';
    // Integrations invoke each function's `live` alias (a Ref to the alias is its ARN).
    const uriParts: any[] = r.Properties.Integration.Uri['Fn::Join'][1];
    const fn = uriParts.find((p) => p?.Ref && !String(p.Ref).startsWith('AWS::'))?.Ref as string;
    out.set(`${r.Properties.HttpMethod} ${path}`, { fn, integration: r.Properties.Integration });
  }
  return out;
};

const functionId = (s: Synth, family: Family) => logicalId(s.stack, s.stack.functions[family].function);
const aliasId = (s: Synth, family: Family) => logicalId(s.stack, s.stack.functions[family].alias);

describe('API from the route table', () => {
  it('has one method per route, on its path, integrated with its family function', () => {
    const all = methods(dev);
    for (const route of ROUTES) {
      const method = all.get(`${route.method} ${route.path}`);
      expect(method, `${route.method} ${route.path}`).toBeDefined();
      expect(method!.fn, `${route.method} ${route.path}`).toBe(aliasId(dev, route.family));
      expect(method!.integration.Type).toBe('AWS_PROXY');
    }
  });

  it('sends every other method and every unknown path to the router', () => {
    const all = methods(dev);
    const router = aliasId(dev, 'router');
    const paths = ['/', ...resourcePaths(dev).keys()];
    expect(paths).toContain(FALLBACK_PATH);
    expect(paths).toContain('/v1/models/{model+}');
    for (const path of paths) expect(all.get(`ANY ${path}`)?.fn, `ANY ${path}`).toBe(router);
    // Nothing but route-table methods and the router's ANY exist.
    expect(all.size).toBe(ROUTES.length + paths.length);
  });

  it('streams the streaming families through InvokeWithResponseStream, buffers the rest', () => {
    for (const [key, method] of methods(dev)) {
      const family = FAMILY_LIST.find((f) => aliasId(dev, f) === method.fn)!;
      const { streaming, timeoutSeconds } = FAMILIES[family];
      const uri = JSON.stringify(method.integration.Uri);
      if (streaming) {
        expect(method.integration.ResponseTransferMode, key).toBe('STREAM');
        expect(uri, key).toContain('/2021-11-15/functions/');
        expect(uri, key).toContain('/response-streaming-invocations');
        expect(method.integration.TimeoutInMillis, key).toBe(Math.min(timeoutSeconds, 900) * 1000);
      } else {
        expect(method.integration.ResponseTransferMode ?? 'BUFFERED', key).toBe('BUFFERED');
        expect(uri, key).toContain('/2015-03-31/functions/');
        expect(method.integration.TimeoutInMillis, key).toBeLessThanOrEqual(29_000);
      }
    }
    expect(FAMILY_LIST.some((f) => FAMILIES[f].streaming)).toBe(true);
  });

  it("lets API Gateway invoke each function's live alias once, API-wide", () => {
    for (const family of FAMILY_LIST) {
      dev.template.hasResourceProperties('AWS::Lambda::Permission', {
        Action: 'lambda:InvokeFunction',
        Principal: 'apigateway.amazonaws.com',
        FunctionName: { Ref: aliasId(dev, family) },
      });
    }
    const fromApi = Object.values(dev.template.findResources('AWS::Lambda::Permission')).filter((p) => p.Properties.Principal === 'apigateway.amazonaws.com');
    expect(fromApi).toHaveLength(FAMILY_LIST.length);
  });

  it('is regional, traced, throttled, access-logged as JSON, with binary uploads', () => {
    dev.template.hasResourceProperties('AWS::ApiGateway::RestApi', {
      EndpointConfiguration: { Types: ['REGIONAL'] },
      BinaryMediaTypes: BINARY_MEDIA_TYPES,
    });
    expect(BINARY_MEDIA_TYPES).toEqual(expect.arrayContaining(['multipart/form-data', 'audio/*']));
    dev.template.hasResourceProperties('AWS::ApiGateway::Stage', {
      StageName: 'dev',
      TracingEnabled: true,
      AccessLogSetting: { DestinationArn: Match.anyValue(), Format: Match.stringLikeRegexp('"requestId":"\\$context.requestId"') },
      MethodSettings: Match.arrayWith([
        Match.objectLike({ HttpMethod: '*', ResourcePath: '/*', LoggingLevel: 'ERROR', DataTraceEnabled: false, ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 }),
      ]),
    });
    const format = dev.template.findResources('AWS::ApiGateway::Stage');
    const accessLog = Object.values(format)[0]!.Properties.AccessLogSetting.Format as string;
    expect(() => JSON.parse(accessLog)).not.toThrow();
  });

  it('answers gateway-made errors in the OpenAI error shape', () => {
    for (const response of GATEWAY_RESPONSES) {
      const type = response.type.responseType;
      dev.template.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
        ResponseType: type,
        ...(response.status ? { StatusCode: response.status } : {}),
        ResponseTemplates: { 'application/json': response.template },
      });
      // API Gateway substitutes $context values; messageString arrives already quoted.
      const rendered = response.template.replaceAll('$context.error.messageString', '"Too Many Requests"').replaceAll(/\$context\.[a-zA-Z.]+/g, 'x');
      const body = JSON.parse(rendered);
      expect(body.error).toMatchObject({ message: expect.any(String), type: expect.any(String), code: expect.stringMatching(/^[a-z_]+$/) });
    }
    const types = GATEWAY_RESPONSES.map((r) => r.type.responseType);
    expect(types).toEqual(expect.arrayContaining(['DEFAULT_4XX', 'DEFAULT_5XX', 'THROTTLED', 'MISSING_AUTHENTICATION_TOKEN']));
  });
});

describe('functions', () => {
  it('run Node 24 on arm64 with memory and timeout from FAMILIES, the shared layer and the stage', () => {
    const layer = logicalId(dev.stack, dev.stack.sharedLayer.layer);
    for (const family of FAMILY_LIST) {
      const resource = dev.json.Resources[functionId(dev, family)]!;
      expect(resource.Properties).toMatchObject({
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        Handler: 'index.handler',
        MemorySize: FAMILIES[family].memoryMB,
        Timeout: FAMILIES[family].timeoutSeconds,
        TracingConfig: { Mode: 'Active' },
        Layers: [{ Ref: layer }],
        LoggingConfig: { LogFormat: 'JSON' },
        Environment: {
          Variables: expect.objectContaining({
            STAGE: 'dev',
            COMPOSE_SHARED_ASSETS: '/opt/compose',
            PLATFORM_FEE_BPS: '100',
            // Source maps are on for dev; Node only applies them with this flag. Media and videos also keep V8's
            // young generation small, so chunks of large files streamed through are collected as they pass.
            NODE_OPTIONS: ['--enable-source-maps', ...(FAMILY_NODE_OPTIONS[family] ? [FAMILY_NODE_OPTIONS[family]] : [])].join(' '),
          }),
        },
      });
      const prodEnv = prod.json.Resources[functionId(prod, family)]!.Properties.Environment.Variables;
      // x402 settings (X402_DEFAULT_NETWORK among them) only come with a payTo address: the payments section below.
      expect(prodEnv).toMatchObject({ STAGE: 'prod' });
      // Lambda's active tracing stays on; the in-process Powertools Tracer (about 4 ms of CPU per call) is opt-in.
      expect(prodEnv.POWERTOOLS_TRACE_ENABLED).toBe('false');
      if (FAMILY_NODE_OPTIONS[family]) expect(prodEnv.NODE_OPTIONS).toContain(FAMILY_NODE_OPTIONS[family]);
    }
  });

  it('log to their own log group with the stage retention', () => {
    for (const family of FAMILY_LIST) {
      const logGroup = logicalId(dev.stack, dev.stack.functions[family].logGroup);
      expect(dev.json.Resources[functionId(dev, family)]!.Properties.LoggingConfig.LogGroup).toEqual({ Ref: logGroup });
      expect(dev.json.Resources[logGroup]!.Properties.RetentionInDays).toBe(14);
      expect(prod.json.Resources[logicalId(prod.stack, prod.stack.functions[family].logGroup)]!.Properties.RetentionInDays).toBe(90);
    }
  });

  it('get each table they need as an env var and a matching IAM grant, and no other', () => {
    const policyOf = (family: Family) =>
      Object.values(dev.json.Resources).find(
        (r) => r.Type === 'AWS::IAM::Policy' && r.Properties.Roles.some((role: any) => role.Ref === logicalId(dev.stack, dev.stack.functions[family].function.role as any)),
      );
    for (const family of FAMILY_LIST) {
      const access = accessOf(family);
      const env = dev.json.Resources[functionId(dev, family)]!.Properties.Environment.Variables;
      const statements = JSON.stringify(policyOf(family)?.Properties.PolicyDocument.Statement ?? []);
      for (const table of TABLE_LIST) {
        const tableId = logicalId(dev.stack, dev.stack.storage.tables[table]);
        if (access.tables.includes(table)) {
          expect(env[TABLES[table].envVar], `${family} ${table}`).toEqual({ Ref: tableId });
          dev.template.hasResourceProperties('AWS::IAM::Policy', {
            Roles: [{ Ref: logicalId(dev.stack, dev.stack.functions[family].function.role as any) }],
            PolicyDocument: {
              Statement: Match.arrayWith([
                Match.objectLike({
                  Effect: 'Allow',
                  // Sorted, as minimized policies list them.
                  Action: Match.arrayWith(['dynamodb:ConditionCheckItem', 'dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem']),
                  Resource: Match.arrayWith([{ 'Fn::GetAtt': [tableId, 'Arn'] }]),
                }),
              ]),
            },
          });
        } else {
          expect(env[TABLES[table].envVar], `${family} ${table}`).toBeUndefined();
          expect(statements, `${family} ${table}`).not.toContain(tableId);
        }
      }
    }
  });

  it('charge through the ledger, nonce and idempotency tables wherever a route takes payment', () => {
    for (const family of FAMILY_LIST) {
      const auths = new Set(ROUTES.filter((r) => r.family === family).map((r) => r.auth));
      const tables = accessOf(family).tables;
      if (auths.has('payment')) expect(tables, family).toEqual(expect.arrayContaining(['ledgers', 'nonces', 'idempotency']));
      if (auths.has('key')) expect(tables, family).toEqual(expect.arrayContaining(['ledgers', 'idempotency']));
    }
    expect(accessOf('catalog').tables).toEqual([]);
    expect(accessOf('router').tables).toEqual([]);
  });

  it('get the media bucket and provider secret with env var and grant together', () => {
    const bucketId = logicalId(dev.stack, dev.stack.storage.mediaBucket);
    const secretId = logicalId(dev.stack, dev.stack.storage.providerSecrets as unknown as { node: { defaultChild: CfnSecret } });
    for (const family of FAMILY_LIST) {
      const access = accessOf(family);
      const env = dev.json.Resources[functionId(dev, family)]!.Properties.Environment.Variables;
      const role = { Ref: logicalId(dev.stack, dev.stack.functions[family].function.role as any) };
      if (access.media) {
        expect(env[MEDIA_BUCKET_ENV]).toEqual({ Ref: bucketId });
        dev.template.hasResourceProperties('AWS::IAM::Policy', {
          Roles: [role],
          PolicyDocument: {
            Statement: Match.arrayWith([
              Match.objectLike({
                Action: Match.arrayWith(['s3:GetObject', 's3:PutObject']),
                Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucketId, 'Arn'] }, '/*']] },
              }),
            ]),
          },
        });
      } else {
        expect(env[MEDIA_BUCKET_ENV], family).toBeUndefined();
      }
      if (access.providerSecrets) {
        expect(env[PROVIDER_SECRETS_ENV]).toEqual({ Ref: secretId });
        dev.template.hasResourceProperties('AWS::IAM::Policy', {
          Roles: [role],
          PolicyDocument: {
            Statement: Match.arrayWith([
              Match.objectLike({ Action: Match.arrayWith(['secretsmanager:GetSecretValue']), Resource: { Ref: secretId } }),
            ]),
          },
        });
      } else {
        expect(env[PROVIDER_SECRETS_ENV], family).toBeUndefined();
      }
    }
    expect(accessOf('inference')).toMatchObject({ media: true, providerSecrets: true });
    expect(accessOf('health')).toMatchObject({ media: false, providerSecrets: false });
  });

  it('let the media function presign upload PUTs and stream uploads back: PutObject and GetObject on every key, uploads/ included', () => {
    const bucketId = logicalId(dev.stack, dev.stack.storage.mediaBucket);
    const role = { Ref: logicalId(dev.stack, dev.stack.functions.media.function.role as any) };
    dev.template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [role],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Allow', Action: Match.arrayWith(['s3:GetObject', 's3:PutObject']), Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucketId, 'Arn'] }, '/*']] } }),
        ]),
      },
    });
  });

  it('never grant listing or bucket-wide S3 actions', () => {
    const statements = Object.values(dev.json.Resources)
      .filter((r) => r.Type === 'AWS::IAM::Policy')
      .flatMap((r) => r.Properties.PolicyDocument.Statement as { Action: string | string[] }[]);
    const actions = statements.flatMap((s) => [s.Action].flat()).filter((a) => a.startsWith('s3:'));
    expect(actions.length).toBeGreaterThan(0);
    for (const action of actions) expect(action).not.toMatch(/\*|^s3:List(Bucket)?$|^s3:PutBucket/);
  });
});

describe('storage', () => {
  it('has one table per TABLES entry: pk string key, TTL, PITR, on-demand, AWS-managed encryption', () => {
    dev.template.resourceCountIs('AWS::DynamoDB::Table', TABLE_LIST.length);
    for (const table of TABLE_LIST) {
      dev.template.hasResourceProperties('AWS::DynamoDB::Table', {
        TableName: physicalTableName('dev', table),
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
        TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        BillingMode: 'PAY_PER_REQUEST',
        SSESpecification: { SSEEnabled: true },
      });
    }
  });

  it('keeps prod tables on delete and protects them; dev tables are disposable', () => {
    for (const table of TABLE_LIST) {
      const devTable = dev.json.Resources[logicalId(dev.stack, dev.stack.storage.tables[table] as unknown as { node: { defaultChild: CfnTable } })]!;
      const prodTable = prod.json.Resources[logicalId(prod.stack, prod.stack.storage.tables[table] as unknown as { node: { defaultChild: CfnTable } })]!;
      expect(devTable).toMatchObject({ DeletionPolicy: 'Delete' });
      expect(prodTable).toMatchObject({ DeletionPolicy: 'Retain', Properties: { TableName: physicalTableName('prod', table), DeletionProtectionEnabled: true } });
    }
  });

  it('has a private, encrypted, SSL-only media bucket with expiring outputs and access logs', () => {
    const bucketId = logicalId(dev.stack, dev.stack.storage.mediaBucket as unknown as { node: { defaultChild: CfnBucket } });
    const logsId = logicalId(dev.stack, dev.stack.storage.accessLogsBucket as unknown as { node: { defaultChild: CfnBucket } });
    expect(dev.json.Resources[bucketId]!.Properties).toMatchObject({
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      LoggingConfiguration: { DestinationBucketName: { Ref: logsId } },
      LifecycleConfiguration: {
        Rules: [
          expect.objectContaining({ ExpirationInDays: 7, Status: 'Enabled' }),
          // Uploads for transcriptions and edits (POST /v1/uploads) go after a day.
          expect.objectContaining({ Prefix: 'uploads/', ExpirationInDays: 1, Status: 'Enabled' }),
        ],
      },
    });
    dev.template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: bucketId },
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]),
      },
    });
  });

  it('has a provider-keys secret per stage with no value in the template', () => {
    dev.template.hasResourceProperties('AWS::SecretsManager::Secret', { Name: 'compose/dev/providers', SecretString: '{}' });
    prod.template.hasResourceProperties('AWS::SecretsManager::Secret', { Name: 'compose/prod/providers' });
  });
});

/** The folder CDK staged a function's code asset in (its bundle, as deployed). */
const assetDir = (s: Synth, family: Family): string =>
  join(OUTDIR, `asset.${String(s.json.Resources[functionId(s, family)]!.Properties.Code.S3Key).replace(/\.zip$/, '')}`);

/** The chunks a minified ESM file imports: statically (`import"./c.mjs"`, `from"./c.mjs"`) or with import(). */
const chunkImports = (file: string): { static: string[]; dynamic: string[] } => {
  const code = readFileSync(file, 'utf8');
  return {
    static: [...code.matchAll(/(?:\bfrom|\bimport)\s*"\.\/(chunk-[\w-]+\.mjs)"/g)].map((m) => m[1]!),
    dynamic: [...code.matchAll(/\bimport\(\s*"\.\/(chunk-[\w-]+\.mjs)"\s*\)/g)].map((m) => m[1]!),
  };
};

/** The files Node loads when it imports `entry`: the entry and, transitively, the chunks it imports statically. */
const loadedAtInit = (dir: string, entry: string): Set<string> => {
  const seen = new Set<string>();
  const stack = [entry];
  while (stack.length) {
    const file = stack.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    stack.push(...chunkImports(join(dir, file)).static);
  }
  return seen;
};

/** The project sources a bundled file holds, from its source map (dev builds source maps). */
const sourcesOf = (dir: string, file: string): string[] => (JSON.parse(readFileSync(join(dir, `${file}.map`), 'utf8')) as { sources: string[] }).sources;

describe('function code', () => {
  it('is esbuild’s split output: index.mjs exporting the handler, beside the chunks it imports', () => {
    for (const family of FAMILY_LIST) {
      const dir = assetDir(dev, family);
      const files = readdirSync(dir);
      expect(files).toContain('index.mjs');
      expect(/export\{[^}]*\bhandler[,}]/.test(readFileSync(join(dir, 'index.mjs'), 'utf8')), `${family}: index.mjs exports handler`).toBe(true);
      // Every chunk imported anywhere was written beside it.
      for (const file of files.filter((f) => f.endsWith('.mjs'))) {
        const { static: eager, dynamic } = chunkImports(join(dir, file));
        for (const chunk of [...eager, ...dynamic]) expect(files).toContain(chunk);
      }
    }
  });

  it('loads the inference function’s media and video root on first use, not at init', () => {
    const dir = assetDir(dev, 'inference');
    const atInit = loadedAtInit(dir, 'index.mjs');
    const sourcesAtInit = [...atInit].flatMap((file) => sourcesOf(dir, file));
    expect(sourcesAtInit.some((source) => source.endsWith('functions/inference/handler.ts'))).toBe(true);
    expect(sourcesAtInit.filter((source) => /functions\/(media|videos)\/|functions\/inference\/media-root\.ts$/.test(source))).toEqual([]);
    // The root is still deployed, in a chunk the entry's graph reaches through import().
    const lazy = readdirSync(dir).filter((f) => f.endsWith('.mjs') && !atInit.has(f));
    expect(lazy.flatMap((file) => sourcesOf(dir, file)).some((source) => source.endsWith('functions/inference/media-root.ts'))).toBe(true);
  });

  it('gives each function its own bundle (CDK’s asset cache keys on the esbuild options)', () => {
    const dirs = FAMILY_LIST.map((family) => assetDir(dev, family));
    expect(new Set(dirs).size).toBe(FAMILY_LIST.length);
  });
});

describe('shared layer', () => {
  const layerResource = () => Object.values(dev.json.Resources).find((r) => r.Type === 'AWS::Lambda::LayerVersion')!;
  const layerDir = (): string => join(OUTDIR, `asset.${String(layerResource().Properties.Content.S3Key).replace(/\.zip$/, '')}`);
  const bundleText = (dir: string): string =>
    readdirSync(dir)
      .filter((f) => f.endsWith('.mjs'))
      .map((f) => readFileSync(join(dir, f), 'utf8'))
      .join('\n');

  it('is one Node 24 arm64 layer attached to every function: families and workers', () => {
    dev.template.resourceCountIs('AWS::Lambda::LayerVersion', 1);
    dev.template.hasResourceProperties('AWS::Lambda::LayerVersion', { CompatibleRuntimes: ['nodejs24.x'], CompatibleArchitectures: ['arm64'] });
    const layer = logicalId(dev.stack, dev.stack.sharedLayer.layer);
    // The families, the settlement worker and the video worker (prod adds the relayer gas check).
    const functions = [...FAMILY_LIST.map((family) => dev.stack.functions[family].function), dev.stack.settlements.worker.function, dev.stack.videos.worker.function];
    for (const fn of functions) expect(dev.json.Resources[logicalId(dev.stack, fn)]!.Properties.Layers).toEqual([{ Ref: layer }]);
    const prodLayer = logicalId(prod.stack, prod.stack.sharedLayer.layer);
    expect(prod.json.Resources[logicalId(prod.stack, prod.stack.relayerGasCheck!.check.function)]!.Properties.Layers).toEqual([{ Ref: prodLayer }]);
  });

  it('holds the adapters, x402 and the bottom tier as packages, and the AWS SDK, under nodejs/node_modules', () => {
    const modules = join(layerDir(), 'nodejs', 'node_modules');
    for (const pkg of ['core', 'providers', 'x402']) {
      const manifest = JSON.parse(readFileSync(join(modules, '@compose-inference', pkg, 'package.json'), 'utf8'));
      expect(manifest).toMatchObject({ name: `@compose-inference/${pkg}`, type: 'module', exports: { './*': './*.mjs' } });
    }
    // The adapters' common code (the registries, the transport) is one module; what a provider's first call imports
    // has a file of its own (Gemini's model, each media adapter), and so do the credentials; x402 on its own.
    const providers = readdirSync(join(modules, '@compose-inference', 'providers'));
    expect(providers).toEqual(expect.arrayContaining(['index.mjs', 'credentials.mjs', 'gemini', 'openai']));
    expect(providers).not.toContain('registry.mjs');
    expect(readdirSync(join(modules, '@compose-inference', 'providers', 'gemini'))).toContain('model.mjs');
    expect(readdirSync(join(modules, '@compose-inference', 'x402'))).toContain('index.mjs');
    // The bottom tier is one module (its lazily loaded tracer aside), not a file per source module.
    expect(readdirSync(join(modules, '@compose-inference', 'core')).filter((name) => name.endsWith('.mjs'))).toEqual(['index.mjs']);
    expect(readdirSync(join(modules, '@aws-sdk'))).toEqual(expect.arrayContaining(['client-dynamodb', 'lib-dynamodb', 'client-s3']));
  });

  it('builds the AWS SDK apart: the project’s packages import it from the layer’s SDK packages, as the functions do', () => {
    const modules = join(layerDir(), 'nodejs', 'node_modules');
    const files = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((entry) => (entry.isDirectory() ? files(join(dir, entry.name)) : entry.name.endsWith('.mjs') ? [join(dir, entry.name)] : []));
    const project = files(join(modules, '@compose-inference')).map((file) => readFileSync(file, 'utf8'));
    // One copy of each client: x402's ConditionalCheckFailedException is the class the functions' own code sees.
    expect(project.filter((text) => /DynamoDBServiceException|S3ServiceException/.test(text))).toEqual([]);
    expect(project.some((text) => text.includes('from"@aws-sdk/client-dynamodb"'))).toBe(true);
    expect(readdirSync(join(modules, '@aws-sdk', '_chunks')).length).toBeGreaterThan(0);
  });

  it('still carries the generated catalog under compose/, and a manifest of every file', () => {
    const manifest = JSON.parse(readFileSync(join(layerDir(), 'compose', 'manifest.json'), 'utf8')) as { files: Record<string, string> };
    const catalogFiles = readdirSync(new URL('../../shared/catalog/generated/', import.meta.url)).map((f) => `compose/catalog/${f}`);
    expect(catalogFiles.length).toBeGreaterThan(0);
    expect(Object.keys(manifest.files)).toEqual(expect.arrayContaining(catalogFiles));
    expect(Object.keys(manifest.files)).toContain('nodejs/node_modules/@compose-inference/core/index.mjs');
  });

  it('is where the functions import the adapters, x402 and the SDK from: their own bundles do not carry them', () => {
    for (const family of FAMILY_LIST) {
      const text = bundleText(assetDir(dev, family));
      // Every function imports the bottom tier (errors, logging) from the layer.
      expect(text).toMatch(/from"@compose-inference\/core\//);
      // No adapter or x402 source in the bundle: their distinctive strings only live in the layer.
      expect(text).not.toContain('payment_invalid_signature');
      expect(text).not.toContain('generativelanguage.googleapis.com');
      // The SDK is imported, never bundled.
      expect(text).not.toMatch(/DynamoDBServiceException|S3ServiceException/);
    }
    const inference = bundleText(assetDir(dev, 'inference'));
    expect(inference).toMatch(/"@compose-inference\/providers\/index"/);
    expect(inference).toMatch(/"@compose-inference\/x402\/index"/);
    expect(inference).toMatch(/"@aws-sdk\/client-dynamodb"/);
  });
});

describe('custom domain', () => {
  it('is absent unless configured', () => {
    dev.template.resourceCountIs('AWS::ApiGateway::DomainName', 0);
    dev.template.resourceCountIs('AWS::ApiGateway::BasePathMapping', 0);
    expect(Object.keys(dev.json.Outputs ?? {}).some((k) => k.startsWith('ApiUrl'))).toBe(true);
  });

  it('maps a configured domain, regional with its ACM certificate, onto the stage', () => {
    prod.template.hasResourceProperties('AWS::ApiGateway::DomainName', {
      DomainName: 'api.compose.example',
      RegionalCertificateArn: CERT,
      EndpointConfiguration: { Types: ['REGIONAL'] },
      SecurityPolicy: 'TLS_1_2',
    });
    prod.template.hasResourceProperties('AWS::ApiGateway::BasePathMapping', {
      RestApiId: { Ref: logicalId(prod.stack, prod.stack.api.restApi) },
      Stage: { Ref: Match.anyValue() },
    });
    const outputs = Object.values(prod.json.Outputs ?? {}).map((o) => JSON.stringify(o.Value));
    expect(outputs).toContain(JSON.stringify('https://api.compose.example/'));
  });
});

describe('cdk.json', () => {
  it('runs the app on the pinned Node 24, not whatever node is on PATH', () => {
    const cdkJson = JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8'));
    expect(cdkJson.app).toBe('./node_modules/.bin/node infra/bin/app.ts');
  });
});

describe('cdk-nag AwsSolutions', () => {
  for (const [name, get] of [['dev', () => dev], ['prod', () => prod]] as const) {
    it(`leaves no unacknowledged error or warning on ${name}`, () => {
      expect(nagFindings(get())).toEqual([]);
    });
  }

  // CloudFormation validation of the stages as deployed: infra-cli.test.ts.
  it('synthesizes dev with no error or warning at all', () => {
    expect([...dev.annotations.findError('*', Match.anyValue()), ...dev.annotations.findWarning('*', Match.anyValue())]).toEqual([]);
  });

  it('gives every acknowledgement a reason', () => {
    const suppressions = Object.values(dev.json.Resources).flatMap((r) => (r.Metadata?.cdk_nag?.rules_to_suppress ?? []) as { id: string; reason: string }[]);
    expect(suppressions.length).toBeGreaterThan(0);
    for (const s of suppressions) expect(s.reason.length, s.id).toBeGreaterThan(40);
  });
});

describe('operations', () => {
  it('checks the relayer gas every five minutes and alarms when it runs low or stops reporting', () => {
    const check = prod.stack.relayerGasCheck!;
    expect(check).toBeDefined();
    expect(dev.stack.relayerGasCheck).toBeUndefined();
    prod.template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ X402_RELAYER_ADDRESS: '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC' }) },
    });
    prod.template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(5 minutes)', State: 'ENABLED' });
    prod.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'compose-prod-relayer-gas-eip155-8453',
      MetricName: 'RelayerGasBalance',
      ComparisonOperator: 'LessThanThreshold',
      Threshold: 0.01,
      TreatMissingData: 'breaching',
      Dimensions: Match.arrayWith([{ Name: 'network', Value: 'eip155:8453' }, { Name: 'stage', Value: 'prod' }]),
    });
  });

  it('notifies the stage topic and, when configured, an existing topic too', () => {
    const alarms = Object.values(prod.template.findResources('AWS::CloudWatch::Alarm'));
    for (const alarm of alarms) expect(alarm.Properties.AlarmActions).toContain('arn:aws:sns:eu-west-1:123456789012:pager');
    for (const alarm of Object.values(dev.template.findResources('AWS::CloudWatch::Alarm'))) expect(alarm.Properties.AlarmActions).toHaveLength(1);
    dev.template.resourceCountIs('AWS::SNS::Subscription', 0);
  });

  it('has no WAF, no reserved concurrency and no account-level API Gateway resource in a dev stage', () => {
    dev.template.resourceCountIs('AWS::WAFv2::WebACL', 0);
    dev.template.resourceCountIs('AWS::ApiGateway::Account', 0);
    for (const fn of Object.values(dev.template.findResources('AWS::Lambda::Function'))) expect(fn.Properties.ReservedConcurrentExecutions).toBeUndefined();
  });
});

/*
 * Payments in the CDK app: the Compose Key and x402 settings each function gets, and the x402 settlement retry
 * queue with its worker, on two stacks: `plain`, the dev stage above (no payment settings: paymentsOptional),
 * and `paid`, a stage with a JWKS, a payTo address, a facilitator and its own networks. (They were a file of their
 * own, infra-billing.test.ts, which synthesized the same dev stage again in another process.)
 */
const PAYMENT_FAMILIES = FAMILY_LIST.filter((f) => chargingOf(f) === 'payment');
const CHARGING_FAMILIES = FAMILY_LIST.filter((f) => chargingOf(f) !== 'none');

const PAID_JWKS = { keys: [{ kty: 'OKP', crv: 'Ed25519', x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo', kid: 'compose-2025-01', alg: 'EdDSA' }] };
const PAY_TO = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8';
const FACILITATOR = 'https://x402.org/facilitator';
const NETWORKS = [
  { network: 'eip155:84532', chainId: 84532, name: 'Base Sepolia', usdc: '0x036CbD53842c5426634e7929541eC2318f3dCF7e', rpcUrl: 'https://sepolia.base.org' },
];

/** Every function in the stack: the families and the settlement worker. */
const allFunctions = (s: Synth) => [
  ...FAMILY_LIST.map((f) => [f, s.stack.functions[f].function] as const),
  ['settlement-worker', s.stack.settlements.worker.function] as const,
];

const envOf = (s: Synth, fn: { node: { defaultChild?: unknown } }): Record<string, unknown> =>
  s.json.Resources[logicalId(s.stack, fn)]!.Properties.Environment.Variables;

/** The statements of the policy attached to a function's role. */
const statementsOf = (s: Synth, fn: { role?: unknown }): { Action: string | string[]; Resource: unknown }[] => {
  const role = logicalId(s.stack, fn.role as { node: { defaultChild?: unknown } });
  return Object.values(s.json.Resources)
    .filter((r) => r.Type === 'AWS::IAM::Policy' && r.Properties.Roles.some((ref: any) => ref.Ref === role))
    .flatMap((r) => r.Properties.PolicyDocument.Statement);
};

const queueId = (s: Synth) => logicalId(s.stack, s.stack.settlements.queue);
const dlqId = (s: Synth) => logicalId(s.stack, s.stack.settlements.deadLetterQueue);
const workerId = (s: Synth) => logicalId(s.stack, s.stack.settlements.worker.function);

/** Placeholder strings for the deploy-time tokens, so the runtime's readers can be run on a synthesized env. */
const asRuntimeEnv = (env: Record<string, unknown>): NodeJS.ProcessEnv =>
  Object.fromEntries(Object.entries(env).map(([k, v]) => [k, typeof v === 'string' ? v : `deploy-time:${k}`]));

describe('payments', () => {
  describe('settlement retry queue', () => {
    it('is a queue with a dead-letter queue: names and timeouts from QUEUES, redrive after maxReceiveCount, SQS-managed encryption', () => {
      for (const s of [plain, paid]) {
        const stage = s.stack.config.stage;
        s.template.hasResourceProperties('AWS::SQS::Queue', {
          QueueName: physicalQueueName(stage, 'settlements'),
          VisibilityTimeout: QUEUES.settlements.visibilityTimeoutSeconds,
          SqsManagedSseEnabled: true,
          RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [dlqId(s), 'Arn'] }, maxReceiveCount: QUEUES.settlements.maxReceiveCount },
        });
        s.template.hasResourceProperties('AWS::SQS::Queue', {
          QueueName: deadLetterQueueName(stage, 'settlements'),
          SqsManagedSseEnabled: true,
          // Messages expire by their first enqueue time, also once in the DLQ: keep them as long as SQS allows.
          MessageRetentionPeriod: 14 * 24 * 3600,
          RedrivePolicy: Match.absent(),
        });
      }
    });

    it('refuses requests without TLS on both queues', () => {
      for (const id of [queueId(plain), dlqId(plain)]) {
        plain.template.hasResourceProperties('AWS::SQS::QueuePolicy', {
          Queues: [{ Ref: id }],
          PolicyDocument: {
            Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Action: 'sqs:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]),
          },
        });
      }
    });

    it("is consumed by the settlement worker's live alias in batches, reporting item failures", () => {
      for (const s of [plain, paid]) {
        s.template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
          EventSourceArn: { 'Fn::GetAtt': [queueId(s), 'Arn'] },
          FunctionName: s.stack.resolve(s.stack.settlements.worker.alias.functionName),
          BatchSize: SETTLEMENT_WORKER.batchSize,
          FunctionResponseTypes: ['ReportBatchItemFailures'],
          ScalingConfig: { MaximumConcurrency: 2 },
        });
        // The worker has no other event source, and nothing else consumes the queue.
        const mappings = Object.values(s.json.Resources).filter((r) => r.Type === 'AWS::Lambda::EventSourceMapping');
        const settlementMappings = mappings.filter((r) => JSON.stringify(r.Properties.EventSourceArn).includes(queueId(s)));
        expect(settlementMappings).toHaveLength(1);
        const alias = JSON.stringify(s.stack.resolve(s.stack.settlements.worker.alias.functionName));
        expect(mappings.filter((r) => JSON.stringify(r.Properties.FunctionName) === alias)).toHaveLength(1);
      }
    });

    it('runs the worker with the house defaults, sized for one batch, within the visibility timeout', () => {
      expect(plain.json.Resources[workerId(plain)]!.Properties).toMatchObject({
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        Handler: 'index.handler',
        MemorySize: 512,
        Timeout: 60,
        TracingConfig: { Mode: 'Active' },
        LoggingConfig: { LogFormat: 'JSON', LogGroup: { Ref: logicalId(plain.stack, plain.stack.settlements.worker.logGroup) } },
      });
      expect(QUEUES.settlements.visibilityTimeoutSeconds).toBeGreaterThanOrEqual(SETTLEMENT_WORKER.timeoutSeconds);
      // Its bundle imports x402, the bottom tier and the AWS SDK from the shared layer.
      expect(plain.json.Resources[workerId(plain)]!.Properties.Layers).toEqual([{ Ref: logicalId(plain.stack, plain.stack.sharedLayer.layer) }]);
    });

    it('lets the worker receive and delete from the queue, claim nonces and read the provider secret, and nothing else', () => {
      const worker = plain.stack.settlements.worker.function;
      const env = envOf(plain, worker);
      const nonces = logicalId(plain.stack, plain.stack.storage.tables.nonces);
      expect(env[TABLES.nonces.envVar]).toEqual({ Ref: nonces });
      expect(env[PROVIDER_SECRETS_ENV]).toEqual({ Ref: logicalId(plain.stack, plain.stack.storage.providerSecrets as any) });
      for (const table of Object.keys(TABLES) as TableName[]) if (table !== 'nonces') expect(env[TABLES[table].envVar], table).toBeUndefined();

      const role = { Ref: logicalId(plain.stack, worker.role as any) };
      plain.template.hasResourceProperties('AWS::IAM::Policy', {
        Roles: [role],
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Action: Match.arrayWith(['sqs:ChangeMessageVisibility', 'sqs:DeleteMessage', 'sqs:ReceiveMessage']), Resource: { 'Fn::GetAtt': [queueId(plain), 'Arn'] } }),
          ]),
        },
      });
      const statements = JSON.stringify(statementsOf(plain, worker));
      expect(statements).not.toContain('sqs:SendMessage');
      expect(statements).not.toContain(dlqId(plain));
      for (const table of Object.keys(TABLES) as TableName[]) {
        if (table !== 'nonces') expect(statements, table).not.toContain(logicalId(plain.stack, plain.stack.storage.tables[table]));
      }
    });
  });

  describe('senders', () => {
    it('are the payment families when x402 is on: sqs:SendMessage on the queue and SETTLEMENT_QUEUE_URL, together', () => {
      expect(PAYMENT_FAMILIES).toEqual(expect.arrayContaining(['inference', 'media', 'videos']));
      for (const family of FAMILY_LIST) {
        const fn = paid.stack.functions[family].function;
        const env = envOf(paid, fn);
        // Other queues (video jobs) have their own senders; only sends to the settlement queue count here.
        const sends = statementsOf(paid, fn).filter((st) => [st.Action].flat().includes('sqs:SendMessage') && JSON.stringify(st.Resource).includes(queueId(paid)));
        if (chargingOf(family) === 'payment') {
          expect(env[QUEUES.settlements.envVar], family).toEqual({ Ref: queueId(paid) });
          paid.template.hasResourceProperties('AWS::IAM::Policy', {
            Roles: [{ Ref: logicalId(paid.stack, fn.role as any) }],
            PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Allow', Action: 'sqs:SendMessage', Resource: { 'Fn::GetAtt': [queueId(paid), 'Arn'] } })]) },
          });
        } else {
          expect(env[QUEUES.settlements.envVar], family).toBeUndefined();
          expect(sends, family).toEqual([]);
        }
      }
    });

    it('do not exist while x402 is off: no queue URL and no SendMessage to the settlement queue anywhere', () => {
      for (const [name, fn] of allFunctions(plain)) {
        expect(envOf(plain, fn)[QUEUES.settlements.envVar], name).toBeUndefined();
        const toSettlements = statementsOf(plain, fn).filter((st) => [st.Action].flat().includes('sqs:SendMessage') && JSON.stringify(st.Resource).includes(queueId(plain)));
        expect(toSettlements, name).toEqual([]);
      }
    });
  });

  describe('x402 settings', () => {
    const x402Keys = (env: Record<string, unknown>) => Object.keys(env).filter((k) => k.startsWith('X402_'));

    it('go to the payment families and the worker only, in facilitator mode, with no relayer key', () => {
      const expected = {
        X402_PAY_TO: PAY_TO,
        X402_DEFAULT_NETWORK: 'eip155:84532',
        X402_NETWORKS: JSON.stringify(NETWORKS),
        X402_SETTLEMENT: 'facilitator',
        X402_FACILITATOR_URL: FACILITATOR,
      };
      for (const [name, fn] of allFunctions(paid)) {
        const env = envOf(paid, fn);
        if (name === 'settlement-worker' || chargingOf(name as Family) === 'payment') {
          expect(x402Keys(env).sort(), name).toEqual(Object.keys(expected).sort());
          expect(env, name).toMatchObject(expected);
        } else {
          expect(x402Keys(env), name).toEqual([]);
        }
      }
      expect(x402Keys(envOf(paid, paid.stack.functions.external.function))).toEqual([]);
    });

    it('are absent everywhere while x402 is off, and nothing sets the unread X402_NETWORK', () => {
      for (const [name, fn] of allFunctions(plain)) expect(x402Keys(envOf(plain, fn)), name).toEqual([]);
      for (const [name, fn] of allFunctions(paid)) expect(envOf(paid, fn).X402_NETWORK, name).toBeUndefined();
    });

    it('are what the runtime reads: the worker and a payment family build x402 from their synthesized env', () => {
      for (const fn of [paid.stack.settlements.worker.function, paid.stack.functions.inference.function]) {
        const payments = x402PaymentsFromEnv(asRuntimeEnv(envOf(paid, fn)), {} as never);
        expect(payments).toBeDefined();
        expect(payments!.payTo).toBe(PAY_TO);
        expect(payments!.networks.default.network).toBe('eip155:84532');
        expect(payments!.networks.list().map((n) => n.rpcUrl)).toEqual(['https://sepolia.base.org']);
      }
      expect(x402PaymentsFromEnv(asRuntimeEnv(envOf(plain, plain.stack.functions.inference.function)), {} as never)).toBeUndefined();
    });
  });

  describe('Compose Key settings', () => {
    it('give every charging family the JWKS when configured, and no other function', () => {
      expect(CHARGING_FAMILIES).toEqual(expect.arrayContaining(['inference', 'media', 'videos', 'external']));
      for (const [name, fn] of allFunctions(paid)) {
        const env = envOf(paid, fn);
        if (CHARGING_FAMILIES.includes(name as Family)) {
          expect(env.COMPOSE_KEYS_JWKS, name).toBe(JSON.stringify(PAID_JWKS));
          expect(keyVerifierConfigFromEnv(asRuntimeEnv(env)).jwks).toEqual(PAID_JWKS);
        } else {
          expect(env.COMPOSE_KEYS_JWKS, name).toBeUndefined();
        }
      }
    });

    it('are absent when no JWKS is configured (the functions then refuse keys with 401)', () => {
      for (const [name, fn] of allFunctions(plain)) expect(envOf(plain, fn).COMPOSE_KEYS_JWKS, name).toBeUndefined();
    });
  });

  describe('cdk-nag AwsSolutions', () => {
    // Unconfigured payments are the dev stage, checked above.
    it('leaves no unacknowledged error or warning with payments configured', () => {
      expect(nagFindings(paid)).toEqual([]);
    });

    it('acknowledges only the function baseline (logs role, X-Ray) in the settlement construct, with reasons', () => {
      // Logical ids of a construct's resources start with its path: Settlements/Queue → SettlementsQueue…
      const suppressions = Object.entries(plain.json.Resources)
        .filter(([id]) => id.startsWith('Settlements'))
        .flatMap(([, r]) => (r.Metadata?.cdk_nag?.rules_to_suppress ?? []) as { id: string; reason: string }[]);
      for (const s of suppressions) expect(s.reason.length, s.id).toBeGreaterThan(40);
      expect(new Set(suppressions.map((s) => s.id))).toEqual(new Set(['AwsSolutions-IAM4', 'AwsSolutions-IAM5']));
    });
  });
});
