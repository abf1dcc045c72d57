import { RemovalPolicy } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { describe, expect, it } from 'vitest';
import { resolveStageConfig } from '../../infra/lib/config.ts';

const JWKS_TEXT = JSON.stringify({ keys: [{ kty: 'OKP', crv: 'Ed25519', x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo', kid: 'k1' }] });
/** A context as `cdk synth` gives it; the stage tests supply the JWKS every stage needs (see 'payment config'). */
const contextOf = (values: Record<string, unknown>) => (key: string) => ({ composeKeysJwks: JWKS_TEXT, ...values })[key];
/** Exactly the given context: nothing supplied. */
const exactly = (values: Record<string, unknown>) => (key: string) => values[key];
const CERT = 'arn:aws:acm:us-east-1:123456789012:certificate/abc';

describe('stage config', () => {
  it('defaults to a disposable dev stage on the test network with no domain', () => {
    const config = resolveStageConfig(contextOf({}));
    expect(config).toMatchObject({
      stage: 'dev',
      domains: [],
      removalPolicy: RemovalPolicy.DESTROY,
      x402Network: 'eip155:84532',
      logRetention: RetentionDays.TWO_WEEKS,
    });
  });

  it('keeps prod data and settles on Base mainnet', () => {
    const config = resolveStageConfig(contextOf({ stage: 'prod' }));
    expect(config).toMatchObject({ stage: 'prod', removalPolicy: RemovalPolicy.RETAIN, x402Network: 'eip155:8453', sourceMaps: false });
  });

  it('has no reserved concurrency, no WAF and no alarm subscribers unless configured; tracing and the account role on', () => {
    const config = resolveStageConfig(contextOf({ stage: 'prod' }));
    expect(config).toMatchObject({ reservedConcurrency: {}, alarms: { emails: [] }, tracing: true, apiGatewayAccountRole: true });
    // The in-process X-Ray tracer costs about 4 ms of CPU per call (npm run bench, lambda-cpu): a stage opts in.
    expect(config.functionTracer).toBe(false);
    expect(resolveStageConfig(contextOf({ stage: 'prod', stages: { prod: { functionTracer: true } } })).functionTracer).toBe(true);
    expect(config.memoryMB).toEqual({});
    expect(resolveStageConfig(contextOf({ stage: 'prod', stages: { prod: { memoryMB: { inference: 512, external: 256 } } } })).memoryMB).toEqual({ inference: 512, external: 256 });
    expect(config.waf).toBeUndefined();
  });

  it('reads operations settings: alarms, reserved concurrency, WAF, tracing, the relayer to watch, a Route 53 zone', () => {
    const config = resolveStageConfig(
      contextOf({
        stage: 'prod',
        stages: {
          prod: {
            alarms: { emails: ['oncall@example.com'], topicArn: 'arn:aws:sns:eu-central-1:123456789012:pager' },
            reservedConcurrency: { inference: 100, 'settlement-worker': 2 },
            waf: { ratePerIp: 500 },
            tracing: false,
            x402RelayerAddress: '0x70997970c51812dc3a010c7d01b50e0d17dc79c8',
            x402PayTo: '0x70997970C51812dc3A010C7d01b50e0d17dc79C8',
            x402FacilitatorUrl: 'https://x402.org/facilitator',
            x402Networks: [{ network: 'eip155:8453', chainId: 8453, name: 'Base', usdc: '0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913', rpcUrl: 'https://mainnet.base.org' }],
          },
        },
        domainName: 'api.example.com',
        certificateArn: CERT,
        hostedZoneId: 'Z0123456789ABC',
      }),
    );
    expect(config).toMatchObject({
      alarms: { emails: ['oncall@example.com'], topicArn: 'arn:aws:sns:eu-central-1:123456789012:pager' },
      reservedConcurrency: { inference: 100, 'settlement-worker': 2 },
      waf: { ratePerIp: 500 },
      tracing: false,
      x402RelayerAddress: '0x70997970C51812dc3A010C7d01b50e0d17dc79C8',
      domains: [{ domainName: 'api.example.com', certificateArn: CERT, hostedZoneId: 'Z0123456789ABC' }],
    });
    // `-c alarmEmails=a,b` over the stage's list.
    expect(resolveStageConfig(contextOf({ alarmEmails: 'a@example.com, b@example.com' })).alarms.emails).toEqual(['a@example.com', 'b@example.com']);
    expect(resolveStageConfig(contextOf({ stages: { dev: { waf: false } } })).waf).toBeUndefined();
  });

  it('applies cdk.json stage overrides, then single -c keys', () => {
    const config = resolveStageConfig(
      contextOf({
        stage: 'acme',
        stages: { acme: { platformFeeBps: 250, logRetentionDays: 30, removalPolicy: 'retain', throttle: { rateLimit: 5, burstLimit: 10 } } },
        domainName: 'ai.acme.example',
        certificateArn: CERT,
        basePath: '/compose/',
      }),
    );
    expect(config).toMatchObject({
      stage: 'acme',
      platformFeeBps: 250,
      logRetention: RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.RETAIN,
      throttle: { rateLimit: 5, burstLimit: 10 },
      domains: [{ domainName: 'ai.acme.example', certificateArn: CERT, basePath: 'compose' }],
    });
  });

  it('accepts several tenant domains from cdk.json', () => {
    const domains = [
      { domainName: 'api.compose.market', certificateArn: CERT },
      { domainName: 'ai.tenant.example', certificateArn: CERT, basePath: 'v' },
    ];
    expect(resolveStageConfig(contextOf({ stage: 'prod', stages: { prod: { domains } } })).domains).toEqual(domains);
  });

  it.each([
    [{ stage: 'Prod!' }, /stage/],
    [{ domainName: 'api.example.com' }, /certificateArn is missing for domain api.example.com: set -c certificateArn=/],
    [{ domainName: 'api.example.com', certificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate' }, /certificateArn for api.example.com must be an ACM certificate ARN/],
    [{ domainName: 'api.example.com', certificateArn: CERT, hostedZoneId: 'example.com' }, /hostedZoneId "example.com"/],
    [{ stages: { dev: { platformFeeBps: -1 } } }, /platformFeeBps must be an integer in \[0, 10000\]/],
    [{ stages: { dev: { platformFeeBps: 1.5 } } }, /platformFeeBps/],
    [{ stages: { dev: { alarms: { emails: ['oncall'] } } } }, /alarms.emails: "oncall" is not an e-mail address/],
    [{ alarmTopicArn: 'pager' }, /alarms.topicArn "pager" is not an SNS topic ARN/],
    [{ stages: { dev: { reservedConcurrency: { inferenc: 5 } } } }, /reservedConcurrency.inferenc: not a function/],
    [{ stages: { dev: { reservedConcurrency: { inference: 0 } } } }, /reservedConcurrency.inference must be an integer/],
    [{ stages: { dev: { waf: { ratePerIp: 5 } } } }, /waf.ratePerIp must be an integer in \[10,/],
    [{ stages: { dev: { tracing: 'yes' } } }, /tracing must be true or false/],
    [{ stages: { dev: { memoryMB: { inference: 64 } } } }, /memoryMB.inference must be an integer in \[128, 10240\]/],
    [{ stages: { dev: { memoryMB: { billing: 256 } } } }, /memoryMB.billing: not a route family/],
    [{ stages: { dev: { x402RelayerMinGas: 0 } } }, /x402RelayerMinGas must be a positive number/],
    [{ x402RelayerAddress: '0x70997970C51812dc3A010C7d01b50e0d17dc79C8' }, /x402RelayerAddress needs an x402Networks entry with an rpcUrl/],
    [{ domainName: 'bad host', certificateArn: CERT }, /domainName/],
    [{ stages: { dev: { logRetentionDays: 8 } } }, /logRetentionDays/],
    [{ stages: { dev: { platformFeeBps: 20_000 } } }, /platformFeeBps/],
    [{ stages: { dev: { x402Network: 'base' } } }, /x402Network/],
  ])('refuses invalid context %j', (context, message) => {
    expect(() => resolveStageConfig(contextOf(context))).toThrow(message);
  });
});

describe('payment config', () => {
  const JWKS = { keys: [{ kty: 'OKP', crv: 'Ed25519', x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo', kid: 'k1' }] };
  const PAY_TO = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8';
  const FACILITATOR = 'https://x402.org/facilitator';
  const BASE = { network: 'eip155:8453', chainId: 8453, name: 'Base', usdc: '0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913', rpcUrl: 'https://mainnet.base.org' };
  const x402 = { x402PayTo: PAY_TO, x402FacilitatorUrl: FACILITATOR };

  it('refuses a stage without a Compose Keys JWKS, naming the setting and the command that makes one', () => {
    expect(() => resolveStageConfig(exactly({ stage: 'prod' }))).toThrow(/^Invalid stage config: composeKeysJwks is not set for stage prod: .*npm run -s keys -- jwks/);
    expect(() => resolveStageConfig(exactly({}))).toThrow(/composeKeysJwks is not set for stage dev/);
  });

  it('deploys without payments only when the stage says so (paymentsOptional): no JWKS, no payTo, the test networks', () => {
    const config = resolveStageConfig(exactly({ paymentsOptional: 'true' }));
    expect(config.paymentsOptional).toBe(true);
    expect(config.composeKeysJwks).toBeUndefined();
    expect(config.x402PayTo).toBeUndefined();
    expect(config.x402FacilitatorUrl).toBeUndefined();
    expect(JSON.parse(config.x402Networks).map((n: { network: string }) => n.network)).toEqual(['eip155:43113', 'eip155:84532']);
  });

  it('refuses x402 settings without x402PayTo: x402 would silently stay off', () => {
    expect(() => resolveStageConfig(contextOf({ x402FacilitatorUrl: FACILITATOR }))).toThrow(/x402PayTo is not set, but x402 settings are/);
    expect(() => resolveStageConfig(contextOf({ x402Networks: [BASE] }))).toThrow(/x402PayTo is not set/);
  });

  it('takes prod x402 with only payTo and a facilitator: Base and Avalanche mainnet USDC are built in, with their EIP-712 domains', () => {
    const config = resolveStageConfig(contextOf({ stage: 'prod', ...x402 }));
    expect(config.x402Network).toBe('eip155:8453');
    expect(JSON.parse(config.x402Networks)).toEqual([
      { network: 'eip155:8453', chainId: 8453, name: 'Base', usdc: '0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913', eip712: { name: 'USD Coin', version: '2' } },
      { network: 'eip155:43114', chainId: 43114, name: 'Avalanche C-Chain', usdc: '0xB97EF9Ef8734C71904D8002F8b6Bc66Dd9c48a6E', eip712: { name: 'USD Coin', version: '2' } },
    ]);
  });

  it('keeps an EIP-712 domain given with a network, and refuses a malformed one', () => {
    const withDomain = { ...BASE, eip712: { name: 'USD Coin', version: '2' } };
    expect(JSON.parse(resolveStageConfig(contextOf({ stage: 'prod', ...x402, x402Networks: [withDomain] })).x402Networks)).toEqual([withDomain]);
    expect(() => resolveStageConfig(contextOf({ stage: 'prod', ...x402, x402Networks: [{ ...BASE, eip712: { name: 'USD Coin' } }] }))).toThrow(/x402Networks\[0\]\.eip712 must be \{name, version\}/);
  });

  it('reads a cdk.json stage as JSON values, keeping the JWKS and networks as minified JSON and payTo checksummed', () => {
    const config = resolveStageConfig(
      contextOf({ stage: 'prod', stages: { prod: { composeKeysJwks: JWKS, x402PayTo: PAY_TO.toLowerCase(), x402FacilitatorUrl: FACILITATOR, x402Networks: [BASE] } } }),
    );
    expect(config).toMatchObject({
      composeKeysJwks: JSON.stringify(JWKS),
      x402PayTo: PAY_TO,
      x402FacilitatorUrl: FACILITATOR,
      x402Networks: JSON.stringify([BASE]),
      x402Network: 'eip155:8453',
    });
  });

  it('reads single -c keys as JSON text, over the cdk.json stage', () => {
    const other = { ...JWKS, keys: [{ ...JWKS.keys[0]!, kid: 'k2' }] };
    const config = resolveStageConfig(
      contextOf({
        stages: { dev: { composeKeysJwks: JWKS } },
        composeKeysJwks: JSON.stringify(other, null, 2),
        x402PayTo: PAY_TO,
        x402FacilitatorUrl: FACILITATOR,
        x402Networks: JSON.stringify([{ ...BASE, network: 'eip155:84532', chainId: 84532, name: 'Base Sepolia', usdc: '0x036CbD53842c5426634e7929541eC2318f3dCF7e' }]),
      }),
    );
    expect(config.composeKeysJwks).toBe(JSON.stringify(other));
    expect(JSON.parse(config.x402Networks!)).toEqual([expect.objectContaining({ network: 'eip155:84532', chainId: 84532 })]);
  });

  it('takes x402 on the code-default networks when the default network is one of them (Fuji, Base Sepolia)', () => {
    expect(resolveStageConfig(contextOf(x402))).toMatchObject({ x402PayTo: PAY_TO, x402Network: 'eip155:84532' });
    expect(resolveStageConfig(contextOf({ ...x402, stages: { dev: { x402Network: 'eip155:43113' } } })).x402Network).toBe('eip155:43113');
  });

  const privateKey = { keys: [{ ...JWKS.keys[0]!, d: 'nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A' }] };
  it.each([
    [{ composeKeysJwks: '{"keys":' }, /composeKeysJwks is not valid JSON/],
    [{ composeKeysJwks: { keys: [] } }, /composeKeysJwks: .*at least one key/],
    [{ composeKeysJwks: JSON.stringify({ foo: 1 }) }, /composeKeysJwks: .*JWKS/],
    [{ composeKeysJwks: privateKey }, /composeKeysJwks: .*public keys only/],
    [{ composeKeysJwks: { keys: [{ kty: 'OKP', x: 'abc' }] } }, /composeKeysJwks: .*kid/],
    [{ composeKeysJwks: { keys: [{ kid: 'k1', x: 'abc' }] } }, /composeKeysJwks: key k1 has no kty/],
    [{ composeKeysJwks: { keys: Array.from({ length: 30 }, (_, i) => ({ ...JWKS.keys[0]!, kid: `k${i}` })) } }, /4 KB/],
    [{ x402PayTo: 'merchant.eth', x402FacilitatorUrl: FACILITATOR }, /x402PayTo must be a 0x address/],
    [{ x402PayTo: '0x70997970C51812dc3A010C7d01b50e0d17dc79c8', x402FacilitatorUrl: FACILITATOR }, /EIP-55 checksum/],
    [{ x402PayTo: `0x${'0'.repeat(40)}`, x402FacilitatorUrl: FACILITATOR }, /zero address/],
    [{ x402PayTo: PAY_TO }, /x402PayTo needs x402FacilitatorUrl/],
    [{ ...x402, x402FacilitatorUrl: 'http://x402.org/facilitator' }, /x402FacilitatorUrl must be an https URL/],
    [{ ...x402, x402FacilitatorUrl: 'facilitator' }, /x402FacilitatorUrl must be an https URL/],
    [{ ...x402, x402FacilitatorUrl: 'https://user:pass@x402.example' }, /must not carry credentials/],
    [{ ...x402, x402Networks: '[]' }, /x402Networks must be a non-empty JSON array/],
    [{ ...x402, x402Networks: { network: 'eip155:8453' } }, /x402Networks must be a non-empty JSON array/],
    [{ ...x402, x402Networks: [{ ...BASE, network: 'base' }] }, /x402Networks\[0\]\.network/],
    [{ ...x402, x402Networks: [{ ...BASE, chainId: 1 }] }, /x402Networks\[0\]\.chainId/],
    [{ ...x402, x402Networks: [{ ...BASE, name: '' }] }, /x402Networks\[0\]\.name/],
    [{ ...x402, x402Networks: [{ ...BASE, usdc: '0x1234' }] }, /x402Networks\[0\]\.usdc/],
    [{ ...x402, x402Networks: [{ ...BASE, rpcUrl: 'http://localhost:8545' }] }, /x402Networks\[0\]\.rpcUrl must be an https URL/],
    [{ ...x402, x402Networks: [BASE, BASE] }, /x402Networks\[1\]: eip155:8453 is listed twice/],
    [{ ...x402, x402Networks: [{ ...BASE, privateKey: '0xabc' }] }, /unknown members: privateKey/],
    // dev's default network is Base Sepolia; a list without it would fail every function at init.
    [{ ...x402, x402Networks: [BASE] }, /x402Network eip155:84532 is not among the x402 networks \(eip155:8453\)/],
    // A prod stage that lists only test networks still defaults to Base mainnet.
    [{ stage: 'prod', ...x402, x402Networks: [{ ...BASE, network: 'eip155:84532', chainId: 84532, name: 'Base Sepolia' }] }, /x402Network eip155:8453 is not among the x402 networks \(eip155:84532\); set x402Networks/],
  ])('refuses invalid payment context %j', (context, message) => {
    expect(() => resolveStageConfig(contextOf(context))).toThrow(message);
  });
});
