/**
 * The official `@huggingface/inference` SDK (4.13.30, pinned) drives the Hugging Face router simulator through
 * every operation the gateway uses: chat completions (plain and streamed, the router's `/v1`), feature extraction
 * on `hf-inference` and on DeepInfra, and text-to-image on `hf-inference` and through fal's queue. The SDK
 * hard-codes router.huggingface.co and huggingface.co (the Hub's provider mapping), so its `fetch` option, and
 * for fal's status polls the global fetch, rewrite those origins to the loopback simulator. The catalog's
 * partners are checked against the partners this SDK lists for each task.
 */
import { InferenceClient } from '@huggingface/inference';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { startOpenAICompatibleSimulator, type OpenAICompatibleSimulator } from '../../infra/local/simulators/openai-compatible/server.ts';
import { listModels } from '../../shared/catalog/index.ts';
import { decodePng } from '../support/media-providers.ts';
import { fetchRewritingTo } from '../support/wire-recorder.ts';

const TOKEN = 'hf_sdktesttoken';
let sim: OpenAICompatibleSimulator;
let client: InferenceClient;
const realFetch = globalThis.fetch;

beforeAll(async () => {
  sim = await startOpenAICompatibleSimulator({ flavor: 'huggingface', apiKey: TOKEN });
  client = new InferenceClient(TOKEN, { fetch: fetchRewritingTo(sim.origin, realFetch) });
});
afterEach(() => vi.unstubAllGlobals());
afterAll(() => sim?.close());

describe('@huggingface/inference against the Hugging Face router simulator', () => {
  it('chat completion through the router’s OpenAI-compatible /v1, plain and streamed', async () => {
    const answer = await client.chatCompletion({ model: 'meta-llama/Llama-3.3-70B-Instruct', provider: 'auto', messages: [{ role: 'user', content: 'Hello HF' }], max_tokens: 32 });
    expect(answer.choices[0]!.message.content).toEqual(expect.any(String));
    expect(sim.requests.at(-1)!.path).toBe('/v1/chat/completions');
    let text = '';
    for await (const chunk of client.chatCompletionStream({ model: 'meta-llama/Llama-3.3-70B-Instruct', provider: 'auto', messages: [{ role: 'user', content: 'Stream HF' }] })) text += chunk.choices[0]?.delta.content ?? '';
    expect(text.length).toBeGreaterThan(0);
  });

  it('feature extraction on hf-inference (the pipeline route) and on DeepInfra (OpenAI-shaped)', async () => {
    const pipeline = (await client.featureExtraction({ model: 'sentence-transformers/all-MiniLM-L6-v2', provider: 'hf-inference', inputs: ['one', 'two words'] })) as number[][];
    expect(pipeline.map((vector) => vector.length)).toEqual([384, 384]);
    const deepinfra = (await client.featureExtraction({ model: 'Qwen/Qwen3-Embedding-8B', provider: 'deepinfra', inputs: ['deepinfra route'] })) as number[][];
    expect(deepinfra[0]).toHaveLength(4096);
    expect(sim.requests.at(-1)!.path).toBe('/deepinfra/v1/openai/embeddings');
  });

  it('text-to-image on hf-inference: the image bytes as a Blob', async () => {
    const blob = await client.textToImage({ model: 'stabilityai/stable-diffusion-xl-base-1.0', provider: 'hf-inference', inputs: 'a windmill', parameters: { width: 512, height: 512 } }, { outputType: 'blob' });
    expect(decodePng(new Uint8Array(await blob.arrayBuffer()))).toEqual({ width: 512, height: 512 });
  });

  it('text-to-image through fal: the SDK submits to the queue, polls the status, reads the result and fetches the image', async () => {
    // The SDK polls fal's status with the global fetch, not its `fetch` option.
    vi.stubGlobal('fetch', fetchRewritingTo(sim.origin, realFetch));
    const blob = await client.textToImage({ model: 'black-forest-labs/FLUX.1-schnell', provider: 'fal-ai', inputs: 'a windmill', parameters: { image_size: { width: 1024, height: 768 } } as never }, { outputType: 'blob' });
    expect(decodePng(new Uint8Array(await blob.arrayBuffer()))).toEqual({ width: 1024, height: 768 });
    const fal = sim.requests.filter((request) => request.path.startsWith('/fal-ai/'));
    expect(fal.some((request) => request.method === 'POST' && request.search === '?_subdomain=queue')).toBe(true);
    expect(fal.some((request) => request.method === 'GET' && request.path.endsWith('/status'))).toBe(true);
  });

  it('the catalog routes Hugging Face media only to partners this SDK lists for the task', async () => {
    const { PROVIDERS } = (await import('../../node_modules/@huggingface/inference/dist/esm/lib/getProviderHelper.js')) as { PROVIDERS: Record<string, Record<string, unknown>> };
    const task = { embeddings: 'feature-extraction', 'image-generation': 'text-to-image' } as Record<string, string>;
    const rows = listModels({ all: true }).data.filter((row) => row.provider === 'hugging face' && (row as { hfInferenceProvider?: string }).hfInferenceProvider);
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) {
      const partner = (row as { hfInferenceProvider: string }).hfInferenceProvider;
      for (const operation of row.operations.map((entry) => entry.operation)) {
        expect(PROVIDERS[partner]?.[task[operation] ?? operation], `${row.modelId} → ${partner} ${operation}`).toBeDefined();
      }
    }
  });
});
