/**
 * Gemini's hand-written stream-chunk check (stream-stage.ts) runs before the zod schema on every chunk: it must
 * accept exactly what `generateContentResponseSchema` accepts, so a chunk the schema rejects still becomes the malformed-chunk error,
 * and the chunks providers really send are accepted without the schema. Checked over the recorded streams and over
 * thousands of seeded mutations of them (fields dropped, nulled, or swapped for values of every JSON type).
 */
import { describe, expect, it } from 'vitest';
import { DROP, mutatedChunks, mutator, recordedChunks } from '../support/chunk-mutations.ts';
import { isGenerateContentChunk } from '../../layers/providers/gemini/stream-stage.ts';
import { generateContentResponseSchema } from '../../layers/providers/gemini/wire.ts';

const dir = new URL('../fixtures/gemini/', import.meta.url);

const mutate = mutator([DROP, null, 0, 1.5, -3, 2 ** 60, Number.POSITIVE_INFINITY, '', 'x', true, false, [], [null], [{}], {}, { text: 1 }, { text: 'x' }, { name: 'f' }, { mimeType: 'a', data: 'b' }], ['usageMetadata', 'content', 'parts', 'functionCall', 'inlineData', 'args', 'thought', 'promptFeedback', 'index']);
const recorded = (): unknown[] => recordedChunks(dir);

const schemaAccepts = (value: unknown): boolean => generateContentResponseSchema().safeParse(value).success;

describe('the hand-written chunk check', () => {
  it('agrees with the schema on every chunk of the recorded provider streams (the malformed one included)', () => {
    const chunks = recorded();
    expect(chunks.length).toBeGreaterThan(10);
    for (const chunk of chunks) expect([JSON.stringify(chunk), isGenerateContentChunk(chunk)]).toEqual([JSON.stringify(chunk), schemaAccepts(chunk)]);
    expect(chunks.filter((chunk) => isGenerateContentChunk(chunk)).length).toBeGreaterThan(10);
  });

  it('accepts exactly what the schema accepts, over thousands of mutated chunks', () => {
    let accepted = 0;
    let rejected = 0;
    for (const value of mutatedChunks(recorded(), mutate, 39, 6000)) {
      const expected = schemaAccepts(value);
      if (isGenerateContentChunk(value) !== expected) throw new Error(`check and schema disagree (schema: ${expected}) on ${JSON.stringify(value)}`);
      if (expected) accepted++;
      else rejected++;
    }
    // Both sides of the boundary were exercised.
    expect(accepted).toBeGreaterThan(500);
    expect(rejected).toBeGreaterThan(500);
  });

  it('rejects what is not a chunk object at all', () => {
    for (const value of [null, undefined, 'data', 3, [], [{ candidates: [] }]]) {
      expect(schemaAccepts(value)).toBe(false);
      expect(isGenerateContentChunk(value)).toBe(false);
    }
  });

  it('rejects the holes of a sparse array, as the schema does', () => {
    const sparse = { candidates: [] as unknown[] };
    sparse.candidates[1] = { index: 0, content: { parts: [{ text: 'x' }] } };
    expect(schemaAccepts(sparse)).toBe(false);
    expect(isGenerateContentChunk(sparse)).toBe(false);
  });
});
