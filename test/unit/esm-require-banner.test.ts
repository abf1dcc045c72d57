/**
 * Issue 15 (cold start): every file esbuild writes for a function or the layer starts with the `require` banner
 * (infra/lib/function-bundle.ts, ESM_REQUIRE_BANNER), which CommonJS dependencies bundled into ES modules call for
 * Node's built-ins. Almost no file calls it, so loading one must not import node:module or build a require: the
 * real one is made on the first call. Bundled CommonJS code still requires and resolves through it.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
import { ESM_REQUIRE_BANNER, NODE_ESM_BUNDLE } from '../../infra/lib/function-bundle.ts';

const dir = mkdtempSync(join(tmpdir(), 'compose-require-banner-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the require banner of the ES module bundles', () => {
  it('imports nothing: a file that never calls require loads no node:module and builds no require', () => {
    // No import statement (import.meta is not one), and createRequire only inside the function made on first use.
    expect(ESM_REQUIRE_BANNER).not.toMatch(/\bimport(?!\.meta)\b/);
    expect(ESM_REQUIRE_BANNER).toMatch(/\?\?= process\.getBuiltinModule\("node:module"\)\.createRequire\(import\.meta\.url\)/);
  });

  it('still serves bundled CommonJS code: require of a built-in and require.resolve', async () => {
    writeFileSync(join(dir, 'dep.cjs'), "module.exports = { joined: require('node:path').join('a', 'b'), resolved: require.resolve('node:path') };\n");
    writeFileSync(join(dir, 'entry.mjs'), "import dep from './dep.cjs';\nexport default dep;\n");
    await build({ ...NODE_ESM_BUNDLE, entryPoints: [join(dir, 'entry.mjs')], outfile: join(dir, 'out.mjs'), logLevel: 'error' });
    const { default: dep } = (await import(pathToFileURL(join(dir, 'out.mjs')).href)) as { default: { joined: string; resolved: string } };
    expect(dep).toEqual({ joined: join('a', 'b'), resolved: 'node:path' });
  });
});
