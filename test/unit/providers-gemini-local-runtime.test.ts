import { describe, expect, it } from 'vitest';
import { startProviderSimulators } from '../../infra/local/simulators/index.ts';
import { createProviderCredentials } from '../../layers/providers/credentials.ts';
import { createAdapterResolver } from '../../layers/providers/registry.ts';
import { callOptions, textOf, user } from '../support/providers-gemini.ts';

describe('local runtime without Google keys', () => {
  // Over loopback TCP on purpose: this is npm start's wiring, simulators listening and adapters on the default transport.
  it('serves Gemini and Vertex from their simulators through the registry, credentials and transports', async () => {
    const simulators = await startProviderSimulators({});
    try {
      const adapterFor = createAdapterResolver(createProviderCredentials({ env: simulators.env }));
      for (const provider of ['gemini', 'vertex'] as const) {
        const stream = await adapterFor(provider).stream({ model: 'gemini-2.5-flash', messages: [user(`hello ${provider}`)] }, callOptions());
        const parts = [];
        for await (const part of stream) parts.push(part);
        expect(textOf(parts)).toBe(`Echo: hello ${provider}`);
      }
    } finally {
      await simulators.close();
    }
  });
});
