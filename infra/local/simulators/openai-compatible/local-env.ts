/**
 * For `npm start`: every OpenAI-compatible provider without a key in the environment gets a simulator, and
 * the environment variables that point its transport there. The caller merges `env` into the runtime's
 * environment and prints `banner` so nobody mistakes simulated answers for a provider's.
 */
import { PROVIDER_VARIABLES } from '../../../../layers/providers/credentials.ts';
import type { ProviderId } from '../../../../layers/providers/types.ts';
import type { HostOptions } from '../host.ts';
import type { FlavorName } from './flavors.ts';
import { startOpenAICompatibleSimulator, type OpenAICompatibleSimulator } from './server.ts';

export const SIMULATED_PROVIDERS = {
  openai: 'openai',
  azure: 'azure',
  fireworks: 'fireworks',
  aiml: 'aiml',
  'hugging face': 'huggingface',
  alibaba: 'alibaba',
  cloudflare: 'cloudflare',
  asicloud: 'asicloud',
} as const satisfies Partial<Record<ProviderId, FlavorName>>;

export type SimulatedProvider = keyof typeof SIMULATED_PROVIDERS;

export interface LocalSimulators {
  /** Variables to merge into the runtime environment. */
  readonly env: Readonly<Record<string, string>>;
  /** One line per simulated provider, for the start-up banner. */
  readonly banner: readonly string[];
  readonly simulators: ReadonlyMap<SimulatedProvider, OpenAICompatibleSimulator>;
  close(): Promise<void>;
}

const hasValue = (env: NodeJS.ProcessEnv, name: string): boolean => (env[name] ?? '').trim() !== '';

/** Variables that route `provider` to `simulator`: key, base URL, and the options its URL needs. */
export const simulatorEnv = (provider: SimulatedProvider, simulator: OpenAICompatibleSimulator): Record<string, string> => {
  const variables = PROVIDER_VARIABLES[provider];
  const options: Readonly<Record<string, string>> = 'options' in variables ? variables.options : {};
  const env: Record<string, string> = { [variables.apiKey]: simulator.apiKey, [variables.baseURL[0]]: simulator.url };
  for (const [option, value] of Object.entries(simulator.transportOptions)) {
    const name = options[option];
    if (name !== undefined) env[name] = value;
  }
  return env;
};

/** `host.listen: false` starts them without ports, for tests that reach them in memory (../host.ts). */
export const startSimulatorsForMissingKeys = async (env: NodeJS.ProcessEnv = process.env, host: Pick<HostOptions, 'listen'> = {}): Promise<LocalSimulators> => {
  const missing = (Object.keys(SIMULATED_PROVIDERS) as SimulatedProvider[]).filter((provider) => !hasValue(env, PROVIDER_VARIABLES[provider].apiKey));
  const started = await Promise.all(missing.map(async (provider) => [provider, await startOpenAICompatibleSimulator({ flavor: SIMULATED_PROVIDERS[provider], ...host })] as const));
  const simulators = new Map(started);
  return {
    env: Object.assign({}, ...started.map(([provider, simulator]) => simulatorEnv(provider, simulator))) as Record<string, string>,
    banner: started.map(([provider, simulator]) => `${provider}: simulated at ${simulator.url} (set ${PROVIDER_VARIABLES[provider].apiKey} to use the real provider)`),
    simulators,
    close: async () => {
      await Promise.all(started.map(([, simulator]) => simulator.close()));
    },
  };
};
