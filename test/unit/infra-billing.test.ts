/**
 * Payments in the CDK app: the Compose Key and x402 settings each function gets, and the x402 settlement retry
 * queue with its worker. Two stacks, each synthesized once per file into one assembly directory (the second
 * reuses the first's bundles from CDK's asset cache): `plain`, a bare dev stage with no payment settings, and
 * `paid`, a stage with a JWKS, a payTo address, a facilitator and its own networks.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, type Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chargingOf } from '../../infra/lib/access.ts';
import { buildComposeApp } from '../../infra/lib/compose-app.ts';
import type { ComposeStack } from '../../infra/lib/compose-stack.ts';
import { SETTLEMENT_WORKER } from '../../infra/lib/settlement-queue.ts';
import { PROVIDER_SECRETS_ENV } from '../../layers/providers/credentials.ts';
import { x402PaymentsFromEnv } from '../../shared/billing/x402-from-env.ts';
import { keyVerifierConfigFromEnv } from '../../shared/keys/config.ts';
import { FAMILIES, type Family } from '../../shared/routes.ts';
import { QUEUES, deadLetterQueueName, physicalQueueName } from '../../shared/stores/queues.ts';
import { TABLES, type TableName } from '../../layers/core/tables.ts';

const FAMILY_LIST = Object.keys(FAMILIES) as Family[];
const PAYMENT_FAMILIES = FAMILY_LIST.filter((f) => chargingOf(f) === 'payment');
const CHARGING_FAMILIES = FAMILY_LIST.filter((f) => chargingOf(f) !== 'none');

const JWKS = { keys: [{ kty: 'OKP', crv: 'Ed25519', x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo', kid: 'compose-2025-01', alg: 'EdDSA' }] };
const PAY_TO = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8';
const FACILITATOR = 'https://x402.org/facilitator';
const NETWORKS = [
  { network: 'eip155:84532', chainId: 84532, name: 'Base Sepolia', usdc: '0x036CbD53842c5426634e7929541eC2318f3dCF7e', rpcUrl: 'https://sepolia.base.org' },
];

interface Synth {
  readonly stack: ComposeStack;
  readonly template: Template;
  readonly annotations: Annotations;
  readonly json: { Resources: Record<string, { Type: string; Properties?: any; Metadata?: any }> };
}

const CDK_CONTEXT = JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')).context as Record<string, unknown>;
const OUTDIR = mkdtempSync(join(tmpdir(), 'compose-infra-billing-test-'));

const synth = (context: Record<string, unknown>): Synth => {
  // CloudFormation validation is infra.test.ts's job; here it would only add seconds.
  const app = new App({ context: { ...CDK_CONTEXT, ...context }, builtinCloudFormationValidation: false, outdir: OUTDIR });
  const stack = buildComposeApp(app);
  const template = Template.fromStack(stack);
  return { stack, template, annotations: Annotations.fromStack(stack), json: template.toJSON() as Synth['json'] };
};

const logicalId = (stack: Stack, construct: { node: { defaultChild?: unknown } }): string =>
  stack.resolve((construct.node.defaultChild as CfnFunction).logicalId) as string;

let plain: Synth;
let paid: Synth;

beforeAll(() => {
  // A stage that says it deploys without payments (no JWKS, no x402).
  plain = synth({ stage: 'dev', paymentsOptional: true });
  // cdk.json-style values for most settings, and the payTo address as a single `-c` key (a string).
  paid = synth({
    stage: 'pay',
    stages: { pay: { composeKeysJwks: JWKS, x402FacilitatorUrl: FACILITATOR, x402Networks: NETWORKS } },
    x402PayTo: PAY_TO.toLowerCase(),
  });
});

afterAll(() => rmSync(OUTDIR, { recursive: true, force: true }));

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
        expect(env.COMPOSE_KEYS_JWKS, name).toBe(JSON.stringify(JWKS));
        expect(keyVerifierConfigFromEnv(asRuntimeEnv(env)).jwks).toEqual(JWKS);
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
  for (const [name, get] of [['plain', () => plain], ['paid', () => paid]] as const) {
    it(`leaves no unacknowledged error or warning with payments ${name === 'paid' ? 'configured' : 'unconfigured'}`, () => {
      const { annotations } = get();
      const findings = [
        ...annotations.findError('*', Match.stringLikeRegexp('AwsSolutions-.*')),
        ...annotations.findWarning('*', Match.stringLikeRegexp('AwsSolutions-.*')),
      ].map((f) => `${f.id}: ${String(f.entry.data).split('\n')[0]}`);
      expect(findings).toEqual([]);
    });
  }

  it('acknowledges only the function baseline (logs role, X-Ray) in the settlement construct, with reasons', () => {
    // Logical ids of a construct's resources start with its path: Settlements/Queue → SettlementsQueue…
    const suppressions = Object.entries(plain.json.Resources)
      .filter(([id]) => id.startsWith('Settlements'))
      .flatMap(([, r]) => (r.Metadata?.cdk_nag?.rules_to_suppress ?? []) as { id: string; reason: string }[]);
    for (const s of suppressions) expect(s.reason.length, s.id).toBeGreaterThan(40);
    expect(new Set(suppressions.map((s) => s.id))).toEqual(new Set(['AwsSolutions-IAM4', 'AwsSolutions-IAM5']));
  });
});
