/**
 * Every provider without a key in the environment gets a loopback simulator speaking its wire format (the text
 * simulators carry their providers' media routes; speech and vision providers get their own), and the variables
 * that point its transport there. The banner says which, so nobody mistakes a simulated answer for a provider's.
 */
import { PROVIDER_VARIABLES } from '../../../layers/providers/credentials.ts';
import { startGeminiSimulator } from './gemini/server.ts';
import type { AcceptingSimulator, HostOptions } from './host.ts';
import { startSpeechVisionSimulators } from './media-fixtures/speech-vision-env.ts';
import { startSimulatorsForMissingKeys } from './openai-compatible/local-env.ts';
import { startVertexSimulator } from './vertex/server.ts';

export interface ProviderSimulators {
  readonly env: Readonly<Record<string, string>>;
  readonly banner: readonly string[];
  /** Every simulator started, for a client that reaches them in memory (`listen: false`). */
  readonly servers: readonly AcceptingSimulator[];
  close(): Promise<void>;
}

const missing = (env: NodeJS.ProcessEnv, name: string): boolean => (env[name] ?? '').trim() === '';

/** `host.listen: false` starts them without ports, for tests that reach them in memory (./host.ts). */
export const startProviderSimulators = async (env: NodeJS.ProcessEnv = process.env, host: Pick<HostOptions, 'listen'> = {}): Promise<ProviderSimulators> => {
  const [compatible, gemini, vertex, speechVision] = await Promise.all([
    startSimulatorsForMissingKeys(env, host),
    missing(env, PROVIDER_VARIABLES.gemini.apiKey) ? startGeminiSimulator(host) : undefined,
    missing(env, PROVIDER_VARIABLES.vertex.apiKey) ? startVertexSimulator(host) : undefined,
    startSpeechVisionSimulators(env, host),
  ]);
  const vars: Record<string, string> = { ...compatible.env, ...speechVision.env };
  const banner = [...compatible.banner, ...speechVision.banner];
  if (gemini) {
    Object.assign(vars, { GEMINI_API_KEY: gemini.apiKey, GEMINI_BASE_URL: gemini.url });
    banner.push(`gemini: simulated at ${gemini.url} (set GEMINI_API_KEY to use the real provider)`);
  }
  if (vertex) {
    Object.assign(vars, {
      VERTEX_SERVICE_ACCOUNT_JSON: vertex.serviceAccountJson!,
      VERTEX_BASE_URL: vertex.url,
      VERTEX_PROJECT: vertex.projectId,
      VERTEX_LOCATION: 'us-central1',
      VERTEX_TOKEN_URL: vertex.tokenUrl,
    });
    banner.push(`vertex: simulated at ${vertex.url} (set VERTEX_SERVICE_ACCOUNT_JSON to use the real provider)`);
  }
  const servers: AcceptingSimulator[] = [...compatible.simulators.values(), ...speechVision.simulators.values(), ...(gemini ? [gemini] : []), ...(vertex ? [vertex] : [])];
  return {
    env: vars,
    banner,
    servers,
    close: async () => {
      await Promise.all([compatible.close(), gemini?.close(), vertex?.close(), speechVision.close()]);
    },
  };
};
