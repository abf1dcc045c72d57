import { describe, expect, it } from 'vitest';
import { createProviderCredentials } from '../layers/providers/credentials.ts';
import { createAdapterResolver } from '../layers/providers/registry.ts';
import { startGoogleSimulatorsForMissingKeys } from '../infra/local/simulators/gemini/local-env.ts';
import { callOptions, textOf, user } from './providers-gemini-support.ts';

describe('local runtime: Google simulators for missing keys', () => {
  it('points Gemini and Vertex at simulators the registry’s adapters can use', async () => {
    const simulators = await startGoogleSimulatorsForMissingKeys({});
    try {
      expect(simulators.banner).toHaveLength(2);
      const adapterFor = createAdapterResolver(createProviderCredentials({ env: simulators.env }));
      for (const provider of ['gemini', 'vertex'] as const) {
        const parts = await adapterFor(provider).generate({ model: 'gemini-2.5-flash', messages: [user(`hello ${provider}`)] }, callOptions());
        expect(textOf(parts)).toBe(`Echo: hello ${provider}`);
      }
    } finally {
      await simulators.close();
    }
  });

  it('starts nothing for a provider whose key is set', async () => {
    const simulators = await startGoogleSimulatorsForMissingKeys({ GEMINI_API_KEY: 'real', VERTEX_SERVICE_ACCOUNT_JSON: '{}' });
    expect(simulators.env).toEqual({});
    await simulators.close();
  });
});
