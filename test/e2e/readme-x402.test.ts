/**
 * The README's x402 example, run as written: the fenced block after its `readme-x402-example` marker is taken
 * from README.md and run by Node against a local runtime, with the two variables the README names. It pays with
 * `upto` (listed first, so the official client's default picks it) and settles the metered amount, through
 * `fetch` and through the OpenAI SDK, then reads its stored response back by signing in. An exact-only client
 * pays at most the quote for the default output cap named in the challenge, never the model's maximum.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PaymentRequired } from '../../layers/x402/schemas.ts';
import { DEFAULT_EXACT_OUTPUT_TOKENS } from '../../shared/inference/price.ts';
import { CHAT, balancesMovedBy, challengeFor, headerReceipt, officialPayer, sharedPaymentsRuntime, type PaymentsRuntime } from '../support/payments.ts';

const root = join(import.meta.dirname, '../..');
let gw: PaymentsRuntime;
beforeAll(async () => {
  gw = await sharedPaymentsRuntime();
});
afterAll(() => gw?.close());

/** The README's x402 snippet, exactly as a reader copies it. */
const readmeSnippet = (): string => {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const marker = readme.indexOf('<!-- readme-x402-example');
  expect(marker, 'the README marks its x402 example').toBeGreaterThan(0);
  const block = /```js\n([\s\S]*?)\n```/.exec(readme.slice(marker));
  expect(block, 'a js block follows the marker').not.toBeNull();
  return block![1]!;
};

interface Line {
  readonly via: string;
  readonly text?: string;
  readonly transaction?: string;
  readonly amount?: string;
  readonly status?: number;
  readonly id?: string;
}

describe('the README x402 example', () => {
  it('runs as written: pays with upto through fetch and the OpenAI SDK, settles the metered amounts, and reads its record back', async () => {
    const wallet = gw.chain.wallets[2]!;
    const { result: lines, paid, received } = await balancesMovedBy(gw.chain, wallet.address, async () => {
      // Bare imports resolve from the working directory: the project's own node_modules, as for a reader's project.
      const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', readmeSnippet()], {
        cwd: root,
        env: { ...process.env, COMPOSE_URL: gw.url, WALLET_KEY: wallet.privateKey },
        timeout: 60_000,
      });
      return stdout.trim().split('\n').map((line) => JSON.parse(line) as Line);
    });
    expect(lines.map((line) => line.via)).toEqual(['fetch', 'openai', 'sign-in']);
    const [viaFetch, viaOpenAi, signIn] = lines as [Line, Line, Line];
    for (const line of [viaFetch, viaOpenAi]) {
      expect(line.text?.length).toBeGreaterThan(0);
      expect(line.transaction).toMatch(/^0x[0-9a-f]{64}$/);
    }
    // What moved is what the two calls used, not what they could have used.
    const metered = BigInt(viaFetch.amount!) + BigInt(viaOpenAi.amount!);
    expect([paid, received]).toEqual([metered, metered]);
    const body = JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Say hello' }] });
    const worstCase = BigInt((await challengeFor(gw, CHAT, body)).accepts.find((offer) => offer.scheme === 'upto')!.amount);
    expect(BigInt(viaFetch.amount!)).toBeLessThan(worstCase);
    expect(signIn).toMatchObject({ status: 200, id: expect.stringMatching(/^resp_/) });
  });
});

describe('an exact-only client, no output cap sent', () => {
  it('pays the quote for the default cap named in the challenge, not the model maximum', async () => {
    const body = JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Say hello, exactly' }] });
    const challenge: PaymentRequired = await challengeFor(gw, CHAT, body);
    const exact = challenge.accepts.find((offer) => offer.scheme === 'exact')!;
    const upto = challenge.accepts.find((offer) => offer.scheme === 'upto')!;
    expect(challenge.accepts.map((offer) => offer.scheme)).toEqual(['upto', 'exact']);
    expect(exact.extra).toMatchObject({ maxOutputTokens: DEFAULT_EXACT_OUTPUT_TOKENS });
    expect(challenge.resource.description).toContain(`${DEFAULT_EXACT_OUTPUT_TOKENS} output tokens`);
    expect(BigInt(exact.amount)).toBeLessThan(BigInt(upto.amount));

    const payer = officialPayer(gw.chain, 3, 'exact');
    const { result: response, paid } = await balancesMovedBy(gw.chain, payer.account.address, () =>
      payer.fetch(`${gw.url}${CHAT}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body }),
    );
    expect(response.status).toBe(200);
    const receipt = headerReceipt(response);
    expect(paid).toBe(BigInt(exact.amount));
    expect(BigInt(receipt.final_amount_wei)).toBe(paid);
    const { usage } = (await response.json()) as { usage: { completion_tokens: number } };
    expect(usage.completion_tokens).toBeLessThanOrEqual(DEFAULT_EXACT_OUTPUT_TOKENS);
  });
});
