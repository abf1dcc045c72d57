/**
 * Function bundles carry large JSON modules (the model catalog, the OpenAPI document) as `JSON.parse('…')`, which
 * V8 reads faster at init than the same data as an object literal. The data must come out exactly as the file.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { functionBuildOptions } from '../../infra/lib/function-bundle.ts';
import { PROJECT_ROOT } from '../../infra/lib/paths.ts';

describe('a function bundle’s large JSON', () => {
  it('is a JSON.parse of the file’s data, equal to it', async () => {
    const result = await build({ ...functionBuildOptions('health', '/nonexistent'), write: false, minify: false });
    const code = result.outputFiles.map((file) => file.text).join('\n');
    const literal = /JSON\.parse\(("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')\)/.exec(code)?.[1];
    expect(literal).toBeDefined();
    const parsed: unknown = JSON.parse(new Function(`return ${literal}`)() as string);
    expect(parsed).toEqual(JSON.parse(readFileSync(join(PROJECT_ROOT, 'openapi', 'generated', 'openapi.json'), 'utf8')));
  });
});
