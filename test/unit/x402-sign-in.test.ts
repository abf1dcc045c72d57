/**
 * Sign-In-With-X, the proof a wallet reads its own records with: signed by the official client for a challenge,
 * verified by `@x402/extensions`, its nonce spent once in the nonces table (dynalite). Every refusal is a 401 with
 * its own code, never a 500, whatever the header holds.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { SIGN_IN_WITH_X, createSIWxPayload, encodeSIWxHeader, type SIWxExtension } from '@x402/extensions/sign-in-with-x';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureTables, startDynamo, type DynamoStandIn } from '../../infra/local/standins/dynamodb.ts';
import { createSignIn, type SignIn } from '../../layers/x402/sign-in.ts';
import { AuthenticationError } from '../../layers/core/errors.ts';
import { physicalTableName } from '../../layers/core/tables.ts';

let dynamo: DynamoStandIn;
let client: DynamoDBClient;
let signIn: SignIn;
const ORIGIN = new URL('https://api.example.com');
const RESOURCE = 'https://api.example.com/v1/responses/resp_1';

beforeAll(async () => {
  dynamo = await startDynamo();
  client = new DynamoDBClient({ endpoint: dynamo.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  await ensureTables(client, 'siwx');
  signIn = createSignIn({ client: DynamoDBDocumentClient.from(client), tableName: physicalTableName('siwx', 'nonces') });
});
afterAll(async () => {
  client?.destroy();
  await dynamo?.close();
});

const account = privateKeyToAccount(generatePrivateKey());

/** A header the official client signs for a challenge of ours (which a test may alter first). */
const signed = async (alter: (info: SIWxExtension['info']) => SIWxExtension['info'] = (info) => info, requestUrl = RESOURCE): Promise<string> => {
  const extension = signIn.challenge(RESOURCE, ['eip155:84532'], 'sign in').extensions[SIGN_IN_WITH_X]!;
  const chain = extension.supportedChains[0]!;
  return encodeSIWxHeader(await createSIWxPayload({ ...alter(extension.info), chainId: chain.chainId, type: chain.type }, account, requestUrl));
};

const refusal = async (proof: Promise<unknown>): Promise<{ status: number; code: string }> => {
  const error = await proof.then(() => undefined, (e: unknown) => e);
  if (!(error instanceof AuthenticationError)) throw new Error(`expected a 401, got ${String(error)}`);
  return { status: error.status, code: error.code };
};

describe('Sign-In-With-X proofs', () => {
  it('prove the wallet that signed the challenge, once', async () => {
    const header = await signed();
    expect(await signIn.prove(header, ORIGIN)).toBe(account.address);
    expect(await refusal(signIn.prove(header, ORIGIN))).toEqual({ status: 401, code: 'sign_in_replayed' });
  });

  it('are refused for another origin (a message signed for a phishing site)', async () => {
    const elsewhere = new URL('https://evil.example');
    const header = await signed((info) => ({ ...info, domain: elsewhere.host, uri: 'https://evil.example/x' }), 'https://evil.example/x');
    expect(await refusal(signIn.prove(header, ORIGIN))).toEqual({ status: 401, code: 'sign_in_invalid' });
  });

  it('are refused once older than five minutes', async () => {
    const old = new Date(Date.now() - 6 * 60_000).toISOString();
    const header = await signed((info) => ({ ...info, issuedAt: old, expirationTime: new Date(Date.now() + 60_000).toISOString() }));
    expect(await refusal(signIn.prove(header, ORIGIN))).toEqual({ status: 401, code: 'sign_in_invalid' });
  });

  it('are refused when the signature is not the address’s', async () => {
    const payload = JSON.parse(Buffer.from(await signed(), 'base64').toString()) as Record<string, unknown>;
    const forged = Buffer.from(JSON.stringify({ ...payload, address: privateKeyToAccount(generatePrivateKey()).address })).toString('base64');
    expect(await refusal(signIn.prove(forged, ORIGIN))).toEqual({ status: 401, code: 'sign_in_invalid' });
  });

  it.each([
    ['not base64 JSON', '%%%'],
    ['JSON of the wrong shape', Buffer.from('{"a":1}').toString('base64')],
  ])('answer a header that is %s with 401 sign_in_invalid', async (_, header) => {
    expect(await refusal(signIn.prove(header, ORIGIN))).toEqual({ status: 401, code: 'sign_in_invalid' });
  });

  it('bound the nonce before it becomes a table key: a 3 KB nonce is a 401, not a 500', async () => {
    const header = await signed((info) => ({ ...info, nonce: 'a'.repeat(3000) }));
    expect(await refusal(signIn.prove(header, ORIGIN))).toEqual({ status: 401, code: 'sign_in_invalid' });
  });
});
