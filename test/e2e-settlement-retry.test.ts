import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { toClientEvmSigner } from '@x402/evm';
import { ExactEvmScheme } from '@x402/evm/exact/client';
import { wrapFetchWithPayment, x402Client } from '@x402/fetch';
import { parseEther, type Address } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalRuntime, type LocalRuntime } from '../infra/local/runtime.ts';
import { usdcAbi } from '../layers/x402/abi.ts';
import { decodeReceiptHeader } from '../shared/receipts/index.ts';

let rt: LocalRuntime;
beforeAll(async () => {
  rt = await startLocalRuntime({ dataDir: mkdtempSync(join(tmpdir(), 'settle-retry-')) });
});
afterAll(() => rt?.close());

const balanceOf = (address: Address) => rt.chain!.publicClient().readContract({ address: rt.chain!.usdc, abi: usdcAbi, functionName: 'balanceOf', args: [address] });
const setEth = (address: Address, ether: string) => rt.chain!.publicClient().request({ method: 'anvil_setBalance' as never, params: [address, `0x${parseEther(ether).toString(16)}`] as never });

describe('an x402 settlement that fails after the model was served', () => {
  it('is receipted as unsettled, queued, and settled by the worker once the chain accepts it', async () => {
    const chain = rt.chain!;
    const account = privateKeyToAccount(chain.wallets[1]!.privateKey);
    const client = new x402Client((_v, accepts) => accepts.find((a) => a.scheme === 'exact') ?? accepts[0]!)
      .register('eip155:*', new ExactEvmScheme(toClientEvmSigner(account)))
      .setSpendControls({ allowedAssets: true });
    const pay = wrapFetchWithPayment(fetch, client);
    const merchantBefore = await balanceOf(chain.merchant.address);

    // The relayer cannot pay gas, so the settlement after the answer fails.
    await setEth(chain.relayer.address, '0');
    const res = await pay(`${rt.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Say hello' }] }),
    });
    expect(res.status).toBe(200);
    const receipt = decodeReceiptHeader(res.headers.get('x-compose-receipt')!);
    expect(receipt).toMatchObject({ settled: false, settlement_status: 'queued', payment_method: 'x402' });
    expect(await balanceOf(chain.merchant.address)).toBe(merchantBefore);

    // Gas is back: the queued settlement lands, for exactly the receipted amount, once.
    await setEth(chain.relayer.address, '100');
    let merchantAfter = merchantBefore;
    for (let attempt = 0; attempt < 120 && merchantAfter === merchantBefore; attempt++) {
      await new Promise((r) => setTimeout(r, 250));
      merchantAfter = await balanceOf(chain.merchant.address);
    }
    expect(merchantAfter - merchantBefore).toBe(BigInt(receipt.final_amount_wei!));
  });
});
