/**
 * The project's OpenAPI document as a product: every route the gateway serves is in it, every operation has a
 * summary, it passes `redocly lint` (recommended rules) with no errors, and the copy served at /openapi.json
 * names the server it was fetched from and the API version /health reports.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROUTES } from '../../shared/routes.ts';
import { sharedE2eRuntime, type E2eRuntime } from '../support/e2e.ts';
import { expectMatchesContract } from '../support/openapi.ts';

const root = new URL('../..', import.meta.url).pathname;
const SOURCE = join(root, 'openapi', 'compose-inference.openapi.yaml');
const document = JSON.parse(readFileSync(join(root, 'openapi', 'generated', 'openapi.json'), 'utf8')) as {
  info: { version: string };
  paths: Record<string, Record<string, { summary?: string; operationId?: string }>>;
};
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };

/** Redocly's CLI, run by this Node (the one on PATH may be older than the CLI supports). */
const redoclyLint = async (file: string): Promise<{ errors: number; problems: { ruleId: string; message: string; severity: string }[] }> => {
  const cli = join(root, 'node_modules', '@redocly', 'cli', 'bin', 'cli.js');
  const run = await promisify(execFile)(process.execPath, [cli, 'lint', file, '--format=json'], { cwd: root, maxBuffer: 16 * 1024 * 1024 }).catch(
    (error: { stdout?: string }) => ({ stdout: error.stdout ?? '' }),
  );
  const report = JSON.parse(run.stdout) as { totals: { errors: number }; problems: { ruleId: string; message: string; severity: string }[] };
  return { errors: report.totals.errors, problems: report.problems.filter((problem) => problem.severity === 'error') };
};

const OPERATIONS = ['get', 'post', 'delete', 'put', 'patch'];

describe('the OpenAPI document', () => {
  it.each(ROUTES.filter((route) => route.family !== 'router').map((route) => [route.method, route.path] as const))('documents %s %s', (method, path) => {
    // API Gateway's greedy `{model+}` is the document's `{model}` (and serves `/v1/models/{model}/params` too).
    const documented = path.replace(/\{(\w+)\+\}/, '{$1}');
    expect(document.paths[documented]?.[method.toLowerCase()], `${method} ${documented}`).toBeDefined();
  });

  it('gives every operation a summary and an operationId', () => {
    const missing = Object.entries(document.paths).flatMap(([path, item]) =>
      Object.entries(item).flatMap(([method, operation]) => (OPERATIONS.includes(method) && (!operation.summary || !operation.operationId) ? [`${method} ${path}`] : [])),
    );
    expect(missing).toEqual([]);
  });

  it('passes redocly lint (recommended rules) with no errors', async () => {
    const report = await redoclyLint(SOURCE);
    expect(report.problems).toEqual([]);
    expect(report.errors).toBe(0);
  });
});

describe('the served document and /health', () => {
  let runtime: E2eRuntime;
  let dataDir: string;
  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'openapi-doc-'));
    runtime = await sharedE2eRuntime();
  });
  afterAll(async () => {
    await runtime?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('names the host, port and stage it was served from, and still lints clean', async () => {
    const served = (await (await fetch(`${runtime.url}/openapi.json`)).json()) as { servers: { url: string; description: string }[]; info: { version: string } };
    expect(served.servers).toEqual([{ url: runtime.url, description: 'Stage local' }]);
    expect(served.info.version).toBe(document.info.version);
    const file = join(dataDir, 'served.json');
    writeFileSync(file, JSON.stringify(served));
    expect((await redoclyLint(file)).errors).toBe(0);
  });

  it('reports the API version beside the package version', async () => {
    const health = await (await fetch(`${runtime.url}/health`)).json();
    expectMatchesContract('/health', 'get', 200, health);
    expect(health).toMatchObject({ status: 'ok', version: document.info.version, apiVersion: document.info.version, packageVersion: pkg.version });
  });
});
