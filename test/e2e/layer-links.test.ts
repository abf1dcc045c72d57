/**
 * Issue 15 (cold start): the shared layer's files import each other by their package specifiers — the bottom
 * tier's one module and the adapters' common module (infra/lib/layer-modules.ts) from every lazily loaded adapter
 * and from x402 — so a name one file imports that the other does not export fails only when that file loads, on a
 * provider's first call in Lambda. Every file of the layer, built as the stack builds it, is imported here in a
 * fresh process that resolves as Lambda does (bench/bundles/lambda-resolve.ts), and none may fail to resolve or link.
 * The SDK's fallback credential providers are such files too (infra/lib/layer-bundle.ts, SDK_FALLBACK_CREDENTIALS):
 * with no credentials in the environment, the layer's client still reads a shared credentials file through them.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildLayerCodeCached } from '../../infra/lib/layer-bundle.ts';

const RESOLVE = join(import.meta.dirname, '..', '..', 'bench', 'bundles', 'lambda-resolve.ts');

/** Imports every `.mjs` of the layer's packages and prints the files that failed to resolve or link, as JSON. */
const CHILD = `
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { installLambdaResolution, lambdaNodePath } from ${JSON.stringify(pathToFileURLString(RESOLVE))};
const opt = process.argv[1];
installLambdaResolution(lambdaNodePath(opt));
const root = join(opt, 'nodejs', 'node_modules');
const files = ['@compose-inference', '@aws-sdk', '@smithy'].flatMap((scope) => readdirSync(join(root, scope), { recursive: true, encoding: 'utf8' }).map((file) => join(scope, file))).filter((file) => file.endsWith('.mjs')).sort();
const failed = [];
for (const file of files) {
  try {
    await import(pathToFileURL(join(root, file)).href);
  } catch (error) {
    if (/does not provide an export named|ambiguous|Cannot find (module|package)/i.test(String(error))) failed.push(file + ': ' + String(error));
  }
}
process.stdout.write(JSON.stringify({ files: files.length, failed }) + '\\n');
`;

/** Resolves credentials with the layer's DynamoDB client in a process whose environment holds none, and prints them. */
const CREDENTIALS_CHILD = `
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { installLambdaResolution, lambdaNodePath } from ${JSON.stringify(pathToFileURLString(RESOLVE))};
const opt = process.argv[1];
installLambdaResolution(lambdaNodePath(opt));
const { DynamoDBClient } = await import(pathToFileURL(join(opt, 'nodejs', 'node_modules', '@aws-sdk', 'client-dynamodb', 'index.mjs')).href);
const credentials = await new DynamoDBClient({ region: 'us-east-1' }).config.credentials();
process.stdout.write(JSON.stringify({ accessKeyId: credentials.accessKeyId }) + '\\n');
`;

function pathToFileURLString(file: string): string {
  return new URL(`file://${file}`).href;
}

let opt: string;

beforeAll(() => {
  opt = join(mkdtempSync(join(tmpdir(), 'compose-layer-links-')), 'opt');
  buildLayerCodeCached(opt);
}, 300_000);

afterAll(() => {
  if (opt) rmSync(join(opt, '..'), { recursive: true, force: true });
});

describe('the shared layer’s files', () => {
  it('all resolve and link: every name a file imports from another layer file is exported there', () => {
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', CHILD, opt], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp' }, timeout: 120_000 });
    const { files, failed } = JSON.parse(out.trim().split('\n').at(-1)!) as { files: number; failed: string[] };
    expect(files).toBeGreaterThan(10);
    expect(failed).toEqual([]);
  }, 180_000);
});

describe('the layer’s AWS SDK', () => {
  it('still finds credentials outside the environment: the fallback providers are packages of their own, imported on use', () => {
    // Lambda always sets credentials in the environment; a shared credentials file is what the SDK reads next.
    const home = mkdtempSync(join(tmpdir(), 'compose-layer-home-'));
    try {
      mkdirSync(join(home, '.aws'));
      writeFileSync(join(home, '.aws', 'credentials'), '[default]\naws_access_key_id = AKIAFROMTHEFILE\naws_secret_access_key = not-a-secret\n');
      const out = execFileSync(process.execPath, ['--input-type=module', '-e', CREDENTIALS_CHILD, opt], {
        encoding: 'utf8',
        env: { PATH: process.env.PATH ?? '', HOME: home, AWS_EC2_METADATA_DISABLED: 'true' },
        timeout: 120_000,
      });
      expect(JSON.parse(out.trim().split('\n').at(-1)!)).toEqual({ accessKeyId: 'AKIAFROMTHEFILE' });
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  }, 180_000);
});
