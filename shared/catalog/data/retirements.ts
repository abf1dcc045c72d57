/**
 * Models a provider's official SDK documents as retired or scheduled to shut down, with where it says so. The
 * build marks their rows (a note, a warning) and `npm run catalog:report` lists them as stale; a row is dropped
 * by deleting it from its data file once nothing depends on it. Update this table when an SDK is bumped.
 */
export interface Retirement {
  readonly provider: string;
  readonly modelId: string;
  /** The shutdown date the source names (past: retired; future: announced). */
  readonly shutdownOn: string;
  readonly source: string;
}

const OPENAI_IMAGES = 'openai 7.60.0 src/resources/images.ts (ImageModel deprecated values)';
const OPENAI_SPEECH = 'openai 7.60.0 src/resources/audio/speech.ts (SpeechModel deprecated values)';

export const RETIREMENTS: readonly Retirement[] = [
  { provider: 'openai', modelId: 'dall-e-2', shutdownOn: '2026-05-12', source: OPENAI_IMAGES },
  { provider: 'openai', modelId: 'dall-e-3', shutdownOn: '2026-05-12', source: OPENAI_IMAGES },
  { provider: 'openai', modelId: 'gpt-image-1', shutdownOn: '2026-10-23', source: OPENAI_IMAGES },
  { provider: 'openai', modelId: 'tts-1', shutdownOn: '2027-01-06', source: OPENAI_SPEECH },
  { provider: 'openai', modelId: 'tts-1-hd', shutdownOn: '2027-01-06', source: OPENAI_SPEECH },
  { provider: 'openai', modelId: 'gpt-4o-mini-tts', shutdownOn: '2027-01-06', source: OPENAI_SPEECH },
];
