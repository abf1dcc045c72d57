/**
 * Seeded mutations of recorded provider stream chunks, for property tests that pin a hand-written chunk check to
 * the zod schema it runs before (providers-*-chunk-check.test.ts): fields dropped, nulled, or swapped for values of
 * every JSON type, anywhere inside a chunk.
 */
import { readdirSync, readFileSync } from 'node:fs';

/** Every JSON chunk of the recorded streams in `dir` (`[DONE]` and unparsable data aside). */
export const recordedChunks = (dir: URL): unknown[] =>
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
export const seededRandom = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};

/** In `replacements`: remove the field instead of replacing it. */
export const DROP = Symbol('drop');

/**
 * A mutation: a deep copy of a value with one field somewhere inside replaced by one of `replacements` (or removed).
 * `extraKeys` are field names also tried on every object, so absent optional fields get added too.
 */
export const mutator =
  (replacements: readonly unknown[], extraKeys: readonly string[]) =>
  (value: unknown, next: () => number): unknown => {
    const copy = structuredClone(value) as unknown;
    const containers: Array<Record<string, unknown> | unknown[]> = [];
    const walk = (node: unknown): void => {
      if (typeof node !== 'object' || node === null) return;
      containers.push(node as Record<string, unknown>);
      for (const child of Object.values(node)) walk(child);
    };
    walk(copy);
    const target = containers[Math.floor(next() * containers.length)]!;
    const keys = Array.isArray(target) ? target.map((_, i) => String(i)) : [...Object.keys(target), ...extraKeys];
    if (keys.length === 0) return copy;
    const key = keys[Math.floor(next() * keys.length)]!;
    const replacement = replacements[Math.floor(next() * replacements.length)];
    const record = target as Record<string, unknown>;
    if (replacement === DROP) delete record[key];
    else record[key] = structuredClone(replacement);
    return copy;
  };

/** `count` chunks, each one of `chunks` (in turn) after one to three seeded mutations. */
export function* mutatedChunks(chunks: readonly unknown[], mutate: ReturnType<typeof mutator>, seed: number, count: number): Generator<unknown> {
  const next = seededRandom(seed);
  for (let i = 0; i < count; i++) {
    let value = chunks[i % chunks.length];
    // One to three mutations: nested breakage as well as single fields.
    for (let m = 1 + Math.floor(next() * 3); m > 0; m--) value = mutate(value, next);
    yield value;
  }
}
