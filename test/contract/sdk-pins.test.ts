/**
 * The SDK and wire tests prove the simulators and adapters against these exact SDK versions. They are pinned
 * (no ranges) and the installed copies must be those versions, so a bump is a deliberate change whose wire
 * differences show up in test/sdk-*.test.ts and test/wire-*.test.ts.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const PINNED = ['openai', '@google/genai', '@deepgram/sdk', '@elevenlabs/elevenlabs-js', '@cartesia/cartesia-js', '@huggingface/inference', 'cloudflare', '@pydantic/genai-prices'];

const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { devDependencies: Record<string, string> };
const installed = (name: string): string => (JSON.parse(readFileSync(new URL(`../../node_modules/${name}/package.json`, import.meta.url), 'utf8')) as { version: string }).version;

describe('pinned provider SDKs', () => {
  it.each(PINNED)('%s is pinned to an exact version, and that version is installed', (name) => {
    const wanted = manifest.devDependencies[name];
    expect(wanted).toMatch(/^\d+\.\d+\.\d+$/);
    expect(installed(name)).toBe(wanted);
  });
});
