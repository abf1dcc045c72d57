import { RemovalPolicy } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { describe, expect, it } from 'vitest';
import { resolveStageConfig } from '../infra/lib/config.ts';

const contextOf = (values: Record<string, unknown>) => (key: string) => values[key];
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
    [{ domainName: 'api.example.com' }, /certificateArn/],
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

  it('is off unless configured: no JWKS, no payTo (x402 off), no facilitator, the code-default networks', () => {
    const config = resolveStageConfig(contextOf({}));
    expect(config.composeKeysJwks).toBeUndefined();
    expect(config.x402PayTo).toBeUndefined();
    expect(config.x402FacilitatorUrl).toBeUndefined();
    expect(config.x402Networks).toBeUndefined();
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
    // prod defaults to Base mainnet, which the code-default networks do not list.
    [{ stage: 'prod', ...x402 }, /x402Network eip155:8453 is not among the x402 networks \(eip155:43113, eip155:84532\); set x402Networks/],
  ])('refuses invalid payment context %j', (context, message) => {
    expect(() => resolveStageConfig(contextOf(context))).toThrow(message);
  });
});
