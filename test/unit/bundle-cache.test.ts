/**
 * The bundle cache the test suite's synths share (infra/lib/bundle-cache.ts): a build runs once per key, every
 * caller gets the same files, and a source map copied elsewhere still names the same sources.
 */
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cachedBuild } from '../../infra/lib/bundle-cache.ts';

const work = mkdtempSync(join(tmpdir(), 'compose-bundle-cache-test-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

let made = 0;
const dir = (name: string): string => {
  const path = join(work, name, `${++made}`);
  mkdirSync(path, { recursive: true });
  return path;
};

/** A build like esbuild's: an entry and its map, the map naming a source relative to itself. */
const fakeBuild = (builds: string[]) => (out: string): void => {
  builds.push(out);
  writeFileSync(join(out, 'index.mjs'), 'export const handler = 1;\n//# sourceMappingURL=index.mjs.map\n');
  writeFileSync(join(out, 'index.mjs.map'), `{\n  "version": 3,\n  "sources": [${JSON.stringify(join('..', '..', '..', 'src', 'handler.ts'))}],\n  "mappings": "AAAA"\n}\n`);
};

const mapSource = (out: string): string => resolve(out, (JSON.parse(readFileSync(join(out, 'index.mjs.map'), 'utf8')) as { sources: string[] }).sources[0]!);

describe('cachedBuild', () => {
  it('builds straight into the output folder when no cache folder is set (a deploy)', () => {
    const builds: string[] = [];
    const out = dir('plain');
    cachedBuild('function:x', { minify: true }, out, fakeBuild(builds), '');
    expect(builds).toEqual([out]);
  });

  it('builds a key once and gives every caller the same files, with source maps naming the same sources', () => {
    const cache = join(work, 'cache');
    const builds: string[] = [];
    const first = dir('a');
    const second = join(dir('b'), 'deeper');
    mkdirSync(second);
    cachedBuild('function:x', { minify: true }, first, fakeBuild(builds), cache);
    cachedBuild('function:x', { minify: true }, second, fakeBuild(builds), cache);
    expect(builds).toHaveLength(1);
    expect(readdirSync(second).sort()).toEqual(['index.mjs', 'index.mjs.map']);
    expect(readFileSync(join(second, 'index.mjs'), 'utf8')).toBe(readFileSync(join(first, 'index.mjs'), 'utf8'));
    // The built map named <cache>/../src/handler.ts relative to itself; each copy still names that file.
    const original = resolve(builds[0]!, '..', '..', '..', 'src', 'handler.ts');
    expect(mapSource(first)).toBe(original);
    expect(mapSource(second)).toBe(original);
    expect(readFileSync(join(second, 'index.mjs.map'), 'utf8')).toMatch(/^\{\n {2}"version": 3,\n {2}"sources": \["[^"]+"\],\n {2}"mappings": "AAAA"\n\}\n$/);
  });

  it('builds again for other options or another kind', () => {
    const cache = join(work, 'cache-keys');
    const builds: string[] = [];
    cachedBuild('function:x', { minify: true }, dir('k'), fakeBuild(builds), cache);
    cachedBuild('function:x', { minify: false }, dir('k'), fakeBuild(builds), cache);
    cachedBuild('function:y', { minify: true }, dir('k'), fakeBuild(builds), cache);
    expect(builds).toHaveLength(3);
  });

  it('keeps nothing of a failed build: the next caller builds', () => {
    const cache = join(work, 'cache-fail');
    expect(() =>
      cachedBuild('function:x', {}, dir('f'), () => {
        throw new Error('esbuild failed');
      }, cache),
    ).toThrow('esbuild failed');
    expect(readdirSync(cache)).toEqual([]);
    const builds: string[] = [];
    cachedBuild('function:x', {}, dir('f'), fakeBuild(builds), cache);
    expect(builds).toHaveLength(1);
  });
});
