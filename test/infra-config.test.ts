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
