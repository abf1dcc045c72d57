/**
 * The README's deploy path, through the real `cdk` CLI: the `cdk deploy` commands of its Deploying section, run as
 * `cdk synth`, for the dev stage in us-east-1 and the prod stage with its custom domain in eu-central-1, with an
 * account and region set as an operator's shell has them, cdk-nag on (an unsuppressed finding fails the synth).
 * The JWKS comes from `npm run keys -- jwks` as the README says.
 * Each stage is synthesized once (bundling included) into its own temporary assembly; the assertions read the
 * templates the CLI wrote. Bootstrap, deploy, rollback and destroy need an AWS account and are documented only.
 * The CLI runs with CloudFormation validation off (`CDK_VALIDATION=false`): this file validates the templates it
 * wrote itself with the same validator (support/cfn-validation.ts), in one process for both stages and with no
 * finding of any severity allowed, where each synth would start the validator's engine again (~4 s of CPU each).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAMILIES } from '../../shared/routes.ts';
import { validateTemplates } from '../support/cfn-validation.ts';

const ROOT = new URL('../..', import.meta.url).pathname;
const NODE = join(ROOT, 'node_modules/.bin/node');
const CDK = join(ROOT, 'node_modules/.bin/cdk');
const ACCOUNT = '123456789012';
const CERT = 'arn:aws:acm:eu-central-1:123456789012:certificate/11111111-2222-3333-4444-555555555555';
const PAY_TO = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8';
const PROD_CONTEXT = (JSON.parse(readFileSync(join(ROOT, 'cdk.json'), 'utf8')) as { context: { stages: { prod: { reservedConcurrency: Record<string, number> } } } }).context.stages.prod;

const work = mkdtempSync(join(tmpdir(), 'compose-cli-synth-'));

interface CliRun {
  readonly status: number | null;
  readonly output: string;
}

/**
 * The CLI as an operator runs it, offline: no telemetry, notices or instance metadata lookups; CloudFormation
 * validation is this file's (see above).
 */
const cdk = (args: readonly string[], region: string): CliRun => {
  const run = spawnSync(CDK, [...args, '--no-notices', '--no-version-reporting'], {
    cwd: ROOT,
    encoding: 'utf8',
    env: {
      ...process.env,
      CDK_DEFAULT_ACCOUNT: ACCOUNT,
      CDK_DEFAULT_REGION: region,
      // The CLI sets CDK_DEFAULT_REGION for the app from the SDK's region: the shell's AWS_REGION (or the profile).
      AWS_REGION: region,
      AWS_EC2_METADATA_DISABLED: 'true',
      CDK_DISABLE_CLI_TELEMETRY: 'true',
      CDK_VALIDATION: 'false',
    },
    timeout: 480_000,
  });
  return { status: run.status, output: `${run.stdout}\n${run.stderr}` };
};

interface Assembly {
  readonly run: CliRun;
  readonly dir: string;
  template(stack: string): Template;
  json(stack: string): { Resources: Record<string, { Type: string; Properties?: any }> };
}

const synth = (name: string, region: string, context: Record<string, string>): Assembly => {
  const dir = join(work, name);
  const args = ['synth', '--quiet', '--output', dir, ...Object.entries(context).flatMap(([k, v]) => ['-c', `${k}=${v}`])];
  const run = cdk(args, region);
  const json = (stack: string) => JSON.parse(readFileSync(join(dir, `${stack}.template.json`), 'utf8'));
  return { run, dir, json, template: (stack) => Template.fromJSON(json(stack)) };
};

/**
 * The `npx cdk deploy` commands of the README's Deploying section, as `-c` context per stage. Placeholders an
 * operator replaces (their address, certificate id) get test values; `$(npm run -s keys -- jwks)` the JWKS.
 */
const readmeCommands = (jwks: string): Map<string, Record<string, string>> => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Deploying'));
  const block = section.slice(section.indexOf('```sh') + 5, section.indexOf('```', section.indexOf('```sh') + 5));
  const commands = block.replace(/\\\n\s*/g, ' ').split('\n').filter((line) => line.startsWith('npx cdk deploy'));
  const placeholders: Record<string, string> = {
    '0xYourAddress': PAY_TO,
    '$(npm run -s keys -- jwks)': jwks,
    'certificate/…': 'certificate/11111111-2222-3333-4444-555555555555',
  };
  const out = new Map<string, Record<string, string>>();
  for (const command of commands) {
    const context: Record<string, string> = {};
    for (const [, key, raw] of command.matchAll(/-c (\w+)=("[^"]*"|\S+)/g)) {
      let value = raw!.replace(/^"|"$/g, '');
      for (const [placeholder, replacement] of Object.entries(placeholders)) value = value.replace(placeholder, replacement);
      context[key!] = value;
    }
    out.set(context.stage!, context);
  }
  return out;
};

let jwks: string;
let readme: Map<string, Record<string, string>>;
let dev: Assembly;
let prod: Assembly;

beforeAll(() => {
  // `npm run keys -- jwks`, with a keyring of its own.
  const keys = spawnSync(NODE, ['scripts/keys.ts', 'jwks'], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, COMPOSE_DATA_DIR: join(work, 'data') } });
  expect(keys.status, keys.stderr).toBe(0);
  jwks = keys.stdout.trim();
  readme = readmeCommands(jwks);
  expect([...readme.keys()]).toEqual(['dev', 'prod']);
  const started = Date.now();
  dev = synth('dev', 'us-east-1', readme.get('dev')!);
  // The README's prod command, in another region, plus the optional Route 53 zone (docs/deploy.md).
  prod = synth('prod', 'eu-central-1', { ...readme.get('prod')!, certificateArn: CERT, hostedZoneId: 'Z0123456789ABCDEFGHIJ' });
  // Reported, not asserted (see the brief on timing).
  console.info(`infra-cli: two CLI synths in ${Date.now() - started} ms`);
}, 900_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

const nagFindings = (assembly: Assembly): string[] =>
  readdirSync(assembly.dir)
    .filter((f) => f.endsWith('-NagReport.csv'))
    .flatMap((f) => readFileSync(join(assembly.dir, f), 'utf8').split('\n'))
    .filter((line) => line.includes('"Non-Compliant"'));

describe('cdk synth through the CLI, with an account and region', () => {
  it.each([
    ['dev', () => dev, 'us-east-1', 'ComposeInference-dev'],
    ['prod', () => prod, 'eu-central-1', 'ComposeInference-prod'],
  ])('synthesizes %s with zero cdk-nag findings left, in its region', (_name, assembly, region, stack) => {
    const { run, dir } = assembly();
    expect(run.status, run.output).toBe(0);
    expect(run.output).not.toMatch(/AwsSolutions-[A-Z0-9]+\[/);
    expect(nagFindings(assembly())).toEqual([]);
    const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as { artifacts: Record<string, { environment?: string }> };
    expect(manifest.artifacts[stack]?.environment).toBe(`aws://${ACCOUNT}/${region}`);
    // The once-per-account stack holds the API Gateway CloudWatch role; the stage does not fight over it.
    expect(manifest.artifacts['ComposeInference-account']?.environment).toBe(`aws://${ACCOUNT}/${region}`);
    assembly().template('ComposeInference-account').resourceCountIs('AWS::ApiGateway::Account', 1);
    assembly().template(stack).resourceCountIs('AWS::ApiGateway::Account', 0);
  });

  it('formats the region into ARNs (the case the old IAM5 suppression missed)', () => {
    const text = JSON.stringify(prod.json('ComposeInference-prod'));
    expect(text).toContain('arn:aws:states:eu-central-1:123456789012:execution:compose-prod-video-jobs:*');
    expect(text).not.toContain('us-east-1');
  });

  it('points every API integration at a function alias, not $LATEST', () => {
    const resources = Object.values(dev.json('ComposeInference-dev').Resources);
    const aliases = new Set(Object.entries(dev.json('ComposeInference-dev').Resources).filter(([, r]) => r.Type === 'AWS::Lambda::Alias').map(([id]) => id));
    const methods = resources.filter((r) => r.Type === 'AWS::ApiGateway::Method');
    expect(methods.length).toBeGreaterThan(10);
    for (const method of methods) {
      const parts: any[] = method.Properties.Integration.Uri['Fn::Join'][1];
      const ref = parts.find((p) => p?.Ref && !String(p.Ref).startsWith('AWS::'))?.Ref as string;
      expect(aliases.has(ref), JSON.stringify(method.Properties.Integration.Uri)).toBe(true);
    }
  });

  it('gives every function a `live` alias on a published version', () => {
    const template = prod.template('ComposeInference-prod');
    const functions = Object.keys(template.findResources('AWS::Lambda::Function')).length;
    expect(Object.keys(template.findResources('AWS::Lambda::Alias', { Properties: { Name: 'live' } }))).toHaveLength(functions);
    expect(Object.keys(template.findResources('AWS::Lambda::Version')).length).toBe(functions);
  });
});

describe('CloudFormation validation of the templates the CLI wrote', () => {
  it.each([
    ['dev', () => dev, 'us-east-1', 'ComposeInference-dev'],
    ['prod', () => prod, 'eu-central-1', 'ComposeInference-prod'],
  ])('finds no error, warning or note in %s, in its account and region', (_name, assembly, region, stack) => {
    const templates = [stack, 'ComposeInference-account'].map((name) => ({ templatePath: join(assembly().dir, `${name}.template.json`), accountId: ACCOUNT, region }));
    expect(validateTemplates(templates)).toEqual({ [`${stack}.template.json`]: [], 'ComposeInference-account.template.json': [] });
  });

  it('is the validator that fails a synth: it finds a schema error', () => {
    // A function CloudFormation would refuse (64 MB is below Lambda's minimum), so the checks above are not vacuous.
    const file = join(work, 'invalid.template.json');
    const role = 'arn:aws:iam::123456789012:role/example';
    writeFileSync(file, JSON.stringify({ Resources: { Fn: { Type: 'AWS::Lambda::Function', Properties: { Role: role, Code: { ZipFile: 'x' }, Handler: 'index.handler', Runtime: 'nodejs24.x', MemorySize: 64 } } } }));
    const [violation] = validateTemplates([{ templatePath: file, accountId: ACCOUNT, region: 'us-east-1' }])['invalid.template.json']!;
    expect(violation).toMatchObject({ severity: 'error', resources: ['Fn'], description: expect.stringContaining('MemorySize') });
  });
});

describe('the prod stage as the README deploys it', () => {
  const template = () => prod.template('ComposeInference-prod');

  it('has the alarms of docs/operations.md, each notifying the stage topic', () => {
    const alarms = template().findResources('AWS::CloudWatch::Alarm');
    const names = Object.values(alarms).map((a) => a.Properties.AlarmName as string);
    const expected = ['settlements-dlq', 'videos-dlq', 'unqueued-settlements', 'api-5xx', 'api-p99-latency', 'video-executions-failed'];
    for (const family of [...Object.keys(FAMILIES), 'settlement-worker', 'video-worker']) expected.push(`${family}-errors`, `${family}-throttles`);
    for (const name of expected) expect(names).toContain(`compose-prod-${name}`);
    expect(names.filter((n) => n.startsWith('compose-prod-dynamodb-throttles-')).length).toBe(Object.keys(template().findResources('AWS::DynamoDB::Table')).length);
    const topic = Object.keys(template().findResources('AWS::SNS::Topic'))[0]!;
    for (const alarm of Object.values(alarms)) expect(alarm.Properties.AlarmActions).toContainEqual({ Ref: topic });
    template().hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'oncall@example.com', TopicArn: { Ref: topic } });
  });

  it('counts unqueued settlements from their log event', () => {
    template().hasResourceProperties('AWS::Logs::MetricFilter', {
      FilterPattern: Match.stringLikeRegexp('x402_settlement_unqueued'),
      MetricTransformations: [Match.objectLike({ MetricName: 'UnqueuedSettlements', MetricNamespace: 'ComposeInference/Logs/prod' })],
    });
  });

  it('has one dashboard', () => {
    template().resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    template().hasResourceProperties('AWS::CloudWatch::Dashboard', { DashboardName: 'compose-prod' });
  });

  it('reserves concurrency as the prod example in cdk.json says', () => {
    const reserved = Object.values(template().findResources('AWS::Lambda::Function'))
      .map((f) => f.Properties.ReservedConcurrentExecutions as number | undefined)
      .filter((n) => n !== undefined)
      .sort((a, b) => a - b);
    expect(reserved).toEqual(Object.values(PROD_CONTEXT.reservedConcurrency).sort((a, b) => a - b));
  });

  it('guards the API stage with a WAF web ACL and a per-IP rate rule', () => {
    template().hasResourceProperties('AWS::WAFv2::WebACL', {
      Scope: 'REGIONAL',
      Rules: [Match.objectLike({ Action: { Block: {} }, Statement: { RateBasedStatement: Match.objectLike({ AggregateKeyType: 'IP' }) } })],
    });
    template().resourceCountIs('AWS::WAFv2::WebACLAssociation', 1);
  });

  it('maps the custom domain and writes its Route 53 alias record', () => {
    template().hasResourceProperties('AWS::ApiGateway::DomainName', { DomainName: 'api.example.com', RegionalCertificateArn: CERT });
    template().hasResourceProperties('AWS::Route53::RecordSet', { Name: 'api.example.com.', Type: 'A', HostedZoneId: 'Z0123456789ABCDEFGHIJ' });
  });

  it('takes x402 on the built-in mainnet networks, with their EIP-712 domains, through the facilitator', () => {
    const envs = Object.values(template().findResources('AWS::Lambda::Function')).map((f) => f.Properties.Environment?.Variables ?? {});
    const paying = envs.filter((v) => v.X402_PAY_TO);
    expect(paying.length).toBeGreaterThan(0);
    for (const env of paying) {
      expect(env).toMatchObject({ X402_PAY_TO: PAY_TO, X402_DEFAULT_NETWORK: 'eip155:8453', X402_SETTLEMENT: 'facilitator' });
      const networks = JSON.parse(env.X402_NETWORKS as string) as { network: string; eip712?: unknown }[];
      expect(networks.map((n) => n.network)).toEqual(['eip155:8453', 'eip155:43114']);
      for (const n of networks) expect(n.eip712).toEqual({ name: 'USD Coin', version: '2' });
    }
    for (const env of envs.filter((v) => v.COMPOSE_KEYS_JWKS)) expect(JSON.parse(env.COMPOSE_KEYS_JWKS as string)).toEqual(JSON.parse(jwks));
  });
});

// Every other refusal is the same code path, covered setting by setting in infra-config.test.ts.
describe('misconfiguration fails the CLI synth with one line naming the setting', () => {
  it('refuses a prod stage without its Compose Keys JWKS', () => {
    const run = cdk(['synth', '--quiet', '--output', join(work, 'nojwks'), '-c', 'stage=prod'], 'eu-central-1');
    expect(run.status).not.toBe(0);
    expect(run.output).toMatch(/Invalid stage config: composeKeysJwks is not set for stage prod/);
    // One line for the operator, not a stack trace.
    expect(run.output).not.toMatch(/^\s+at /m);
  });
});
