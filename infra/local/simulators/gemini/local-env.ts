/**
 * For `npm start`: Gemini and Vertex, when the environment holds no key for them, get a simulator and the
 * environment variables that point their transports there (same contract as the OpenAI-compatible
 * `startSimulatorsForMissingKeys`). The caller merges `env` into the runtime's environment and prints `banner`.
 */
import { PROVIDER_VARIABLES } from '../../../../layers/providers/credentials.ts';
import { startVertexSimulator } from '../vertex/server.ts';
import { startGeminiSimulator } from './server.ts';

export interface GoogleSimulators {
  /** Variables to merge into the runtime environment. */
  readonly env: Readonly<Record<string, string>>;
  /** One line per simulated provider, for the start-up banner. */
  readonly banner: readonly string[];
  close(): Promise<void>;
}

interface Started {
  readonly env: Record<string, string>;
  readonly line: string;
  readonly close: () => Promise<void>;
}

const hasValue = (env: NodeJS.ProcessEnv, name: string): boolean => (env[name] ?? '').trim() !== '';

const startGemini = async (): Promise<Started> => {
  const sim = await startGeminiSimulator();
  const names = PROVIDER_VARIABLES.gemini;
  return {
    env: { [names.apiKey]: sim.apiKey, [names.baseURL[0]]: sim.url },
    line: `gemini: simulated at ${sim.url} (set ${names.apiKey} to use the real provider)`,
    close: () => sim.close(),
  };
};

const startVertex = async (): Promise<Started> => {
  const sim = await startVertexSimulator();
  const names = PROVIDER_VARIABLES.vertex;
  return {
    env: {
      [names.apiKey]: sim.serviceAccountJson!,
      [names.baseURL[0]]: sim.url,
      [names.options.project]: sim.projectId,
      [names.options.location]: 'us-central1',
      [names.options.tokenUrl]: sim.tokenUrl,
    },
    line: `vertex: simulated at ${sim.url} with a throwaway service account (set ${names.apiKey} to use the real provider)`,
    close: () => sim.close(),
  };
};

export const startGoogleSimulatorsForMissingKeys = async (env: NodeJS.ProcessEnv = process.env): Promise<GoogleSimulators> => {
  const started = await Promise.all([
    ...(hasValue(env, PROVIDER_VARIABLES.gemini.apiKey) ? [] : [startGemini()]),
    ...(hasValue(env, PROVIDER_VARIABLES.vertex.apiKey) ? [] : [startVertex()]),
  ]);
  return {
    env: Object.assign({}, ...started.map((entry) => entry.env)) as Record<string, string>,
    banner: started.map((entry) => entry.line),
    close: async () => {
      await Promise.all(started.map((entry) => entry.close()));
    },
  };
};
