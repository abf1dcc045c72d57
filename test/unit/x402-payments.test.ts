/**
 * x402 v2 end to end: the official `@x402/fetch` + `@x402/evm` client pays a loopback endpoint built from the
 * layer's modules, on a real anvil chain with a real (dynalite) nonce table, settled either by the built-in relayer
 * or by the official x402 facilitator behind our HTTP facilitator client. Balances are read from the chain.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { x402Facilitator } from '@x402/core/facilitator';
import { decodePaymentRequiredHeader as officialDecodeRequired, decodePaymentResponseHeader as officialDecodeResponse } from '@x402/core/http';
import { toClientEvmSigner, toFacilitatorEvmSigner } from '@x402/evm';
import { ExactEvmScheme as ExactClientScheme } from '@x402/evm/exact/client';
import { ExactEvmScheme as ExactFacilitatorScheme } from '@x402/evm/exact/facilitator';
import { UptoEvmScheme as UptoClientScheme } from '@x402/evm/upto/client';
import { UptoEvmScheme as UptoFacilitatorScheme } from '@x402/evm/upto/facilitator';
import { wrapFetchWithPayment, x402Client } from '@x402/fetch';
import { publicActions, type Address, type Hex } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalChain, type LocalChain } from '../../infra/local/chain/index.ts';
import { ensureTables, startDynamo, type DynamoStandIn } from '../../infra/local/standins/dynamodb.ts';
import { toComposeError } from '../../layers/core/errors.ts';
import { physicalTableName } from '../../layers/core/tables.ts';
import { usdcAbi } from '../../layers/x402/abi.ts';
import { buildPaymentRequired, withError } from '../../layers/x402/challenge.ts';
import { encodeBase64Json, encodePaymentRequiredHeader, encodePaymentResponseHeader } from '../../layers/x402/codec.ts';
import { PERMIT2_ADDRESS } from '../../layers/x402/constants.ts';
import { createTokenDomainReader } from '../../layers/x402/domain.ts';
import { createFacilitatorSettlement } from '../../layers/x402/facilitator.ts';
import { createPaymentGate, type PaymentGate } from '../../layers/x402/gate.ts';
import { createNonceStore } from '../../layers/x402/nonce-store.ts';
import { createRelayerSettlement } from '../../layers/x402/relayer.ts';
import type { PaymentPayload, PaymentRequired } from '../../layers/x402/schemas.ts';
import type { Settlement } from '../../layers/x402/settlement.ts';
import { exactTypedData, type TokenDomain } from '../../layers/x402/typed-data.ts';

type Mode = 'relayer' | 'facilitator';

let chain: LocalChain;
let dynamo: DynamoStandIn;
let domain: TokenDomain;
let baseUrl: string;
const servers: Server[] = [];
const modes = {} as Record<Mode, { gate: PaymentGate; settlement: Settlement }>;

const listen = async (handler: (req: IncomingMessage, res: ServerResponse) => Promise<void>): Promise<string> => {
  const server = createServer((req, res) => {
    handler(req, res).catch((error: unknown) => {
      res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ error: String(error) }));
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
};

const readJson = async (req: IncomingMessage): Promise<Record<string, unknown>> => {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
};

const reply = (res: ServerResponse, status: number, headers: Record<string, string>, body: unknown): void => {
  res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
};

/** The official x402 facilitator (from @x402/core and @x402/evm) served over HTTP, settling with the deployer key. */
const startOfficialFacilitator = async (): Promise<string> => {
  const account = chain.walletClient(chain.deployer);
  const signer = toFacilitatorEvmSigner(Object.assign(account.extend(publicActions), { address: account.account.address }) as never);
  const facilitator = new x402Facilitator()
    .register(chain.network, new ExactFacilitatorScheme(signer))
    .register(chain.network, new UptoFacilitatorScheme(signer));
  return listen(async (req, res) => {
    if (req.method === 'GET' && req.url === '/supported') return reply(res, 200, {}, facilitator.getSupported());
    const body = await readJson(req);
    if (req.url === '/verify') return reply(res, 200, {}, await facilitator.verify(body['paymentPayload'] as never, body['paymentRequirements'] as never));
    if (req.url === '/settle') return reply(res, 200, {}, await facilitator.settle(body['paymentPayload'] as never, body['paymentRequirements'] as never));
    reply(res, 404, {}, {});
  });
};

/**
 * The paid endpoint: `/{relayer|facilitator}/paid?price=<exact>&upto=<cap>&meter=<used>&fail=1&payTo=<addr>`.
 * It rebuilds the same challenge from the URL on every request, as a stateless Lambda would.
 */
const challengeFor = async (url: URL, settlement: Settlement): Promise<PaymentRequired> => {
  const upto = url.searchParams.get('upto');
  return buildPaymentRequired(
    {
      resourceUrl: url.href,
      description: 'a paid test resource',
      mimeType: 'application/json',
      network: chain.network,
      asset: chain.usdc,
      payTo: chain.merchant.address,
      amount: url.searchParams.get('price') ?? '1000',
      maxTimeoutSeconds: 300,
      ...(upto ? { upto: { maxAmount: upto } } : {}),
    },
    { domain, ...(upto ? { uptoFacilitator: await settlement.uptoFacilitator(chain.network) } : {}) },
  );
};

const paidEndpoint = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
  const url = new URL(req.url ?? '/', baseUrl);
  const mode = modes[url.pathname.split('/')[1] as Mode];
  if (!mode) return reply(res, 404, {}, {});
  const challenge = await challengeFor(url, mode.settlement);
  const header = req.headers['payment-signature'];
  if (typeof header !== 'string') {
    const required = withError(challenge, 'PAYMENT-SIGNATURE header is required');
    return reply(res, 402, { 'PAYMENT-REQUIRED': encodePaymentRequiredHeader(required) }, required);
  }
  const maxAmount = req.headers['x-x402-max-amount-wei'];
  let payment: Awaited<ReturnType<PaymentGate['authorize']>>;
  try {
    payment = await mode.gate.authorize({ header, offers: challenge.accepts, ...(typeof maxAmount === 'string' ? { maxAmount } : {}) });
  } catch (caught) {
    const error = toComposeError(caught);
    return reply(res, error.status, { 'PAYMENT-REQUIRED': encodePaymentRequiredHeader(withError(challenge, error.message)) }, error.toBody());
  }
  // The "model": fails on demand, before anything is settled.
  if (url.searchParams.has('fail')) {
    await mode.gate.release(payment);
    return reply(res, 502, {}, { error: { code: 'upstream_error', message: 'the model failed' } });
  }
  const meter = url.searchParams.get('meter');
  const settled = await mode.gate.settle(payment, meter === null ? {} : { amount: BigInt(meter) });
  reply(res, settled.success ? 200 : 502, { 'PAYMENT-RESPONSE': encodePaymentResponseHeader(settled) }, { answer: 42, payer: payment.payer });
};

beforeAll(async () => {
  [chain, dynamo] = await Promise.all([startLocalChain({ walletCount: 5 }), startDynamo()]);
  const dynamoClient = new DynamoDBClient({ endpoint: dynamo.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  await ensureTables(dynamoClient, 'x402e2e');
  const nonces = createNonceStore({ client: DynamoDBDocumentClient.from(dynamoClient), tableName: physicalTableName('x402e2e', 'nonces') });
  domain = await createTokenDomainReader(() => chain.publicClient()).read(chain.network, chain.usdc);

  const relayer = createRelayerSettlement({
    chains: { [chain.network]: { wallet: chain.walletClient(chain.relayer), public: chain.publicClient() } },
  });
  const facilitator = createFacilitatorSettlement({ url: await startOfficialFacilitator() });
  modes.relayer = { settlement: relayer, gate: createPaymentGate({ settlement: relayer, nonces }) };
  modes.facilitator = { settlement: facilitator, gate: createPaymentGate({ settlement: facilitator, nonces }) };
  baseUrl = await listen(paidEndpoint);
});

afterAll(async () => {
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  await Promise.all([chain?.close(), dynamo?.close()]);
});

// --- helpers -------------------------------------------------------------------------------------------------

const balanceOf = (address: Address) => chain.publicClient().readContract({ address: chain.usdc, abi: usdcAbi, functionName: 'balanceOf', args: [address] });

/** Runs `act` and returns how much the payer's and the merchant's USDC balances changed. */
const balancesMovedBy = async (payer: Address, act: () => Promise<unknown>) => {
  const [payerBefore, merchantBefore] = await Promise.all([balanceOf(payer), balanceOf(chain.merchant.address)]);
  await act();
  const [payerAfter, merchantAfter] = await Promise.all([balanceOf(payer), balanceOf(chain.merchant.address)]);
  return { paid: payerBefore - payerAfter, received: merchantAfter - merchantBefore };
};

/** An official x402 client for one funded wallet, preferring `scheme` when the challenge offers several. */
const officialClient = (wallet: number, scheme: 'exact' | 'upto' = 'exact') => {
  const account = privateKeyToAccount(chain.wallets[wallet]!.privateKey);
  const signer = toClientEvmSigner(account);
  const client = new x402Client((_version, accepts) => accepts.find((a) => a.scheme === scheme) ?? accepts[0]!)
    .register('eip155:*', new ExactClientScheme(signer))
    .register('eip155:*', new UptoClientScheme(signer))
    // The official client only pays known USDC deployments unless told otherwise; the local token is new to it
    // (a real client would list it in `allowedAssets`; these tests also sign for deliberately wrong assets).
    .setSpendControls({ allowedAssets: true });
  return { account, client, fetch: wrapFetchWithPayment(fetch, client) };
};

const challengeAt = async (path: string): Promise<PaymentRequired> => {
  const response = await fetch(`${baseUrl}${path}`);
  expect(response.status).toBe(402);
  return officialDecodeRequired(response.headers.get('PAYMENT-REQUIRED')!) as PaymentRequired;
};

/** A payload signed by the official client for `challenge` (which a test may have altered first). */
const officialPayload = async (wallet: number, challenge: PaymentRequired, scheme: 'exact' | 'upto' = 'exact'): Promise<PaymentPayload> =>
  (await officialClient(wallet, scheme).client.createPaymentPayload(challenge as never)) as PaymentPayload;

const send = async (path: string, payload: PaymentPayload | string, headers: Record<string, string> = {}) => {
  const response = await fetch(`${baseUrl}${path}`, {
    headers: { 'PAYMENT-SIGNATURE': typeof payload === 'string' ? payload : encodeBase64Json(payload), ...headers },
  });
  const body = (await response.json()) as { error?: { code: string; message: string } };
  return { status: response.status, code: body.error?.code, message: body.error?.message, response };
};

/** Signs an EIP-3009 authorization directly (for windows the official client never produces). */
const signedExact = async (wallet: number, challenge: PaymentRequired, window: { validAfter: bigint; validBefore: bigint }): Promise<PaymentPayload> => {
  const account = privateKeyToAccount(chain.wallets[wallet]!.privateKey);
  const accepted = challenge.accepts[0]!;
  const authorization = {
    from: account.address,
    to: accepted.payTo,
    value: accepted.amount,
    validAfter: window.validAfter.toString(),
    validBefore: window.validBefore.toString(),
    nonce: `0x${Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('hex')}` as Hex,
  };
  const signature = await account.signTypedData(exactTypedData(authorization, { domain, chainId: chain.chainId, address: chain.usdc }));
  return { x402Version: 2, resource: challenge.resource, accepted, payload: { signature, authorization } };
};

const now = (): bigint => BigInt(Math.floor(Date.now() / 1000));

// --- the happy paths, under both settlement modes ------------------------------------------------------------

describe.each(['relayer', 'facilitator'] as const)('paid with the official client, settled by the %s', (mode) => {
  it('pays an exact challenge: 402, sign, verify, settle; balances move by exactly the price', async () => {
    const payer = officialClient(mode === 'relayer' ? 0 : 1);
    let response!: Response;
    const moved = await balancesMovedBy(payer.account.address, async () => {
      response = await payer.fetch(`${baseUrl}/${mode}/paid?price=1500`);
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ answer: 42, payer: payer.account.address });
    const settled = officialDecodeResponse(response.headers.get('PAYMENT-RESPONSE')!);
    expect(settled).toMatchObject({ success: true, network: chain.network, payer: payer.account.address });
    expect(settled.transaction).toMatch(/^0x[0-9a-f]{64}$/);
    expect(moved).toEqual({ paid: 1500n, received: 1500n });
    const receipt = await chain.publicClient().getTransactionReceipt({ hash: settled.transaction as Hex });
    expect(receipt.status).toBe('success');
  });

  it('settles upto at the metered amount, never the cap', async () => {
    const payer = officialClient(mode === 'relayer' ? 0 : 1, 'upto');
    let response!: Response;
    const moved = await balancesMovedBy(payer.account.address, async () => {
      response = await payer.fetch(`${baseUrl}/${mode}/paid?price=5000&upto=5000&meter=1234`);
    });
    expect(response.status).toBe(200);
    expect(officialDecodeResponse(response.headers.get('PAYMENT-RESPONSE')!)).toMatchObject({ success: true, amount: '1234' });
    expect(moved).toEqual({ paid: 1234n, received: 1234n });
  });
});

// --- the challenge and the header encodings ---------------------------------------------------------------

describe('the challenge and header encodings', () => {
  it('answers an unpaid request with 402 and the same PaymentRequired in the header and the body', async () => {
    const response = await fetch(`${baseUrl}/relayer/paid?price=700&upto=9000`);
    expect(response.status).toBe(402);
    const header = officialDecodeRequired(response.headers.get('PAYMENT-REQUIRED')!);
    expect(await response.json()).toEqual(header);
    expect(header).toMatchObject({ x402Version: 2, error: 'PAYMENT-SIGNATURE header is required' });
    expect(header.accepts).toEqual([
      expect.objectContaining({ scheme: 'upto', amount: '9000', extra: expect.objectContaining({ facilitatorAddress: chain.relayer.address }) }),
      expect.objectContaining({ scheme: 'exact', amount: '700', asset: chain.usdc, payTo: chain.merchant.address, extra: expect.objectContaining(domain) }),
    ]);
  });

  it('accepts a PAYMENT-SIGNATURE in base64url as well as standard base64', async () => {
    const payload = await officialPayload(2, await challengeAt('/relayer/paid?price=321'));
    const base64url = Buffer.from(JSON.stringify(payload)).toString('base64url');
    expect(base64url).not.toMatch(/[+/=]/);
    const moved = await balancesMovedBy(chain.wallets[2]!.address, async () => {
      const { status, response } = await send('/relayer/paid?price=321', base64url);
      expect(status).toBe(200);
      expect(officialDecodeResponse(response.headers.get('PAYMENT-RESPONSE')!).success).toBe(true);
    });
    expect(moved).toEqual({ paid: 321n, received: 321n });
  });
});

// --- refusals, each with its own code, and nothing charged -----------------------------------------------

describe('refusals: 402 with a reason, and no money moves', () => {
  const path = '/relayer/paid?price=1000';

  const refused = async (payload: PaymentPayload | string, headers: Record<string, string> = {}, at = path) => {
    const wallet = typeof payload === 'string' ? chain.wallets[3]!.address : (payload.payload['authorization'] as { from: Address } | undefined)?.from ?? chain.wallets[3]!.address;
    let result!: Awaited<ReturnType<typeof send>>;
    const moved = await balancesMovedBy(wallet, async () => {
      result = await send(at, payload, headers);
    });
    expect(moved).toEqual({ paid: 0n, received: 0n });
    expect(result.status).toBe(402);
    // The refusal re-issues the challenge with the reason, so an x402 client can pay again.
    expect(officialDecodeRequired(result.response.headers.get('PAYMENT-REQUIRED')!).error).toBe(result.message);
    return result;
  };

  it('refuses an expired authorization', async () => {
    const payload = await signedExact(3, await challengeAt(path), { validAfter: 0n, validBefore: now() - 5n });
    expect(await refused(payload)).toMatchObject({ code: 'payment_expired', message: expect.stringMatching(/expired/) });
  });

  it('refuses an authorization that is not valid yet', async () => {
    const payload = await signedExact(3, await challengeAt(path), { validAfter: now() + 3_600n, validBefore: now() + 7_200n });
    expect((await refused(payload)).code).toBe('payment_not_yet_valid');
  });

  it('refuses an underpayment', async () => {
    const cheaper = await challengeAt('/relayer/paid?price=999');
    expect((await refused(await officialPayload(3, cheaper))).code).toBe('payment_underpaid');
  });

  it('refuses a payment to the wrong recipient', async () => {
    const challenge = await challengeAt(path);
    const elsewhere = { ...challenge, accepts: [{ ...challenge.accepts[0]!, payTo: chain.wallets[4]!.address }] };
    expect((await refused(await officialPayload(3, elsewhere))).code).toBe('payment_wrong_recipient');
  });

  it('refuses an authorization whose signed recipient differs from the echoed requirements', async () => {
    const challenge = await challengeAt(path);
    const elsewhere = await officialPayload(3, { ...challenge, accepts: [{ ...challenge.accepts[0]!, payTo: chain.wallets[4]!.address }] });
    // The client echoes our offer but signed a transfer to someone else.
    expect((await refused({ ...elsewhere, accepted: challenge.accepts[0]! })).code).toBe('payment_wrong_recipient');
  });

  it('refuses a payment on the wrong network', async () => {
    const challenge = await challengeAt(path);
    const baseSepolia = { ...challenge, accepts: [{ ...challenge.accepts[0]!, network: 'eip155:84532' as const }] };
    expect((await refused(await officialPayload(3, baseSepolia))).code).toBe('payment_wrong_network');
  });

  it('refuses a payment in the wrong asset', async () => {
    const challenge = await challengeAt(path);
    const otherToken = { ...challenge, accepts: [{ ...challenge.accepts[0]!, asset: PERMIT2_ADDRESS as Address }] };
    expect((await refused(await officialPayload(3, otherToken))).code).toBe('payment_wrong_asset');
  });

  it('refuses a signature by someone other than the payer', async () => {
    const payload = await officialPayload(3, await challengeAt(path));
    const impostor = await officialPayload(4, await challengeAt(path));
    const forged = { ...payload, payload: { ...payload.payload, signature: impostor.payload['signature'] } };
    expect((await refused(forged)).code).toBe('payment_invalid_signature');
  });

  it('refuses an authorization whose amount was raised after signing', async () => {
    const payload = await officialPayload(3, await challengeAt('/relayer/paid?price=10'));
    const authorization = payload.payload['authorization'] as Record<string, string>;
    const inflated = { ...payload, accepted: (await challengeAt(path)).accepts[0]!, payload: { ...payload.payload, authorization: { ...authorization, value: '1000' } } };
    expect((await refused(inflated)).code).toBe('payment_invalid_signature');
  });

  it('refuses a payment the payer cannot cover', async () => {
    const rich = '/relayer/paid?price=999000000000';
    expect((await refused(await officialPayload(3, await challengeAt(rich)), {}, rich)).code).toBe('payment_insufficient_funds');
  });

  it('refuses a garbled header as malformed', async () => {
    expect((await refused('not*base64!')).code).toBe('payment_malformed');
  });
});

// --- replays ------------------------------------------------------------------------------------------------

describe('replays', () => {
  it('serves a signature once and refuses it when sent again', async () => {
    const payload = await officialPayload(4, await challengeAt('/relayer/paid?price=800'));
    const moved = await balancesMovedBy(chain.wallets[4]!.address, async () => {
      expect((await send('/relayer/paid?price=800', payload)).status).toBe(200);
      expect(await send('/relayer/paid?price=800', payload)).toMatchObject({ status: 402, code: 'payment_nonce_reused' });
    });
    expect(moved).toEqual({ paid: 800n, received: 800n });
  });

  it('serves exactly one of ten concurrent replays', async () => {
    const payload = await officialPayload(4, await challengeAt('/relayer/paid?price=900'));
    let results: Awaited<ReturnType<typeof send>>[] = [];
    const moved = await balancesMovedBy(chain.wallets[4]!.address, async () => {
      results = await Promise.all(Array.from({ length: 10 }, () => send('/relayer/paid?price=900', payload)));
    });
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    expect(results.filter((r) => r.status === 402 && r.code === 'payment_nonce_reused')).toHaveLength(9);
    expect(moved).toEqual({ paid: 900n, received: 900n });
  });

  it('serves exactly one of ten concurrent replays through the facilitator too', async () => {
    const payload = await officialPayload(1, await challengeAt('/facilitator/paid?price=901'));
    let results: Awaited<ReturnType<typeof send>>[] = [];
    const moved = await balancesMovedBy(chain.wallets[1]!.address, async () => {
      results = await Promise.all(Array.from({ length: 10 }, () => send('/facilitator/paid?price=901', payload)));
    });
    expect(results.map((r) => r.status).sort()).toEqual([200, ...Array<number>(9).fill(402)]);
    expect(moved).toEqual({ paid: 901n, received: 901n });
  });

  it('gives the nonce back when the model fails before settlement, so the same signature can be retried', async () => {
    const payload = await officialPayload(4, await challengeAt('/relayer/paid?price=650'));
    const moved = await balancesMovedBy(chain.wallets[4]!.address, async () => {
      expect((await send('/relayer/paid?price=650&fail=1', payload)).status).toBe(502);
      expect((await send('/relayer/paid?price=650', payload)).status).toBe(200);
    });
    expect(moved).toEqual({ paid: 650n, received: 650n });
  });
});

// --- upto ---------------------------------------------------------------------------------------------------

describe('upto', () => {
  const uptoPath = '/relayer/paid?price=5000&upto=5000';

  it('refuses a cap above x-x402-max-amount-wei', async () => {
    const payload = await officialPayload(2, await challengeAt(uptoPath), 'upto');
    expect(await send(`${uptoPath}&meter=10`, payload, { 'x-x402-max-amount-wei': '4999' })).toMatchObject({
      status: 402,
      code: 'payment_exceeds_max_amount',
    });
    // Within the client's maximum the same signature is good.
    const moved = await balancesMovedBy(chain.wallets[2]!.address, async () => {
      expect((await send(`${uptoPath}&meter=10`, payload, { 'x-x402-max-amount-wei': '5000' })).status).toBe(200);
    });
    expect(moved.paid).toBe(10n);
  });

  it('never settles more than the cap, even if metering says more', async () => {
    const payer = officialClient(2, 'upto');
    const moved = await balancesMovedBy(payer.account.address, async () => {
      const response = await payer.fetch(`${baseUrl}${uptoPath}&meter=7777`);
      expect(officialDecodeResponse(response.headers.get('PAYMENT-RESPONSE')!).amount).toBe('5000');
    });
    expect(moved).toEqual({ paid: 5000n, received: 5000n });
  });

  it('settles nothing, and sends no transaction, when nothing was used', async () => {
    const payer = officialClient(2, 'upto');
    const moved = await balancesMovedBy(payer.account.address, async () => {
      const response = await payer.fetch(`${baseUrl}${uptoPath}&meter=0`);
      expect(officialDecodeResponse(response.headers.get('PAYMENT-RESPONSE')!)).toMatchObject({ success: true, transaction: '', amount: '0' });
    });
    expect(moved).toEqual({ paid: 0n, received: 0n });
  });

  it('refuses a cap below the worst-case quote', async () => {
    const lower = await challengeAt('/relayer/paid?price=5000&upto=4000');
    expect((await send(`${uptoPath}&meter=1`, await officialPayload(2, lower, 'upto'))).code).toBe('payment_underpaid');
  });

  it('refuses a permit naming another facilitator', async () => {
    const challenge = await challengeAt(uptoPath);
    const upto = challenge.accepts.find((offer) => offer.scheme === 'upto')!;
    const other = { ...challenge, accepts: [{ ...upto, extra: { ...upto.extra, facilitatorAddress: chain.wallets[0]!.address } }] };
    const payload = await officialPayload(2, other, 'upto');
    expect((await send(`${uptoPath}&meter=1`, { ...payload, accepted: upto })).code).toBe('payment_wrong_facilitator');
  });

  it('asks for a Permit2 approval when the payer has not given one', async () => {
    const wallet = chain.walletClient(chain.wallets[3]!);
    const approve = (amount: bigint) => wallet.writeContract({ address: chain.usdc, abi: usdcAbi, functionName: 'approve', args: [PERMIT2_ADDRESS, amount] });
    await chain.publicClient().waitForTransactionReceipt({ hash: await approve(0n) });
    try {
      const payload = await officialPayload(3, await challengeAt(uptoPath), 'upto');
      expect(await send(`${uptoPath}&meter=1`, payload)).toMatchObject({ status: 402, code: 'payment_permit2_allowance_required' });
    } finally {
      await chain.publicClient().waitForTransactionReceipt({ hash: await approve(2n ** 256n - 1n) });
    }
  });
});

// --- settlement after the model ran -------------------------------------------------------------------------

describe('settlement retries and facilitator refusals', () => {
  it('reports the original transfer when a settled exact payment is settled again, and moves money once', async () => {
    const challenge = await challengeAt('/relayer/paid?price=555');
    const payload = await officialPayload(0, challenge);
    const { gate, settlement } = modes.relayer;
    const payment = await gate.authorize({ header: encodeBase64Json(payload), offers: challenge.accepts });
    const results: Awaited<ReturnType<Settlement['settle']>>[] = [];
    const moved = await balancesMovedBy(chain.wallets[0]!.address, async () => {
      results.push(await gate.settle(payment));
      // A queued retry after a lost receipt: the authorization is already used on chain.
      results.push(await settlement.settle(payment));
    });
    expect(results[0]).toMatchObject({ success: true, amount: '555' });
    expect(results[1]).toEqual(results[0]);
    expect(moved).toEqual({ paid: 555n, received: 555n });
  });

  it.each(['relayer', 'facilitator'] as const)('acknowledges a duplicate upto settlement through the %s, and moves money once', async (mode) => {
    const path = `/${mode}/paid?price=5000&upto=5000`;
    const challenge = await challengeAt(path);
    const upto = { ...challenge, accepts: challenge.accepts.filter((offer) => offer.scheme === 'upto') };
    const wallet = mode === 'relayer' ? 0 : 1;
    const payload = await officialPayload(wallet, upto, 'upto');
    const { gate } = modes[mode];
    const payment = await gate.authorize({ header: encodeBase64Json(payload), offers: challenge.accepts });
    const results: Awaited<ReturnType<Settlement['settle']>>[] = [];
    const moved = await balancesMovedBy(chain.wallets[wallet]!.address, async () => {
      results.push(await gate.settle(payment, { amount: 321n }));
      // The same settlement delivered again (SQS at-least-once): recognised, acknowledged, nothing moves.
      results.push(await gate.settle(payment, { amount: 321n }));
    });
    expect(results[0]).toMatchObject({ success: true, amount: '321' });
    expect(results[1]).toMatchObject({ success: true, transaction: results[0]!.transaction, amount: '321' });
    expect(moved).toEqual({ paid: 321n, received: 321n });
  });

  it("maps the facilitator's refusal reasons to our codes", async () => {
    const rich = '/facilitator/paid?price=999000000000';
    const result = await send(rich, await officialPayload(1, await challengeAt(rich)));
    expect(result).toMatchObject({ status: 402, code: 'payment_insufficient_funds' });
  });
});

