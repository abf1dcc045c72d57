/**
 * The hand-written stream-chunk check (chunk-check.ts) runs before the zod schema on every chunk: it must accept
 * exactly what `chatChunkSchema` accepts, so a chunk the schema rejects still becomes the malformed-chunk error,
 * and the chunks providers really send are accepted without the schema. Checked over the recorded streams and over
 * thousands of seeded mutations of them (fields dropped, nulled, or swapped for values of every JSON type).
 */
import { describe, expect, it } from 'vitest';
import { DROP, mutatedChunks, mutator, recordedChunks } from '../support/chunk-mutations.ts';
import { chatChunkSchema } from '../../layers/providers/openai-compatible/chat-response-schema.ts';
import { isChatChunk } from '../../layers/providers/openai-compatible/chunk-check.ts';

const dir = new URL('../fixtures/openai-compatible/', import.meta.url);

const mutate = mutator([DROP, null, 0, 1.5, -3, Number.POSITIVE_INFINITY, '', 'x', true, false, [], [null], [{}], {}, { content: 1 }, { content: 'x' }], ['usage', 'delta', 'tool_calls', 'function']);
const recorded = (): unknown[] => recordedChunks(dir);

const schemaAccepts = (value: unknown): boolean => chatChunkSchema().safeParse(value).success;

describe('the hand-written chunk check', () => {
  it('accepts every chunk of the recorded provider streams, as the schema does', () => {
    const chunks = recorded();
    expect(chunks.length).toBeGreaterThan(20);
    for (const chunk of chunks) {
      expect(schemaAccepts(chunk)).toBe(true);
      expect(isChatChunk(chunk)).toBe(true);
    }
  });

  it('accepts exactly what the schema accepts, over thousands of mutated chunks', () => {
    let accepted = 0;
    let rejected = 0;
    for (const value of mutatedChunks(recorded(), mutate, 39, 6000)) {
      const expected = schemaAccepts(value);
      if (isChatChunk(value) !== expected) throw new Error(`check and schema disagree (schema: ${expected}) on ${JSON.stringify(value)}`);
      if (expected) accepted++;
      else rejected++;
    }
    // Both sides of the boundary were exercised.
    expect(accepted).toBeGreaterThan(500);
    expect(rejected).toBeGreaterThan(500);
  });

  it('rejects what is not a chunk object at all', () => {
    for (const value of [null, undefined, 'data', 3, [], [{ choices: [] }]]) {
      expect(schemaAccepts(value)).toBe(false);
      expect(isChatChunk(value)).toBe(false);
    }
  });

  it('rejects the holes of a sparse array, as the schema does', () => {
    const sparse = { choices: [] as unknown[] };
    sparse.choices[1] = { index: 0, delta: { content: 'x' } };
    expect(schemaAccepts(sparse)).toBe(false);
    expect(isChatChunk(sparse)).toBe(false);
  });
});
