/**
 * For `npm start`: the speech and vision providers (Deepgram, ElevenLabs, Cartesia, Roboflow) each get their
 * loopback simulator when their key is missing from the environment, and the variables that route their
 * transport there. The other media providers are served by their text simulators, which carry their media routes.
 */
import { PROVIDER_VARIABLES } from '../../../../layers/providers/credentials.ts';
import { startCartesiaSimulator } from '../cartesia-media/server.ts';
import { startDeepgramSimulator } from '../deepgram-media/server.ts';
import { startElevenLabsSimulator } from '../elevenlabs-media/server.ts';
import { startRoboflowSimulator } from '../roboflow-media/server.ts';
import type { HostOptions } from '../host.ts';
import type { StandaloneSimulator } from './standalone.ts';

const STARTERS = {
  deepgram: startDeepgramSimulator,
  elevenlabs: startElevenLabsSimulator,
  cartesia: startCartesiaSimulator,
  roboflow: startRoboflowSimulator,
} as const;

type SpeechVisionProvider = keyof typeof STARTERS;

export interface SpeechVisionSimulators {
  readonly env: Readonly<Record<string, string>>;
  readonly banner: readonly string[];
  readonly simulators: ReadonlyMap<SpeechVisionProvider, StandaloneSimulator>;
  close(): Promise<void>;
}

const hasValue = (env: NodeJS.ProcessEnv, name: string): boolean => (env[name] ?? '').trim() !== '';

/** `host.listen: false` starts them without ports, for tests that reach them in memory (../host.ts). */
export const startSpeechVisionSimulators = async (env: NodeJS.ProcessEnv = process.env, host: Pick<HostOptions, 'listen'> = {}): Promise<SpeechVisionSimulators> => {
  const missing = (Object.keys(STARTERS) as SpeechVisionProvider[]).filter((provider) => !hasValue(env, PROVIDER_VARIABLES[provider].apiKey));
  const started = await Promise.all(missing.map(async (provider) => [provider, await STARTERS[provider](host)] as const));
  const vars: Record<string, string> = {};
  for (const [provider, simulator] of started) {
    vars[PROVIDER_VARIABLES[provider].apiKey] = simulator.apiKey;
    vars[PROVIDER_VARIABLES[provider].baseURL[0]] = simulator.url;
  }
  return {
    env: vars,
    banner: started.map(([provider, simulator]) => `${provider}: simulated at ${simulator.url} (set ${PROVIDER_VARIABLES[provider].apiKey} to use the real provider)`),
    simulators: new Map(started),
    close: async () => {
      await Promise.all(started.map(([, simulator]) => simulator.close()));
    },
  };
};
