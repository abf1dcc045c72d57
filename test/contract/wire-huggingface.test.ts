/**
 * The Hugging Face adapters send what `@huggingface/inference` (4.13.30) sends for the same operation, compared
 * on a loopback recorder in front of the router simulator: chat completions, feature extraction on hf-inference
 * and DeepInfra, and text-to-image on hf-inference and through fal's queue (every request of the exchange: the
 * Hub's provider mapping, the submission, the status polls, the result). Differences that remain are listed with
 * their reasons in layers/providers/huggingface/README.md; any other difference fails here.
 */
import { InferenceClient } from '@huggingface/inference';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { startOpenAICompatibleSimulator, type OpenAICompatibleSimulator } from '../../infra/local/simulators/openai-compatible/server.ts';
import { huggingfaceProfile } from '../../layers/providers/huggingface/profile.ts';
import { createHuggingFaceMediaAdapter } from '../../layers/providers/huggingface/media/adapter.ts';
import { catalogPartner } from '../../shared/catalog/hf-partners.ts';
import { createOpenAICompatibleAdapter } from '../../layers/providers/openai-compatible/adapter.ts';
import { callOptions } from '../support/media-providers.ts';
import { fetchRewritingTo, startWireRecorder, wireDiff, type CapturedRequest, type WireRecorder } from '../support/wire-recorder.ts';

const TOKEN = 'hf_wiretesttoken';
let sim: OpenAICompatibleSimulator;
let rec: WireRecorder;
const realFetch = globalThis.fetch;

beforeAll(async () => {
  sim = await startOpenAICompatibleSimulator({ flavor: 'huggingface', apiKey: TOKEN });
  rec = await startWireRecorder(sim.origin);
});
afterEach(() => vi.unstubAllGlobals());
afterAll(() => Promise.all([rec?.close(), sim?.close()]));

const sdk = () => new InferenceClient(TOKEN, { fetch: fetchRewritingTo(rec.origin, realFetch) });
const transport = () => ({ baseURL: `${rec.origin}/v1`, apiKey: () => TOKEN, maxRetries: 0 });
/** Each side's own mapping cache would hide the Hub lookup from the second run: a fresh adapter per call. */
const media = () => createHuggingFaceMediaAdapter(transport(), { partnerOf: catalogPartner, falPollMs: 1 });

const isHubLookup = (request: CapturedRequest): boolean => request.path.startsWith('/api/models/');
let hubLookups: { sdk: CapturedRequest[]; ours: CapturedRequest[] } = { sdk: [], ours: [] };

/**
 * The requests of one exchange, without result downloads (the URL the partner handed out) and without the Hub's
 * provider mapping, which each side caches for the process and which the adapter skips for hf-inference (listed);
 * the lookups are kept apart for the tests that check them.
 */
const exchange = async (run: () => Promise<unknown>, side: 'sdk' | 'ours'): Promise<CapturedRequest[]> => {
  // fal's request ids differ between the two runs; the place they take in the path is what must match.
  const requests = (await rec.during(run)).filter((request) => !request.path.startsWith('/v1/sim-files/')).map((request) => ({ ...request, path: request.path.replace(/\/requests\/[^/]+/, '/requests/{id}') }));
  hubLookups[side] = requests.filter(isHubLookup);
  return requests.filter((request) => !isHubLookup(request));
};

const compareAll = async (viaSdk: () => Promise<unknown>, viaAdapter: () => Promise<unknown>): Promise<string[]> => {
  hubLookups = { sdk: [], ours: [] };
  const a = await exchange(viaSdk, 'sdk');
  const b = await exchange(viaAdapter, 'ours');
  expect(b.map((request) => `${request.method} ${request.path}`)).toEqual(a.map((request) => `${request.method} ${request.path}`));
  return a.flatMap((request, index) => wireDiff(request, b[index]!).map((line) => `#${index} ${line}`));
};

describe('Hugging Face adapters vs @huggingface/inference', () => {
  it('chat completion on the router', async () => {
    const diff = await compareAll(
      () => sdk().chatCompletion({ model: 'meta-llama/Llama-3.3-70B-Instruct', provider: 'auto', messages: [{ role: 'user', content: 'Hello' }], max_tokens: 32 }),
      () => createOpenAICompatibleAdapter(huggingfaceProfile, transport()).generate({ model: 'meta-llama/Llama-3.3-70B-Instruct', messages: [{ role: 'user', content: [{ type: 'text', text: 'Hello' }] }], maxOutputTokens: 32 }, callOptions()),
    );
    expect(diff).toEqual([]);
  });

  it('feature extraction on hf-inference', async () => {
    const diff = await compareAll(
      () => sdk().featureExtraction({ model: 'sentence-transformers/all-MiniLM-L6-v2', provider: 'hf-inference', inputs: ['one', 'two'], normalize: true }),
      () => media().embed!({ model: 'sentence-transformers/all-MiniLM-L6-v2', input: ['one', 'two'] }, callOptions()),
    );
    expect(diff).toEqual([]);
  });

  it('feature extraction on DeepInfra', async () => {
    const diff = await compareAll(
      () => sdk().featureExtraction({ model: 'Qwen/Qwen3-Embedding-8B', provider: 'deepinfra', inputs: ['one', 'two'] }),
      () => media().embed!({ model: 'Qwen/Qwen3-Embedding-8B', input: ['one', 'two'] }, callOptions()),
    );
    // Listed: the adapter asks every OpenAI-shaped embeddings route for floats; DeepInfra's default is the same.
    expect(diff).toEqual(['#0 body.encoding_format: absent → "float"']);
    expect(wireDiff(hubLookups.sdk[0]!, hubLookups.ours[0]!)).toEqual([]);
  });

  it('text-to-image on hf-inference', async () => {
    const diff = await compareAll(
      () => sdk().textToImage({ model: 'black-forest-labs/FLUX.1-schnell', provider: 'hf-inference', inputs: 'a windmill', parameters: { width: 768, height: 512 } }, { outputType: 'blob' }),
      () => media().generateImage!({ model: 'black-forest-labs/FLUX.1-schnell:hf-inference', prompt: 'a windmill', n: 1, size: '768x512', quality: 'standard' }, callOptions()),
    );
    expect(diff).toEqual([]);
  });

  it('text-to-image through fal’s queue: mapping, submission, status polls, result', async () => {
    vi.stubGlobal('fetch', fetchRewritingTo(rec.origin, realFetch));
    const diff = await compareAll(
      () => sdk().textToImage({ model: 'black-forest-labs/FLUX.1-dev', provider: 'fal-ai', inputs: 'a windmill', parameters: { image_size: { width: 1024, height: 768 }, num_images: 1 } as never }, { outputType: 'blob' }),
      () => media().generateImage!({ model: 'black-forest-labs/FLUX.1-dev', prompt: 'a windmill', n: 1, size: '1024x768', quality: 'standard' }, callOptions()),
    );
    // Listed: the SDK repeats the submission's headers, content-type included, on its body-less status and result GETs.
    expect(diff).toEqual(['#1 header.content-type: "application/json" → absent', '#2 header.content-type: "application/json" → absent', '#3 header.content-type: "application/json" → absent']);
    // Both asked the Hub for the partner's id of this model, the same way.
    expect(wireDiff(hubLookups.sdk[0]!, hubLookups.ours[0]!)).toEqual([]);
  });
});
