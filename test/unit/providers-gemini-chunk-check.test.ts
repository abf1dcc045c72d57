/**
 * Gemini's hand-written stream-chunk check (stream-stage.ts) runs before the zod schema on every chunk: it must
 * accept exactly what `generateContentResponseSchema` accepts, so a chunk the schema rejects still becomes the malformed-chunk error,
 * and the chunks providers really send are accepted without the schema. Checked over the recorded streams and over
 * thousands of seeded mutations of them (fields dropped, nulled, or swapped for values of every JSON type).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isGenerateContentChunk } from '../../layers/providers/gemini/stream-stage.ts';
import { generateContentResponseSchema } from '../../layers/providers/gemini/wire.ts';

const dir = new URL('../fixtures/gemini/', import.meta.url);

/** Every JSON chunk of the recorded streams (`[DONE]` and unparsable data aside). */
const recorded = (): unknown[] =>
  readdirSync(dir)
    .filter((name) => name.endsWith('.sse'))
    .flatMap((name) => readFileSync(new URL(name, dir), 'utf8').split('\n'))
    .filter((line) => line.startsWith('data:'))
    .map((line) => line.slice(5).trim())
    .flatMap((data) => {
      try {
        return [JSON.parse(data) as unknown];
      } catch {
        return [];
      }
    });

/** mulberry32: a seeded generator, so a failure reproduces. */
const random = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};

const DROP = Symbol('drop');
const replacements: unknown[] = [DROP, null, 0, 1.5, -3, 2 ** 60, Number.POSITIVE_INFINITY, '', 'x', true, false, [], [null], [{}], {}, { text: 1 }, { text: 'x' }, { name: 'f' }, { mimeType: 'a', data: 'b' }];

/** A deep copy of `value` with one field somewhere inside replaced (or removed). */
const mutate = (value: unknown, next: () => number): unknown => {
  const copy = structuredClone(value) as unknown;
  const containers: Array<Record<string, unknown> | unknown[]> = [];
  const walk = (node: unknown): void => {
    if (typeof node !== 'object' || node === null) return;
    containers.push(node as Record<string, unknown>);
    for (const child of Object.values(node)) walk(child);
  };
  walk(copy);
  const target = containers[Math.floor(next() * containers.length)]!;
  const keys = Array.isArray(target) ? target.map((_, i) => String(i)) : [...Object.keys(target), 'usageMetadata', 'content', 'parts', 'functionCall', 'inlineData', 'args', 'thought', 'promptFeedback', 'index'];
  if (keys.length === 0) return copy;
  const key = keys[Math.floor(next() * keys.length)]!;
  const replacement = replacements[Math.floor(next() * replacements.length)];
  const record = target as Record<string, unknown>;
  if (replacement === DROP) delete record[key];
  else record[key] = structuredClone(replacement);
  return copy;
};

const schemaAccepts = (value: unknown): boolean => generateContentResponseSchema().safeParse(value).success;

describe('the hand-written chunk check', () => {
  it('agrees with the schema on every chunk of the recorded provider streams (the malformed one included)', () => {
    const chunks = recorded();
    expect(chunks.length).toBeGreaterThan(10);
    for (const chunk of chunks) expect([JSON.stringify(chunk), isGenerateContentChunk(chunk)]).toEqual([JSON.stringify(chunk), schemaAccepts(chunk)]);
    expect(chunks.filter((chunk) => isGenerateContentChunk(chunk)).length).toBeGreaterThan(10);
  });

  it('accepts exactly what the schema accepts, over thousands of mutated chunks', () => {
    const next = random(39);
    const chunks = recorded();
    let accepted = 0;
    let rejected = 0;
    for (let i = 0; i < 6000; i++) {
      let value = chunks[i % chunks.length];
      // One to three mutations: nested breakage as well as single fields.
      for (let m = 1 + Math.floor(next() * 3); m > 0; m--) value = mutate(value, next);
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
