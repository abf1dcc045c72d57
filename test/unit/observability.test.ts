/**
 * What operators read: the Powertools log lines of money events (request id and payer, never a credential), the
 * unqueued-settlement event the alarm's metric filter matches, the per-request keys the middleware adds, the EMF
 * metrics, and the facilitator credentials and EIP-712 domains a deployment is configured with.
 */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';

// Metrics are off outside Lambda unless asked for; these tests ask, before the module is loaded.
process.env.POWERTOOLS_METRICS_DISABLED = 'false';
process.env.POWERTOOLS_LOG_LEVEL = 'INFO';
process.env.STAGE = 'test';

type Observability = typeof import('../../layers/core/observability/index.ts');
let o: Observability;
let lines: string[];

beforeAll(async () => {
  o = await import('../../layers/core/observability/index.ts');
});

/** Every JSON line Powertools writes (it writes straight to the process streams). */
const capture = (): Record<string, any>[] => {
  lines = [];
  const collect = (chunk: unknown): boolean => {
    lines.push(String(chunk));
    return true;
  };
  vi.spyOn(process.stdout, 'write').mockImplementation(collect as never);
  vi.spyOn(process.stderr, 'write').mockImplementation(collect as never);
  return [];
};
const logged = (): Record<string, any>[] =>
  lines
    .join('')
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, any>);

afterEach(() => vi.restoreAllMocks());

const lambdaContext = (requestId: string): Context =>
  ({
    functionName: 'compose-test-inference',
    functionVersion: '7',
    invokedFunctionArn: 'arn:aws:lambda:eu-central-1:123456789012:function:compose-test-inference:live',
    memoryLimitInMB: '1024',
    awsRequestId: requestId,
    callbackWaitsForEmptyEventLoop: false,
    getRemainingTimeInMillis: () => 1000,
  }) as unknown as Context;

describe('money paths never swallow an error', () => {
  it('logs a failed release at error level with the request id and the payer, and resolves as the old catch did', async () => {
    capture();
    const result = await Promise.reject(new Error('ConditionalCheckFailed')).catch(o.logFailure('hold not released after a failed call', { requestId: 'req-1', payer: 'wallet:0xabc' }));
    expect(result).toBeUndefined();
    const [line] = logged();
    expect(line).toMatchObject({ level: 'ERROR', message: 'hold not released after a failed call', requestId: 'req-1', payer: 'wallet:0xabc', error: { name: 'Error', message: 'ConditionalCheckFailed' } });
  });

  it('logs a hold that cannot be released after a failed call (paidIdempotently), and still reports the call failure', async () => {
    const { paidIdempotently } = await import('../../shared/calls/idempotent.ts');
    const caller = { id: 'key:ck_1' };
    const payer = {
      caller,
      charge: async () => ({ caller, finalize: async () => ({ headers: {} }), release: () => Promise.reject(new Error('ProvisionedThroughputExceeded')) }),
    };
    const http = { requestId: 'req-7', method: 'POST', headers: {}, event: { resource: '/v1/chat/completions' } } as never;
    capture();
    await expect(paidIdempotently(http, payer, {} as never, '{}', {} as never, () => Promise.reject(new Error('provider down')))).rejects.toThrow('provider down');
    expect(logged()).toContainEqual(
      expect.objectContaining({ level: 'ERROR', message: 'hold not released after a failed call', requestId: 'req-7', payer: 'key:ck_1', error: expect.objectContaining({ message: 'ProvisionedThroughputExceeded' }) }),
    );
  });

  it('logs a nonce that cannot be marked spent after a settlement landed, and still reports the settlement', async () => {
    const { createPaymentGate } = await import('../../layers/x402/gate.ts');
    const gate = createPaymentGate({
      settlement: { settle: async () => ({ success: true, transaction: '0xfeed', network: 'eip155:8453' }) } as never,
      nonces: { get: async () => undefined, markSpent: () => Promise.reject(new Error('ConditionalCheckFailed')) } as never,
    });
    capture();
    const result = await gate.settle({ payer: '0xabc', network: 'eip155:8453', claim: {} } as never, {});
    expect(result).toMatchObject({ success: true, transaction: '0xfeed' });
    expect(logged()).toContainEqual(expect.objectContaining({ level: 'ERROR', message: 'x402 nonce not marked spent after settlement', payer: '0xabc', transaction: '0xfeed' }));
  });

  it('writes an unqueued settlement whole, with the event the alarm counts, the request id and the payer', async () => {
    const { enqueueOrLog, deserializePending } = await import('../../shared/billing/settlement-queue.ts');
    const pending = { payment: { payer: '0xabc', network: 'eip155:8453', scheme: 'exact' } as never, amount: 12_345n };
    capture();
    const outcome = await enqueueOrLog({ enqueue: () => Promise.reject(new Error('SQS down')) }, pending, { requestId: 'req-2', payer: 'wallet:0xabc' });
    expect(outcome).toBe('unqueued');
    const [line] = logged();
    expect(line).toMatchObject({ level: 'ERROR', event: o.LOG_EVENT.settlementUnqueued, requestId: 'req-2', payer: 'wallet:0xabc' });
    // What an operator resends to the settlements queue (docs/operations.md).
    expect(deserializePending(line!.messageBody as string).amount).toBe(12_345n);
  });

  it('logs a settlement queued for retry as a warning with the request id', async () => {
    const { enqueueOrLog } = await import('../../shared/billing/settlement-queue.ts');
    capture();
    const outcome = await enqueueOrLog({ enqueue: () => Promise.resolve() }, { payment: { network: 'eip155:8453' } as never, amount: 1n }, { requestId: 'req-3', payer: 'p' });
    expect(outcome).toBe('queued');
    expect(logged()[0]).toMatchObject({ level: 'WARN', event: 'x402_settlement_queued', requestId: 'req-3', payer: 'p' });
  });
});

describe('the settlement worker', () => {
  it("logs a failed retry with the original request id (a message attribute) and reports it for redelivery", async () => {
    // No X402_PAY_TO here: the worker refuses every message, as a stage with x402 off would.
    const { handler } = await import('../../functions/settlement-worker/handler.ts');
    capture();
    const record = { messageId: 'm-1', body: '{}', attributes: { ApproximateReceiveCount: '2' }, messageAttributes: { requestId: { dataType: 'String', stringValue: 'req-42' } } };
    const result = await handler({ Records: [record] } as never, lambdaContext('lambda-req-42'));
    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: 'm-1' }] });
    expect(logged()).toContainEqual(expect.objectContaining({ level: 'WARN', message: 'settlement retry failed', requestId: 'req-42', messageId: 'm-1', function_request_id: 'lambda-req-42' }));
  });
});

describe('the handler middleware', () => {
  it('adds the Lambda request id, function, cold start, API request id and caller kind, never the credential', async () => {
    const secret = 'compose-eyJhbGciOi.secret.token';
    const handler = middy(async () => {
      o.logger.info('served');
      return { statusCode: 200 };
    }).use(o.observe());
    capture();
    await handler({ requestContext: { requestId: 'api-req-9' }, headers: { Authorization: `Bearer ${secret}` } } as never, lambdaContext('lambda-req-9'));
    const text = lines.join('');
    expect(text).not.toContain(secret);
    const line = logged().find((l) => l.message === 'served');
    expect(line).toMatchObject({
      function_request_id: 'lambda-req-9',
      function_name: 'compose-test-inference',
      cold_start: expect.any(Boolean),
      apiRequestId: 'api-req-9',
      callerKind: 'compose-key',
    });
  });

  it('wraps a worker, with or without a Lambda context (the local Step Functions stand-in passes none)', async () => {
    const worker = o.withObservability(async (event: { jobId: string }) => {
      o.logger.info('task ran', { jobId: event.jobId });
      return 'done';
    });
    capture();
    await expect(worker({ jobId: 'vid_1' })).resolves.toBe('done');
    await expect(worker({ jobId: 'vid_2' }, lambdaContext('lambda-req-3'))).resolves.toBe('done');
    expect(logged().find((l) => l.jobId === 'vid_2')).toMatchObject({ function_request_id: 'lambda-req-3' });
  });

  it.each([
    [{ 'payment-signature': 'eyJ4NDAy' }, 'x402'],
    [{ authorization: 'Bearer compose-abc' }, 'compose-key'],
    [{ authorization: 'Bearer sk-other' }, 'bearer'],
    [{}, 'anonymous'],
  ])('names the caller kind of %j as %s', (headers, kind) => {
    expect(o.callerKindOf(headers)).toBe(kind);
  });
});

describe('metrics', () => {
  it('writes each metric at once as EMF, with the stage and service dimensions', () => {
    capture();
    o.countSettlement('unqueued');
    o.recordSpend('openai/gpt-4o-mini', 0.0125);
    const [settlement, spend] = logged();
    expect(settlement).toMatchObject({ Settlements: 1, outcome: 'unqueued', stage: 'test', _aws: { CloudWatchMetrics: [expect.objectContaining({ Namespace: 'ComposeInference' })] } });
    expect(spend).toMatchObject({ SpendUsd: 0.0125, model: 'openai/gpt-4o-mini' });
  });

  it('gives each metric only its own dimensions, though one instance writes them all', () => {
    capture();
    o.countSettlement('settled');
    o.recordSpend('openai/gpt-4o-mini', 0.5);
    o.countCall('inference');
    o.countSettlement('unqueued');
    const [settled, spend, call, unqueued] = logged();
    expect(settled).toMatchObject({ Settlements: 1, outcome: 'settled' });
    expect(spend).not.toHaveProperty('outcome');
    expect(spend!._aws.CloudWatchMetrics[0].Dimensions).toEqual([expect.arrayContaining(['model'])]);
    expect(call).toMatchObject({ family: 'inference' });
    expect(call).not.toHaveProperty('model');
    expect(unqueued).toMatchObject({ Settlements: 1, outcome: 'unqueued', stage: 'test' });
    expect(unqueued).not.toHaveProperty('family');
  });
});

describe('relayer gas', () => {
  it('reads every network with an RPC endpoint, reports one that fails, and skips those without', async () => {
    const { readRelayerGas } = await import('../../shared/observability/relayer-gas.ts');
    const balances: Record<string, bigint> = { 'https://base.example': 25_000_000_000_000_000n };
    const result = await readRelayerGas(
      '0x70997970C51812dc3A010C7d01b50e0d17dc79C8',
      [
        { network: 'eip155:8453', rpcUrl: 'https://base.example' },
        { network: 'eip155:43114', rpcUrl: 'https://avax.example' },
        { network: 'eip155:1' },
      ],
      async (rpcUrl) => {
        const balance = balances[rpcUrl];
        if (balance === undefined) throw new Error('rpc down');
        return balance;
      },
    );
    expect(result.readings).toEqual([{ network: 'eip155:8453', balance: 0.025 }]);
    expect(result.failures.map((f) => f.network)).toEqual(['eip155:43114']);
  });
});

describe('x402 deployment settings', () => {
  it('sends the facilitator credentials from the provider secret on every facilitator call', async () => {
    const { x402PaymentsFromEnv } = await import('../../shared/billing/x402-from-env.ts');
    const seen: IncomingHttpHeaders[] = [];
    const server = createServer((req, res) => {
      seen.push(req.headers);
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ kinds: [], extensions: [], signers: {} }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const env = {
        X402_PAY_TO: '0x70997970C51812dc3A010C7d01b50e0d17dc79C8',
        X402_SETTLEMENT: 'facilitator',
        X402_FACILITATOR_URL: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        NONCES_TABLE: 'nonces',
      };
      const secret: Record<string, string> = { X402_FACILITATOR_HEADERS: JSON.stringify({ authorization: 'Bearer facilitator-key' }) };
      const payments = x402PaymentsFromEnv(env, {} as never, async (name) => secret[name]);
      const settlement = payments!.settlement as unknown as { supported(): Promise<unknown> };
      await settlement.supported();
      expect(seen[0]?.authorization).toBe('Bearer facilitator-key');
    } finally {
      server.close();
    }
  });

  it('refuses malformed facilitator credentials instead of calling without them', async () => {
    const { facilitatorHeadersFrom } = await import('../../shared/billing/x402-from-env.ts');
    await expect(facilitatorHeadersFrom(async () => '["Bearer x"]')()).rejects.toThrow(/X402_FACILITATOR_HEADERS must be a JSON object/);
    await expect(facilitatorHeadersFrom(async () => undefined)()).resolves.toEqual({});
  });

  it("uses a network's configured EIP-712 domain without asking the chain", async () => {
    const { x402PaymentsFromEnv } = await import('../../shared/billing/x402-from-env.ts');
    const { PRODUCTION_NETWORKS } = await import('../../infra/lib/config.ts');
    const payments = x402PaymentsFromEnv(
      { X402_PAY_TO: '0x70997970C51812dc3A010C7d01b50e0d17dc79C8', X402_NETWORKS: JSON.stringify(PRODUCTION_NETWORKS), X402_DEFAULT_NETWORK: 'eip155:8453', X402_SETTLEMENT: 'facilitator', X402_FACILITATOR_URL: 'https://x402.org/facilitator', NONCES_TABLE: 'nonces' },
      {} as never,
    );
    // No RPC URL is configured: a chain read would fail.
    await expect(payments!.domains.read('eip155:43114', '0xB97EF9Ef8734C71904D8002F8b6Bc66Dd9c48a6E')).resolves.toEqual({ name: 'USD Coin', version: '2' });
    await expect(payments!.domains.read('eip155:8453', '0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913')).resolves.toEqual({ name: 'USD Coin', version: '2' });
  });
});
