/**
 * What operators read: the Powertools log lines of money events (request id and payer, never a credential), the
 * unqueued-settlement event the alarm's metric filter matches, the per-request keys the middleware adds, the EMF
 * metrics (one line per call, and the series the dashboard searches), and the facilitator credentials and EIP-712
 * domains a deployment is configured with.
 */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PassThrough, Readable } from 'node:stream';
import { App, Stack } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import { Template } from 'aws-cdk-lib/assertions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
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
  it('writes a metric recorded outside any call at once as EMF, with the stage and service dimensions', () => {
    capture();
    o.countSettlement('unqueued');
    o.recordSpend('openai/gpt-4o-mini', 0.0125);
    const [settlement, spend] = logged();
    expect(settlement).toMatchObject({ Settlements: 1, outcome: 'unqueued', stage: 'test', _aws: { CloudWatchMetrics: [expect.objectContaining({ Namespace: 'ComposeInference' })] } });
    expect(spend).toMatchObject({ SpendUsd: 0.0125, model: 'openai/gpt-4o-mini' });
  });

  it('gives each metric written at once only its own dimensions, though one instance writes them all', () => {
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

describe("a call's metrics", () => {
  const emf = () => logged().filter((line) => line._aws);
  const dimensionSets = (line: Record<string, any>): string[][] => line._aws.CloudWatchMetrics[0].Dimensions.map((set: string[]) => [...set].sort());
  const metricNames = (line: Record<string, any>): string[] => line._aws.CloudWatchMetrics[0].Metrics.map((m: { Name: string }) => m.Name).sort();

  /** A streaming handler whose body records the call's spend at its end (as settlement does), once `release` is called. */
  const streamedCall = async () => {
    const { installLambdaGlobals } = await import('../../infra/local/lambda-runtime.ts');
    const { createHttpHandler } = await import('../../shared/http/handler.ts');
    installLambdaGlobals();
    let release: () => void = () => undefined;
    const released = new Promise<void>((resolve) => (release = resolve));
    const handler = createHttpHandler(async () => {
      o.countCall('inference');
      o.recordFirstByte(42);
      async function* body() {
        yield 'data: {"n":1}\n\n';
        await released;
        o.logger.info('settled at the end of the stream');
        o.recordSpend('openai/gpt-4o-mini', 0.0125);
        yield 'data: [DONE]\n\n';
      }
      return { statusCode: 200, headers: { 'content-type': 'text/event-stream' }, body: Readable.from(body()) };
    }, true) as unknown as (event: unknown, stream: PassThrough, context: Context) => Promise<void>;
    const sink = new PassThrough();
    let received = '';
    sink.on('data', (chunk: Buffer) => (received += chunk.toString()));
    const done = handler({ requestContext: { requestId: 'api-req-1' }, headers: { Authorization: 'Bearer compose-x' } }, sink, lambdaContext('lambda-req-1'));
    return { done, release, received: () => received };
  };

  it("goes out as one EMF line after a stream's last byte, with the spend settled at its end", async () => {
    capture();
    const call = await streamedCall();
    await vi.waitFor(() => expect(call.received()).toContain('"n":1'), { timeout: 10_000 });
    // The handler has returned and the first event is out: nothing is written before the call ends.
    expect(emf()).toEqual([]);
    call.release();
    await call.done;
    const lines = emf();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ Calls: 1, FirstByteLatency: 42, SpendUsd: 0.0125, family: 'inference', model: 'openai/gpt-4o-mini', stage: 'test' });
    expect(metricNames(lines[0]!)).toEqual(['Calls', 'FirstByteLatency', 'SpendUsd']);
    // Each metric under the stage, by family and by model: Calls by family, spend by model and first byte over the
    // stage are the series the dashboard reads (names.ts; the dashboard test checks its searches).
    expect(dimensionSets(lines[0]!)).toEqual([
      ['service', 'stage'],
      ['family', 'service', 'stage'],
      ['model', 'service', 'stage'],
    ]);
  });

  it('goes out when a non-streamed call has answered', async () => {
    const { createHttpHandler } = await import('../../shared/http/handler.ts');
    const handler = createHttpHandler(async () => {
      o.countCall('inference');
      o.recordSpend('openai/gpt-4o-mini', 0.002);
      return { statusCode: 200, body: '{}' };
    }, false) as unknown as (event: unknown, context: Context) => Promise<unknown>;
    capture();
    await handler({ requestContext: { requestId: 'api-req-2' }, headers: {} }, lambdaContext('lambda-req-2'));
    expect(emf()).toEqual([expect.objectContaining({ Calls: 1, SpendUsd: 0.002, family: 'inference', model: 'openai/gpt-4o-mini' })]);
  });

  it('starts a second line where a second value of a dimension would meet the first, so no metric counts under a value not its own', () => {
    capture();
    o.callMetrics.requestStart();
    o.countCall('inference');
    o.recordSpend('openai/gpt-4o-mini', 0.5);
    o.recordSpend('anthropic/claude-haiku-4.5', 0.25);
    o.callMetrics.requestEnd();
    const [first, second] = emf();
    expect(emf()).toHaveLength(2);
    expect(first).toMatchObject({ Calls: 1, SpendUsd: 0.5, model: 'openai/gpt-4o-mini' });
    expect(second).toMatchObject({ SpendUsd: 0.25, model: 'anthropic/claude-haiku-4.5' });
    expect(second).not.toHaveProperty('Calls');
    expect(second).not.toHaveProperty('family');
  });

  it('of calls served at once never share a line: each is written once, at once while they overlap', () => {
    capture();
    o.callMetrics.requestStart();
    o.countCall('inference');
    // A second call starts: the first's metrics so far go out, and from here on no line could tell whose a metric is.
    o.callMetrics.requestStart();
    o.countCall('media');
    o.callMetrics.requestEnd();
    // The first call alone again: its spend is held for its line.
    o.recordSpend('openai/gpt-4o-mini', 0.5);
    o.callMetrics.requestEnd();
    const lines = emf();
    expect(lines.map((l) => [l.family, l.Calls, l.model, l.SpendUsd])).toEqual([
      ['inference', 1, undefined, undefined],
      ['media', 1, undefined, undefined],
      [undefined, undefined, 'openai/gpt-4o-mini', 0.5],
    ]);
    // Written at once: under its own dimension only, as outside a call.
    expect(dimensionSets(lines[1]!)).toEqual([['family', 'service', 'stage']]);
  });

  it("of two overlapping calls of one family are not counted under the model only one of them used", () => {
    capture();
    o.callMetrics.requestStart();
    o.countCall('inference');
    o.callMetrics.requestStart();
    o.countCall('inference');
    o.recordSpend('openai/gpt-4o-mini', 0.5);
    o.callMetrics.requestEnd();
    o.callMetrics.requestEnd();
    const withModel = emf().filter((l) => l.model);
    expect(withModel).toEqual([expect.objectContaining({ SpendUsd: 0.5 })]);
    expect(withModel[0]).not.toHaveProperty('Calls');
  });

  it('of a call that records very many go out in several lines, every value kept and every line with its dimensions', () => {
    capture();
    o.callMetrics.requestStart();
    o.countCall('inference');
    for (let i = 0; i < 70; i += 1) o.recordFirstByte(i);
    o.callMetrics.requestEnd();
    const lines = emf();
    expect(lines.length).toBeGreaterThan(1);
    const values = lines.flatMap((l) => [l.FirstByteLatency ?? []].flat());
    expect(values).toEqual(Array.from({ length: 70 }, (_, i) => i));
    for (const line of lines) expect(dimensionSets(line)[0]).toEqual(['service', 'stage']);
  });

  it('are written at once, as before, after every call has ended', () => {
    capture();
    o.callMetrics.requestStart();
    o.callMetrics.requestEnd();
    o.recordFirstByte(7);
    expect(emf()).toEqual([expect.objectContaining({ FirstByteLatency: 7 })]);
  });

  it("keep the request's log keys on a stream's lines after the handler returned, and a new call starts without them", async () => {
    capture();
    const call = await streamedCall();
    await vi.waitFor(() => expect(call.received()).toContain('"n":1'), { timeout: 10_000 });
    call.release();
    await call.done;
    expect(logged().find((l) => l.message === 'settled at the end of the stream')).toMatchObject({ apiRequestId: 'api-req-1', callerKind: 'compose-key', function_request_id: 'lambda-req-1' });
    const next = middy(async () => {
      o.logger.info('next call');
      return { statusCode: 200 };
    }).use(o.observe());
    await next({ headers: {} } as never, lambdaContext('lambda-req-2'));
    const line = logged().find((l) => l.message === 'next call');
    expect(line).toMatchObject({ function_request_id: 'lambda-req-2' });
    expect(line).not.toHaveProperty('apiRequestId');
  });
});

/** The EMF lines written while `work` runs. */
const emfLinesOf = async (work: () => Promise<void>): Promise<Record<string, any>[]> => {
  const lines: string[] = [];
  vi.spyOn(process.stdout, 'write').mockImplementation(((chunk: unknown) => lines.push(String(chunk)) > 0) as never);
  await work();
  vi.restoreAllMocks();
  return lines
    .join('')
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, any>)
    .filter((l) => l._aws);
};

/** `Metric{dim1,dim2,…}` for each metric of a line under each of its dimension sets, dimensions sorted. */
const seriesOf = (line: Record<string, any>): string[] =>
  line._aws.CloudWatchMetrics.flatMap((directive: { Dimensions: string[][]; Metrics: { Name: string }[] }) =>
    directive.Metrics.flatMap((metric) => directive.Dimensions.map((set) => `${metric.Name}{${[...set].sort().join(',')}}`)),
  );

/** The SEARCH expressions of the dashboard the stack builds for a stage, as `Metric{dim1,dim2,…}`. */
const dashboardSearches = async (stage: string): Promise<string[]> => {
  const { Monitoring } = await import('../../infra/lib/monitoring.ts');
  const app = new App();
  const stack = new Stack(app, 'Monitored', { env: { account: '123456789012', region: 'eu-west-1' } });
  const restApi = new apigw.RestApi(stack, 'Api');
  restApi.root.addMethod('GET', new apigw.MockIntegration());
  new Monitoring(stack, 'Monitoring', {
    stage,
    alarms: { emails: [] },
    functions: [],
    settlingLogGroups: [],
    restApi,
    tables: { ledgers: dynamodb.Table.fromTableName(stack, 'Ledgers', 'compose-test-ledgers') },
    settlementsDlq: sqs.Queue.fromQueueArn(stack, 'SettlementsDlq', 'arn:aws:sqs:eu-west-1:123456789012:settlements-dlq'),
    videosDlq: sqs.Queue.fromQueueArn(stack, 'VideosDlq', 'arn:aws:sqs:eu-west-1:123456789012:videos-dlq'),
    stateMachine: sfn.StateMachine.fromStateMachineArn(stack, 'Videos', 'arn:aws:states:eu-west-1:123456789012:stateMachine:videos'),
  });
  const [dashboard] = Object.values(Template.fromStack(stack).findResources('AWS::CloudWatch::Dashboard'));
  const body = JSON.stringify(dashboard!.Properties.DashboardBody).replace(/\\+"/g, '"');
  return [...body.matchAll(/SEARCH\('\{ComposeInference,([^}]*)\} MetricName="(\w+)"/g)].map(([, keys, name]) => `${name}{${keys!.split(',').sort().join(',')}}`);
};

/**
 * The dashboard reads what the functions write: every CloudWatch SEARCH of the stage's dashboard names a metric and
 * an exact dimension set (`{namespace,keys}` matches only series with exactly those dimensions), and some EMF line
 * the code writes declares that metric under that set.
 */
describe('the dashboard', () => {
  it('searches only series some EMF line declares: a streamed paid call, a failed call, settlements and stale holds', async () => {
    const { installLambdaGlobals } = await import('../../infra/local/lambda-runtime.ts');
    const { createHttpHandler } = await import('../../shared/http/handler.ts');
    const { openAiErrors } = await import('../../shared/http/middleware.ts');
    const { UpstreamError } = await import('../../layers/core/errors.ts');
    installLambdaGlobals();
    const streamed = createHttpHandler(async () => {
      o.countCall('inference');
      o.recordFirstByte(42);
      async function* body() {
        yield 'data: {}\n\n';
        o.recordSpend('openai/gpt-4o-mini', 0.01);
      }
      return { statusCode: 200, body: Readable.from(body()) };
    }, true) as unknown as (event: unknown, stream: PassThrough, context: Context) => Promise<void>;

    const lines = await emfLinesOf(async () => {
      const sink = new PassThrough().resume();
      await streamed({ requestContext: { requestId: 'api-1' }, headers: {} }, sink, lambdaContext('lambda-req-1'));
      // The error middleware counts a provider failure by its code.
      openAiErrors(() => undefined).onError!({ error: new UpstreamError(502, 'upstream_error', 'provider failed'), event: { headers: {} } } as never);
      o.countSettlement('settled');
      o.countStaleHoldRelease(2);
    });
    const written = new Set(lines.flatMap(seriesOf));

    const searched = await dashboardSearches('test');
    expect(searched.length).toBeGreaterThanOrEqual(6);
    for (const series of searched) expect([...written], series).toContain(series);
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
