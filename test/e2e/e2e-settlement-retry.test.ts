import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { toClientEvmSigner } from '@x402/evm';
import { ExactEvmScheme } from '@x402/evm/exact/client';
import { wrapFetchWithPayment, x402Client } from '@x402/fetch';
import { parseEther, type Address } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { CreateQueueCommand, DeleteQueueCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startLocalRuntime, type LocalRuntime } from '../../infra/local/runtime.ts';
import { usdcAbi } from '../../layers/x402/abi.ts';
import { decodeReceiptHeader } from '../../shared/receipts/index.ts';

let rt: LocalRuntime;
beforeAll(async () => {
  // No video pipeline: nothing here makes a video.
  rt = await startLocalRuntime({ dataDir: mkdtempSync(join(tmpdir(), 'settle-retry-')), videos: false });
});
afterAll(() => rt?.close());

const balanceOf = (address: Address) => rt.chain!.publicClient().readContract({ address: rt.chain!.usdc, abi: usdcAbi, functionName: 'balanceOf', args: [address] });
const setEth = (address: Address, ether: string) => rt.chain!.publicClient().request({ method: 'anvil_setBalance' as never, params: [address, `0x${parseEther(ether).toString(16)}`] as never });

const payingFetch = (walletIndex: number) => {
  const account = privateKeyToAccount(rt.chain!.wallets[walletIndex]!.privateKey);
  const client = new x402Client((_v, accepts) => accepts.find((a) => a.scheme === 'exact') ?? accepts[0]!)
    .register('eip155:*', new ExactEvmScheme(toClientEvmSigner(account)))
    .setSpendControls({ allowedAssets: true });
  return wrapFetchWithPayment(fetch, client);
};

const chat = (pay: typeof fetch) =>
  pay(`${rt.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Say hello' }] }),
  });

const merchantPaidAfter = async (before: bigint): Promise<bigint> => {
  let after = before;
  for (let attempt = 0; attempt < 120 && after === before; attempt++) {
    await new Promise((r) => setTimeout(r, 250));
    after = await balanceOf(rt.chain!.merchant.address);
  }
  return after - before;
};

describe('an x402 settlement that fails after the model was served', () => {
  it('is receipted as unsettled, queued, and settled by the worker once the chain accepts it', async () => {
    const chain = rt.chain!;
    const merchantBefore = await balanceOf(chain.merchant.address);

    // The relayer cannot pay gas, so the settlement after the answer fails.
    await setEth(chain.relayer.address, '0');
    const res = await chat(payingFetch(1));
    expect(res.status).toBe(200);
    const receipt = decodeReceiptHeader(res.headers.get('x-compose-receipt')!);
    expect(receipt).toMatchObject({ settled: false, settlement_status: 'queued', payment_method: 'x402' });
    expect(await balanceOf(chain.merchant.address)).toBe(merchantBefore);

    // Gas is back: the queued settlement lands, for exactly the receipted amount, once.
    await setEth(chain.relayer.address, '100');
    expect(await merchantPaidAfter(merchantBefore)).toBe(BigInt(receipt.final_amount_wei!));
  });

  it('is logged whole when the retry queue is unreachable too, receipted as unqueued, and lands once resent', async () => {
    const chain = rt.chain!;
    const merchantBefore = await balanceOf(chain.merchant.address);
    const sqs = new SQSClient({ endpoint: rt.env['AWS_ENDPOINT_URL_SQS'], region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    const queueUrl = rt.env['SETTLEMENT_QUEUE_URL']!;
    const queueName = queueUrl.split('/').pop()!;
    // The Powertools Logger writes error lines straight to stderr.
    const logged = vi.spyOn(process.stderr, 'write');
    try {
      await setEth(chain.relayer.address, '0');
      await sqs.send(new DeleteQueueCommand({ QueueUrl: queueUrl }));
      const res = await chat(payingFetch(2));
      expect(res.status).toBe(200);
      const receipt = decodeReceiptHeader(res.headers.get('x-compose-receipt')!);
      expect(receipt).toMatchObject({ settled: false, settlement_status: 'unqueued', payment_method: 'x402' });
      const line = logged.mock.calls.flatMap(([first]) => String(first).split('\n')).find((text) => text.includes('x402_settlement_unqueued'));
      expect(line, 'the settlement is in the error log').toBeDefined();
      const { messageBody, ...logLine } = JSON.parse(line!) as { messageBody: string; requestId?: string; payer?: string };
      // Joinable with the client's x-request-id, and naming who owes it.
      expect(logLine).toMatchObject({ level: 'ERROR', requestId: res.headers.get('x-request-id'), payer: expect.stringMatching(/^wallet:0x/) });
      expect(messageBody).not.toMatch(/privateKey|relayer/i);

      // The operator's recovery: the queue is back, the logged body is resent, the worker settles it.
      await sqs.send(new CreateQueueCommand({ QueueName: queueName }));
      await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: messageBody }));
      await setEth(chain.relayer.address, '100');
      expect(await merchantPaidAfter(merchantBefore)).toBe(BigInt(receipt.final_amount_wei!));
    } finally {
      logged.mockRestore();
      await setEth(chain.relayer.address, '100');
    }
  });
});
