/**
 * Attack: an underfunded wallet signs many *distinct* authorizations and sends them at once. Each one alone is
 * covered by the balance, so a per-authorization check serves them all, and all but one settlement then fail
 * forever: unpaid service. The gateway counts what each payer has in flight (per asset and network) and serves
 * a call only while balance − in flight covers it — for `exact`, for `upto` (its cap is the exposure) and for
 * video jobs. Holds carry their call's deadline and free themselves once it has passed and they are in the way.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { maxUint256, parseEther, type Address } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { usdcAbi } from '../../layers/x402/abi.ts';
import { encodeBase64Json } from '../../layers/x402/codec.ts';
import { PERMIT2_ADDRESS } from '../../layers/x402/constants.ts';
import { createExposureStore } from '../../layers/x402/exposure.ts';
import { isPaymentRefusal } from '../../layers/x402/errors.ts';
import type { PaymentRequired } from '../../layers/x402/schemas.ts';
import { physicalTableName } from '../../layers/core/tables.ts';
import { simulatorEnv } from '../../infra/local/simulators/openai-compatible/local-env.ts';
import { startOpenAICompatibleSimulator, type OpenAICompatibleSimulator } from '../../infra/local/simulators/openai-compatible/server.ts';
import { startFrameGate, type FrameGate, type HeldRequests } from '../support/frame-gate.ts';
import { CHAT, balanceOf, challengeFor, officialPayer, startPaymentsRuntime, type PaymentsRuntime, type Scheme } from '../support/payments.ts';

let simulator: OpenAICompatibleSimulator;
let gate: FrameGate;
let gw: PaymentsRuntime;
let dynamo: DynamoDBClient;

beforeAll(async () => {
  simulator = await startOpenAICompatibleSimulator({ flavor: 'openai' });
  gate = await startFrameGate(simulator.url);
  const throughGate = { ...simulator, url: `${gate.origin}${new URL(simulator.url).pathname}` };
  gw = await startPaymentsRuntime({
    env: simulatorEnv('openai', throughGate),
    videos: { waitMs: 100, retryMs: 20, retryDelaySeconds: 1, simulator: { renderMs: 500 } },
  });
  dynamo = new DynamoDBClient({ endpoint: gw.env.AWS_ENDPOINT_URL_DYNAMODB!, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
});
afterAll(async () => {
  dynamo?.destroy();
  await gw?.close();
  await gate?.close();
  await simulator?.close();
});

const mintAbi = [{ type: 'function', name: 'mint', stateMutability: 'nonpayable', inputs: [{ name: 'to', type: 'address' }, { name: 'amount', type: 'uint256' }], outputs: [] }] as const;

/** A fresh wallet holding exactly `usdc` test USDC, with gas and a Permit2 approval (what `upto` needs). */
const underfundedWallet = async (usdc: bigint) => {
  const key = generatePrivateKey();
  const account = privateKeyToAccount(key);
  const chain = gw.chain;
  const publicClient = chain.publicClient();
  await publicClient.request({ method: 'anvil_setBalance' as never, params: [account.address, `0x${parseEther('1').toString(16)}`] as never });
  const minted = await chain.walletClient(chain.deployer).writeContract({ address: chain.usdc, abi: mintAbi, functionName: 'mint', args: [account.address, usdc] });
  await publicClient.waitForTransactionReceipt({ hash: minted });
  const own = chain.walletClient({ address: account.address, privateKey: key });
  const approved = await own.writeContract({ address: chain.usdc, abi: usdcAbi, functionName: 'approve', args: [PERMIT2_ADDRESS, maxUint256] });
  await publicClient.waitForTransactionReceipt({ hash: approved });
  expect(await balanceOf(chain, account.address)).toBe(usdc);
  return key;
};

/** The official client for a wallet given by its key, choosing `scheme`. */
const payerFor = (key: `0x${string}`, scheme: Scheme) => officialPayer({ ...gw.chain, wallets: [{ address: privateKeyToAccount(key).address, privateKey: key }] } as never, 0, scheme);

// The provider is held (a gate in front of it) until every other call has been answered, so the call that wins is
// still in flight while the others are checked, however slow the machine: what refuses them is its hold, not its
// settlement. Once it settled, a payer may afford another call.
const codeOf = async (response: Response): Promise<string | undefined> => {
  const body = (await response.json()) as { error?: { code?: string } };
  return body.error?.code;
};

/**
 * Sends `count` distinct authorizations for `challenge` at once; returns the statuses and refusal codes. With
 * `provider` held, the one call that reaches it is let through only once all the others have been answered.
 */
const race = async (key: `0x${string}`, scheme: Scheme, path: string, body: string, challenge: PaymentRequired, count: number, provider?: HeldRequests) => {
  const payer = payerFor(key, scheme);
  const signatures = await Promise.all(Array.from({ length: count }, async () => encodeBase64Json(await payer.sign(challenge))));
  expect(new Set(signatures).size, 'every authorization is distinct').toBe(count);
  let answered = 0;
  const results = Promise.all(
    signatures.map(async (signature) => {
      const response = await gw.post(path, body, { 'payment-signature': signature });
      answered += 1;
      return { status: response.status, code: response.status === 402 ? await codeOf(response) : void (await response.text()) };
    }),
  );
  if (provider) {
    await vi.waitFor(() => expect({ answered, atProvider: provider.waiting }).toEqual({ answered: count - 1, atProvider: 1 }), { timeout: 30_000, interval: 20 });
    provider.release();
  }
  return results;
};

/**
 * The losers are refused for the money in flight; one that arrives after the winner has settled (a slow machine)
 * sees the lower balance instead. Either way: 402, and nothing served.
 */
const expectRefusedForFunds = (results: readonly { status: number; code: string | undefined }[], count: number): void => {
  const refused = results.filter((r) => r.status === 402);
  expect(refused).toHaveLength(count);
  for (const { code } of refused) expect(['payment_funds_in_flight', 'payment_insufficient_funds']).toContain(code);
  expect(refused.some(({ code }) => code === 'payment_funds_in_flight')).toBe(true);
};

const exposureStore = () => createExposureStore({ client: DynamoDBDocumentClient.from(dynamo), tableName: physicalTableName('local', 'nonces') });

describe('an underfunded wallet racing distinct authorizations', () => {
  it('exact: of 20 calls on a balance worth 1.5 calls, one is served and settled; the rest are refused with payment_funds_in_flight', async () => {
    const body = JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Race on exact' }], max_tokens: 64 });
    const provider = gate.hold('Race on exact');
    const challenge = await challengeFor(gw, CHAT, body);
    const price = BigInt(challenge.accepts.find((offer) => offer.scheme === 'exact')!.amount);
    const key = await underfundedWallet((price * 3n) / 2n);
    const payer = privateKeyToAccount(key).address;
    const merchantBefore = await balanceOf(gw.chain, gw.chain.merchant.address);

    const results = await race(key, 'exact', CHAT, body, { ...challenge, accepts: challenge.accepts.filter((o) => o.scheme === 'exact') }, 20, provider);
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    expectRefusedForFunds(results, 19);
    // Everything served was paid: the one settlement landed, and nothing is left in flight.
    expect((await balanceOf(gw.chain, gw.chain.merchant.address)) - merchantBefore).toBe(price);
    expect(await exposureStore().inFlight(gw.chain.network, gw.chain.usdc, payer)).toBe(0n);
    // With the call settled, the balance left (half a call) still cannot buy another.
    const again = await gw.post(CHAT, body, { 'payment-signature': encodeBase64Json(await payerFor(key, 'exact').sign(challenge)) });
    expect(again.status).toBe(402);
    expect(await codeOf(again)).toBe('payment_insufficient_funds');
  });

  it('upto: the cap is the exposure — of 20 calls on a balance worth 1.5 caps, one is served', async () => {
    const body = JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Race on upto' }], max_tokens: 64 });
    const provider = gate.hold('Race on upto');
    const challenge = await challengeFor(gw, CHAT, body);
    const cap = BigInt(challenge.accepts.find((offer) => offer.scheme === 'upto')!.amount);
    const key = await underfundedWallet((cap * 3n) / 2n);
    const payer = privateKeyToAccount(key).address;

    const results = await race(key, 'upto', CHAT, body, { ...challenge, accepts: challenge.accepts.filter((o) => o.scheme === 'upto') }, 20, provider);
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    expectRefusedForFunds(results, 19);
    expect(await exposureStore().inFlight(gw.chain.network, gw.chain.usdc, payer)).toBe(0n);
  });

  it('video: of 5 jobs on a balance worth 1.5 jobs, one is accepted and paid; the rest are refused before any job exists', async () => {
    const body = JSON.stringify({ model: 'sora-2', prompt: 'A paper boat on a pond', seconds: '4' });
    const challenge = await challengeFor(gw, '/v1/videos/generations', body);
    const price = BigInt(challenge.accepts[0]!.amount);
    const key = await underfundedWallet((price * 3n) / 2n);
    const merchantBefore = await balanceOf(gw.chain, gw.chain.merchant.address);

    const results = await race(key, 'exact', '/v1/videos/generations', body, challenge, 5);
    expect(results.filter((r) => r.status === 202)).toHaveLength(1);
    expectRefusedForFunds(results, 4);
    expect((await balanceOf(gw.chain, gw.chain.merchant.address)) - merchantBefore).toBe(price);
  });
});

describe('holds of dead calls', () => {
  it('free themselves by their call deadline, once they are in the way', async () => {
    let clock = 2_000_000_000;
    const store = createExposureStore({ client: DynamoDBDocumentClient.from(dynamo), tableName: physicalTableName('local', 'nonces'), now: () => clock });
    const payer = privateKeyToAccount(generatePrivateKey()).address as Address;
    const hold = { network: gw.chain.network, asset: gw.chain.usdc, payer, balance: async () => 150n, amount: 100n } as const;
    // A call holds 100 of 150 and dies without releasing: the next call of 100 is refused while the first may run.
    await store.reserve({ ...hold, id: 'dead-call', deadline: clock + 960 });
    clock += 959;
    const refused = await store.reserve({ ...hold, id: 'next-call', deadline: clock + 960 }).catch((error: unknown) => error);
    expect(isPaymentRefusal(refused, 'payment_funds_in_flight')).toBe(true);
    // Past the dead call's deadline its hold is released for the call that needs the room.
    clock += 2;
    const next = await store.reserve({ ...hold, id: 'next-call', deadline: clock + 960 });
    expect(await store.inFlight(hold.network, hold.asset, payer)).toBe(100n);
    await store.release(next);
    await store.release(next);
    expect(await store.inFlight(hold.network, hold.asset, payer)).toBe(0n);
  });

  it('a balance read before another call settled is read again: the settled hold cannot be counted twice as room', async () => {
    const store = exposureStore();
    const payer = privateKeyToAccount(generatePrivateKey()).address as Address;
    const base = { network: gw.chain.network, asset: gw.chain.usdc, payer, amount: 100n, deadline: Math.floor(Date.now() / 1000) + 600 } as const;
    // 150 on chain, 100 of it held by a call in flight.
    const first = await store.reserve({ ...base, id: 'settling', balance: async () => 150n });
    let reads = 0;
    const refused = await store
      .reserve({
        ...base,
        id: 'racing',
        balance: async () => {
          // While this balance is read, the first call settles: 100 leave the wallet and its hold is released.
          if (reads++ === 0) {
            await store.release(first);
            return 150n;
          }
          return 50n;
        },
      })
      .catch((error: unknown) => error);
    expect(reads).toBe(2);
    expect(isPaymentRefusal(refused, 'payment_funds_in_flight')).toBe(true);
    expect(await store.inFlight(base.network, base.asset, payer)).toBe(0n);
  });

  it('a release is counted once, however often it is repeated', async () => {
    const store = exposureStore();
    const payer = privateKeyToAccount(generatePrivateKey()).address as Address;
    const base = { network: gw.chain.network, asset: gw.chain.usdc, payer, balance: async () => 100n, amount: 60n, deadline: Math.floor(Date.now() / 1000) + 600 } as const;
    const first = await store.reserve({ ...base, id: 'a' });
    await Promise.all([store.release(first), store.release(first), store.release(first)]);
    // Had the release been counted thrice, 180 would be "free" and two holds of 60 would fit in 100.
    await store.reserve({ ...base, id: 'b' });
    await expect(store.reserve({ ...base, id: 'c' })).rejects.toSatisfy((error: unknown) => isPaymentRefusal(error, 'payment_funds_in_flight'));
  });
});

vi.setConfig({ testTimeout: 60_000 });
