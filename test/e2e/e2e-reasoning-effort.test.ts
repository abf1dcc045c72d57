/**
 * `reasoning_effort` reaches only models the catalog marks as reasoning: on a non-reasoning deployment (Azure's
 * gpt-4o, Fireworks' Kimi K2 Instruct) it is dropped with a warning instead of becoming the provider's 400, end to
 * end through the local runtime and its simulators (which refuse the field on such models, as OpenAI's API does).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { onProvider, sharedE2eRuntime, type E2eRuntime } from '../support/e2e.ts';

let gateway: E2eRuntime;
beforeAll(async () => {
  gateway = await sharedE2eRuntime();
});
afterAll(async () => {
  await gateway?.close();
});

describe('reasoning_effort on a model the catalog does not mark as reasoning', () => {
  it.each([
    { provider: 'azure', model: 'gpt-4o' },
    { provider: 'fireworks', model: 'accounts/fireworks/models/kimi-k2-instruct' },
  ])('is not sent to $provider $model, and the answer is served', async ({ provider, model }) => {
    const completion = await gateway.client().chat.completions.create(onProvider({ model, messages: [{ role: 'user', content: 'Think hard?' }], reasoning_effort: 'high' }, provider));
    expect(completion.choices[0]!.message.content).toContain('Think hard?');
  });
});
