/**
 * The AWS clients the functions build (shared/stores/clients.ts, s3-client.ts): their user agent is built once per
 * client instead of on every request (user-agent.ts), and what the SDK does for correctness is untouched: requests
 * are signed with it, conditional writes fail as ConditionalCheckFailedException, throttled requests are retried.
 * The stored-Responses write sent pre-marshalled through a client of its own stores what the document client would.
 * Against the DynamoDB stand-in, behind a loopback proxy that records each request's headers.
 */
import { createServer, request, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ConditionalCheckFailedException, GetItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ensureTables, startDynamo } from '../../infra/local/standins/dynamodb.ts';
import { physicalTableName } from '../../layers/core/tables.ts';
import { createDocumentClient, createDynamoClient, createWriteClient } from '../../shared/stores/clients.ts';
import { createResponsesStore } from '../../shared/stores/responses.ts';
import { createS3Client } from '../../shared/stores/s3-client.ts';
import { userAgentHeaders } from '../../shared/stores/user-agent.ts';

let dynamo: Awaited<ReturnType<typeof startDynamo>>;
let proxy: Server;
let client: DynamoDBClient;
let doc: DynamoDBDocumentClient;
const seen: IncomingHttpHeaders[] = [];
/** Requests the proxy answers as throttled before forwarding again. */
let throttleNext = 0;
const TableName = physicalTableName('test', 'responses');

beforeAll(async () => {
  dynamo = await startDynamo();
  const target = new URL(dynamo.endpoint);
  proxy = createServer((req, res) => {
    seen.push(req.headers);
    if (throttleNext > 0) {
      throttleNext -= 1;
      req.resume();
      res.writeHead(400, { 'content-type': 'application/x-amz-json-1.0' });
      res.end(JSON.stringify({ __type: 'com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException', message: 'slow down' }));
      return;
    }
    const upstream = request({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 500, answer.headers);
      answer.pipe(res);
    });
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  client = createDynamoClient({
    endpoint: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  await ensureTables(client, 'test');
  doc = createDocumentClient(client);
});

afterAll(async () => {
  client?.destroy();
  await new Promise((resolve) => proxy?.close(resolve));
  await dynamo?.close();
});

beforeEach(() => {
  seen.length = 0;
  throttleNext = 0;
});

describe('the DynamoDB client', () => {
  it("sends the SDK's user agent, the same on every request, without the per-request feature list, and signs it", async () => {
    await doc.send(new PutCommand({ TableName, Item: { pk: 'ua#1', n: 1 } }));
    await doc.send(new GetCommand({ TableName, Key: { pk: 'ua#1' } }));
    expect(seen).toHaveLength(2);
    const [put, get] = seen;
    expect(put!['user-agent']).toMatch(/^aws-sdk-js\/\S+ /);
    expect(put!['user-agent']).toContain('api/dynamodb#');
    expect(put!['user-agent']).not.toMatch(/(^| )m\//);
    expect(get!['user-agent']).toBe(put!['user-agent']);
    expect(put!['x-amz-user-agent']).toMatch(/^aws-sdk-js\/\S+$/);
    expect(put!.authorization).toMatch(/SignedHeaders=[^,]*x-amz-user-agent/);
  });

  it('fails a conditional write whose condition does not hold with ConditionalCheckFailedException', async () => {
    const put = () => doc.send(new PutCommand({ TableName, Item: { pk: 'cond#1' }, ConditionExpression: 'attribute_not_exists(pk)' }));
    await put();
    await expect(put()).rejects.toBeInstanceOf(ConditionalCheckFailedException);
  });

  it('retries a throttled request', async () => {
    throttleNext = 1;
    await doc.send(new PutCommand({ TableName, Item: { pk: 'retry#1' } }));
    expect(seen).toHaveLength(2);
    const { Item } = await doc.send(new GetCommand({ TableName, Key: { pk: 'retry#1' } }));
    expect(Item).toEqual({ pk: 'retry#1' });
  });
});

describe('the write client', () => {
  const body = { response: { id: 'resp_1', object: 'response', output: [{ type: 'message', content: [{ type: 'output_text', text: 'hi' }] }] }, inputItems: [], conversation: [] };
  const noBlobs = { put: () => Promise.reject(new Error('no overflow here')), get: () => Promise.reject(new Error('no overflow here')), remove: () => Promise.resolve() };

  it("stores a finished response's record exactly as the document client does, and refuses an id that exists", async () => {
    const writer = createWriteClient({ endpoint: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    try {
      const viaWriter = createResponsesStore({ doc, writer, tableName: TableName, blobs: noBlobs });
      const viaDoc = createResponsesStore({ doc, tableName: TableName, blobs: noBlobs });
      // Twice each: the second request through the write client runs its cached middleware.
      for (const id of ['w1', 'w2']) await viaWriter.put(id, 'key:ck_1', 'openai/gpt-4o-mini', 1_765_000_000, 'completed', body);
      for (const id of ['d1', 'd2']) await viaDoc.put(id, 'key:ck_1', 'openai/gpt-4o-mini', 1_765_000_000, 'completed', body);
      const raw = async (id: string) => {
        const { Item } = await client.send(new GetItemCommand({ TableName, Key: { pk: { S: `resp#${id}` } }, ConsistentRead: true }));
        const { pk: _pk, expiresAt, ...rest } = Item!;
        expect(Number(expiresAt!.N)).toBeGreaterThan(1_765_000_000);
        return rest;
      };
      expect(await raw('w2')).toEqual(await raw('d2'));
      await expect(viaWriter.get('w2', 'key:ck_1')).resolves.toMatchObject({ status: 'completed', response: body.response });
      await expect(viaWriter.put('w1', 'key:ck_1', 'openai/gpt-4o-mini', 1_765_000_000, 'completed', body)).rejects.toBeInstanceOf(ConditionalCheckFailedException);
    } finally {
      writer.destroy();
    }
  });
});

describe('the S3 client', () => {
  it("has the once-built user agent in place of the SDK's per-request one", () => {
    const s3 = createS3Client({});
    const names = s3.middlewareStack.identify();
    expect(names.some((name) => name.startsWith('staticUserAgent'))).toBe(true);
    expect(names.some((name) => name.startsWith('getUserAgentMiddleware'))).toBe(false);
    s3.destroy();
  });
});

describe('user agent headers', () => {
  it('write each part as the SDK does, custom parts after, and only the SDK parts in x-amz-user-agent', () => {
    const headers = userAgentHeaders(
      [['aws-sdk-js', '3.1164.0'], ['ua', '2.1'], ['os/linux', '6.8.0'], ['lang/js'], ['md/nodejs', '24.21.0'], ['api/DynamoDB', '3.1164.0']],
      [['app', 'compose inference']],
    );
    expect(headers).toEqual({
      'user-agent': 'aws-sdk-js/3.1164.0 ua/2.1 os/linux#6.8.0 lang/js md/nodejs#24.21.0 api/dynamodb#3.1164.0 app/compose-inference',
      'x-amz-user-agent': 'aws-sdk-js/3.1164.0 app/compose-inference',
    });
  });
});
