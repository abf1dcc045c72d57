/**
 * What the payment end-to-end tests share: a local runtime (with its anvil chain) in a fresh data directory, or
 * the shared one with wallets of the file's own, Compose Keys minted with the runtime's own signing key, the key
 * ledgers read straight from its DynamoDB stand-in, on-chain balances, the official x402 client, and receipts
 * read from headers, bodies and streams.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { decodePaymentRequiredHeader as officialDecodeRequired } from '@x402/core/http';
import { toClientEvmSigner } from '@x402/evm';
import { ExactEvmScheme } from '@x402/evm/exact/client';
import { UptoEvmScheme } from '@x402/evm/upto/client';
import { SIGN_IN_WITH_X, createSIWxClientExtension, createSIWxPayload, encodeSIWxHeader, type SIWxExtension } from '@x402/extensions/sign-in-with-x';
import { wrapFetchWithPayment, x402Client } from '@x402/fetch';
import type { Address } from 'viem';
import { privateKeyToAccount, type PrivateKeyAccount } from 'viem/accounts';
import { expect, inject } from 'vitest';
import { connectLocalChain, type ConnectOptions } from '../../infra/local/chain/connect.ts';
import type { LocalChain } from '../../infra/local/chain/index.ts';
import { readLocalEndpoints } from '../../infra/local/endpoints.ts';
import type { LocalRuntime, LocalRuntimeOptions } from '../../infra/local/runtime.ts';
import { usdcAbi } from '../../layers/x402/abi.ts';
import type { PaymentPayload, PaymentRequired } from '../../layers/x402/schemas.ts';
import { createKeyLedger, ensureDevSigningKey, mintKey, type KeyLedger } from '../../shared/keys/index.ts';
import { parseUsd } from '../../shared/pricing/index.ts';
import { decodeReceiptHeader, type ReceiptBody } from '../../shared/receipts/index.ts';
import { TABLES, tableNameFromEnv, type TableName } from '../../layers/core/tables.ts';
import { localRuntimeModule, parseSse } from './e2e.ts';

export const CHAT = '/v1/chat/completions';
export const RESPONSES = '/v1/responses';

export interface MintedTestKey {
  /** `compose-<jwt>`, for `Authorization: Bearer`. */
  readonly token: string;
  /** The key id (`jti`): its ledger is `key#<keyId>`. */
  readonly keyId: string;
}

export interface KeyOptions {
  /** USDC atomic units. */
  readonly budget: bigint;
  readonly models?: readonly string[];
  /** Epoch seconds when the key was issued (default now); with `expiresInSeconds`, a key can be born expired. */
  readonly issuedAt?: number;
  readonly expiresInSeconds?: number;
}

export interface PaymentsRuntime extends LocalRuntime {
  readonly chain: LocalChain;
  /** The key ledgers, through the same table and stand-in the gateway writes. */
  readonly ledger: KeyLedger;
  mintKey(options: KeyOptions): Promise<MintedTestKey>;
  /** A raw POST to the gateway (JSON body as given, or serialized). */
  post(path: string, body: unknown, headers?: Record<string, string>): Promise<Response>;
}

/** A runtime paid by Compose Keys only: the key ledgers and minted keys, and no chain. */
export type KeysRuntime = Omit<PaymentsRuntime, 'chain'>;

/** Starts the whole API and its chain in a temp directory; `close` also removes the directory. */
export const startPaymentsRuntime = async (options: Omit<LocalRuntimeOptions, 'dataDir' | 'chain'> = {}): Promise<PaymentsRuntime> => {
  const { runtime, dataDir, close } = await startOwnRuntime({ ...options, chain: true });
  if (!runtime.chain) throw new Error('the local runtime started without its chain');
  return paymentsRuntime(runtime, runtime.chain, dataDir, close);
};

/**
 * Starts the whole API without a chain in a temp directory, for a file whose calls pay by Compose Key only: anvil,
 * the contract deploys and the wallets' funding cost every start CPU. `close` also removes the directory.
 */
export const startKeysRuntime = async (options: Omit<LocalRuntimeOptions, 'dataDir' | 'chain'> = {}): Promise<KeysRuntime> => {
  const { runtime, dataDir, close } = await startOwnRuntime({ ...options, chain: false });
  return keysRuntime(runtime, dataDir, close);
};

const startOwnRuntime = async (options: Omit<LocalRuntimeOptions, 'dataDir'>) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'compose-e2e-payments-'));
  // Payments need no video pipeline: leave it off unless a test asks for it.
  const { startLocalRuntime } = await localRuntimeModule();
  const runtime = await startLocalRuntime({ videos: false, ...options, dataDir }).catch((error: unknown) => {
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  });
  const close = async (): Promise<void> => {
    await runtime.close();
    rmSync(dataDir, { recursive: true, force: true });
  };
  return { runtime, dataDir, close };
};

/**
 * The runtime the `e2e-shared-runtime` project started once (support/shared-runtime-setup.ts), for a payment file
 * that only talks HTTP and reads its own keys, wallets, ledgers and receipts: its chain with payer wallets of this
 * file's own (fresh keys funded with gas, test USDC and the Permit2 approval), so no other file moves their
 * balances, and the ledgers through its DynamoDB stand-in. `env` holds only what its endpoints file says (the
 * stand-ins' endpoints and the table names); its handlers' settings are its own. `close` leaves it running.
 */
export const sharedPaymentsRuntime = async (options: ConnectOptions = {}): Promise<PaymentsRuntime> => {
  const { url, dataDir } = inject('sharedRuntime');
  const lookup = readLocalEndpoints(dataDir);
  if (!('found' in lookup)) throw new Error(`the shared runtime has no endpoints file (${lookup.missing}): ${lookup.file}`);
  const endpoints = lookup.found;
  if (!endpoints.chain) throw new Error('the shared runtime started without its chain');
  const chain = await connectLocalChain(endpoints.chain, options);
  const env: Record<string, string> = {
    STAGE: endpoints.stage,
    AWS_ENDPOINT_URL_DYNAMODB: endpoints.dynamodb,
    AWS_ENDPOINT_URL_S3: endpoints.s3,
    AWS_ENDPOINT_URL_SQS: endpoints.sqs,
    ...Object.fromEntries(Object.entries(endpoints.tables).map(([table, name]) => [TABLES[table as TableName].envVar, name])),
  };
  const runtime: LocalRuntime = {
    url,
    env,
    simulated: [],
    chain,
    videos: undefined,
    // The shared runtime's stand-ins belong to its own process tree, not to this file.
    standInsPid: undefined,
    mintDevKey: async (budgetUsd = 10, keyOptions = {}) =>
      (
        await mintKey({
          signingKey: await ensureDevSigningKey(dataDir),
          budget: parseUsd(budgetUsd.toFixed(6)),
          ...(keyOptions.models ? { models: keyOptions.models } : {}),
        })
      ).token,
    close: async () => undefined,
  };
  return paymentsRuntime(runtime, chain, dataDir, async () => undefined);
};

const paymentsRuntime = async (runtime: LocalRuntime, chain: LocalChain, dataDir: string, close: () => Promise<void>): Promise<PaymentsRuntime> => ({
  ...(await keysRuntime(runtime, dataDir, close)),
  chain,
});

const keysRuntime = async (runtime: LocalRuntime, dataDir: string, close: () => Promise<void>): Promise<KeysRuntime> => {
  const signingKey = await ensureDevSigningKey(dataDir);
  const dynamo = new DynamoDBClient({
    endpoint: runtime.env.AWS_ENDPOINT_URL_DYNAMODB!,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const ledger = createKeyLedger({ client: DynamoDBDocumentClient.from(dynamo), tableName: tableNameFromEnv('ledgers', runtime.env) });
  return {
    ...runtime,
    ledger,
    mintKey: async ({ budget, models, issuedAt, expiresInSeconds }) => {
      const minted = await mintKey({
        signingKey,
        budget,
        ...(models ? { models } : {}),
        ...(issuedAt === undefined ? {} : { now: issuedAt }),
        ...(expiresInSeconds === undefined ? {} : { expiresInSeconds }),
      });
      return { token: minted.token, keyId: minted.claims.keyId };
    },
    post: (path, body, headers = {}) =>
      fetch(`${runtime.url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      }),
    close: async () => {
      dynamo.destroy();
      await close();
    },
  };
};

// --- receipts -------------------------------------------------------------------------------------------------

/** Every receipt adds up: its line items to the provider amount, and that plus the platform fee to the final amount. */
export const expectReceiptAddsUp = (receipt: ReceiptBody): void => {
  const lines = receipt.line_items.reduce((sum, item) => sum + BigInt(item.amount_wei), 0n);
  expect(lines, 'line items = provider_amount_wei').toBe(BigInt(receipt.provider_amount_wei));
  expect(BigInt(receipt.provider_amount_wei) + BigInt(receipt.platform_fee_wei), 'provider + fee = final_amount_wei').toBe(BigInt(receipt.final_amount_wei));
};

/** The receipt of a non-streamed native answer: `X-Compose-Receipt`, repeated in `X-Receipt`; checked to add up. */
export const headerReceipt = (response: Response): ReceiptBody => {
  const header = response.headers.get('x-compose-receipt');
  expect(header, 'X-Compose-Receipt').toBeTruthy();
  expect(response.headers.get('x-receipt')).toBe(header);
  const receipt = decodeReceiptHeader(header!);
  expectReceiptAddsUp(receipt);
  return receipt;
};

/**
 * The receipt of a native stream, checked to add up. Chat (and media) streams: exactly one `event: compose.receipt`,
 * right after `data: [DONE]`. Responses streams: `response.completed`'s `response.receipt`, with no `compose.*`
 * event unless the request opted in (`x-compose-events: true`), when the receipt event after `[DONE]` repeats it.
 */
export const streamReceipt = (sse: string): ReceiptBody => {
  const frames = parseSse(sse).filter((frame) => !('comment' in frame)) as { event: string | undefined; data: string }[];
  const receipts = frames.filter((frame) => frame.event === 'compose.receipt');
  // The receipt rides in the stream's terminal event: response.completed, or response.incomplete when cut at a cap.
  const terminal = frames.find((frame) => frame.event === 'response.completed' || frame.event === 'response.incomplete' || frame.event === 'response.failed');
  const inCompleted = terminal ? ((JSON.parse(terminal.data) as { response: { receipt?: ReceiptBody } }).response.receipt ?? undefined) : undefined;
  if (receipts.length === 0) {
    expect(inCompleted, 'a Responses stream carries its receipt in its terminal event (response.completed)').toBeDefined();
    expect(frames.at(-1)?.data).toBe('[DONE]');
    expectReceiptAddsUp(inCompleted!);
    return inCompleted!;
  }
  expect(receipts).toHaveLength(1);
  expect(frames.at(-2)?.data).toBe('[DONE]');
  expect(frames.at(-1)?.event).toBe('compose.receipt');
  const { object: _object, choices: _choices, type: _type, ...receipt } = JSON.parse(receipts[0]!.data) as Record<string, unknown>;
  const decoded = decodeReceiptHeader(Buffer.from(JSON.stringify(receipt)).toString('base64url'));
  expectReceiptAddsUp(decoded);
  if (inCompleted) expect(inCompleted).toEqual(decoded);
  return decoded;
};

// --- chain ----------------------------------------------------------------------------------------------------

export const balanceOf = (chain: LocalChain, address: Address, blockNumber?: bigint): Promise<bigint> =>
  chain.publicClient().readContract({ address: chain.usdc, abi: usdcAbi, functionName: 'balanceOf', args: [address], ...(blockNumber === undefined ? {} : { blockNumber }) });

/**
 * Runs `act` and reports how far the payer's test USDC balance moved (`paid`) and what the merchant received from
 * that payer (`received`: the USDC transfers from the payer to the merchant in the blocks mined meanwhile). Not
 * the merchant's balance: that moves with every payer's settlements, and on the shared runtime other files pay
 * the same merchant at the same time. Both are read over the same blocks.
 */
export const balancesMovedBy = async <T>(chain: LocalChain, payer: Address, act: () => Promise<T>): Promise<{ result: T; paid: bigint; received: bigint }> => {
  const publicClient = chain.publicClient();
  // Uncached: viem reuses a block number for its polling interval, and a quick act may mine a block within it.
  const from = await publicClient.getBlockNumber({ cacheTime: 0 });
  const payerBefore = await balanceOf(chain, payer, from);
  const result = await act();
  const to = await publicClient.getBlockNumber({ cacheTime: 0 });
  const payerAfter = await balanceOf(chain, payer, to);
  const transfers =
    to > from
      ? await publicClient.getContractEvents({ address: chain.usdc, abi: usdcAbi, eventName: 'Transfer', args: { from: payer, to: chain.merchant.address }, fromBlock: from + 1n, toBlock: to })
      : [];
  return { result, paid: payerBefore - payerAfter, received: transfers.reduce((sum, log) => sum + log.args.value!, 0n) };
};

// --- the official x402 client -----------------------------------------------------------------------------------

export type Scheme = 'exact' | 'upto';

export interface OfficialPayer {
  readonly account: PrivateKeyAccount;
  readonly client: x402Client;
  /** `fetch` that answers a 402 by paying it, as an x402-aware application would. */
  readonly fetch: typeof fetch;
  /** A PAYMENT-SIGNATURE payload for `challenge`, signed by the official client (a test may alter the challenge first). */
  sign(challenge: PaymentRequired): Promise<PaymentPayload>;
}

/** The official `@x402/fetch` + `@x402/evm` client for one funded wallet, choosing `scheme` among the offers. */
export const officialPayer = (chain: LocalChain, wallet: number, scheme: Scheme = 'exact'): OfficialPayer => {
  const account = privateKeyToAccount(chain.wallets[wallet]!.privateKey);
  const signer = toClientEvmSigner(account);
  const client = new x402Client((_version, accepts) => accepts.find((a) => a.scheme === scheme) ?? accepts[0]!)
    .register('eip155:*', new ExactEvmScheme(signer))
    .register('eip155:*', new UptoEvmScheme(signer))
    // The official client pays only USDC deployments it knows; the local chain's test USDC is new to it.
    .setSpendControls({ allowedAssets: true });
  return {
    account,
    client,
    fetch: wrapFetchWithPayment(fetch, client),
    sign: async (challenge) => (await client.createPaymentPayload(challenge as never)) as PaymentPayload,
  };
};

/** The 402 challenge for a body, decoded from `PAYMENT-REQUIRED` with the official decoder. */
export const challengeFor = async (runtime: PaymentsRuntime, path: string, body: string, headers: Record<string, string> = {}): Promise<PaymentRequired> => {
  const response = await runtime.post(path, body, headers);
  expect(response.status).toBe(402);
  await response.body?.cancel();
  return officialDecodeRequired(response.headers.get('payment-required')!) as PaymentRequired;
};

/** The worst-case quote the gateway holds for a body: the `exact` offer of its challenge. */
export const quoteFor = async (runtime: PaymentsRuntime, path: string, body: string): Promise<bigint> =>
  BigInt((await challengeFor(runtime, path, body)).accepts.find((offer) => offer.scheme === 'exact')!.amount);

/** Reads a stream until a content delta has arrived, leaving the stream open. */
export const readUntilContent = async (response: Response): Promise<void> => {
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let seen = '';
  while (!seen.includes('"content":"')) {
    const { done, value } = await reader.read();
    if (done) throw new Error('the stream ended before any content');
    seen += decoder.decode(value, { stream: true });
  }
};

/**
 * `fetch` that signs in with the wallet when a read answers 402 with a Sign-In-With-X challenge, as the official
 * client does (`createSIWxClientExtension` on an `x402Client`, through `wrapFetchWithPayment`). It pays nothing.
 */
export const signedInFetch = (account: PrivateKeyAccount): typeof fetch =>
  wrapFetchWithPayment(fetch, new x402Client().registerExtension(createSIWxClientExtension({ signers: [account] })));

/** A `SIGN-IN-WITH-X` header for the gateway, signed from the challenge a credential-less read answers with. */
export const signInHeader = async (runtime: { url: string }, account: PrivateKeyAccount, readPath: string): Promise<string> => {
  const response = await fetch(`${runtime.url}${readPath}`);
  expect(response.status).toBe(402);
  await response.body?.cancel();
  const challenge = officialDecodeRequired(response.headers.get('payment-required')!) as { extensions: Record<string, SIWxExtension> };
  const extension = challenge.extensions[SIGN_IN_WITH_X]!;
  const chain = extension.supportedChains[0]!;
  return encodeSIWxHeader(await createSIWxPayload({ ...extension.info, chainId: chain.chainId, type: chain.type }, account, `${runtime.url}${readPath}`));
};
