/**
 * The one shared layer (DESIGN.md: "a shared layer for the provider adapters and x402 verification"). It holds
 * code: the provider adapters, x402 verification and the bottom tier they share (errors, SSE, media formats,
 * logging) as the packages `@compose-inference/providers`, `@compose-inference/x402` and
 * `@compose-inference/core`, and the AWS SDK tree-shaken to what the project imports, all under
 * /opt/nodejs/node_modules, where the Node.js runtime resolves the functions' imports of them
 * (layer-bundle.ts builds it; docs/decisions.md says why and how). This reverses the earlier data-only layer,
 * which left every function bundling its own copy of the adapters and the SDK.
 *
 * Every function imports from it (the bottom tier at least), so every function has it attached. It still
 * carries the generated model catalog at `/opt/compose/catalog/` (COMPOSE_SHARED_ASSETS), and
 * `compose/manifest.json` lists every other file the layer holds (paths as under /opt) with its hash.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { RemovalPolicy } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { Construct } from 'constructs';
import { NODE_RUNTIME } from './family-function.ts';
import { buildLayerCodeCached } from './layer-bundle.ts';
import { LAYER_NODE_MODULES } from './layer-packages.ts';
import { PROJECT_ROOT } from './paths.ts';

/** Where the layer's files appear inside a function, and the env var that says so. */
export const SHARED_ASSETS_DIR = '/opt/compose';
export const SHARED_ASSETS_ENV = 'COMPOSE_SHARED_ASSETS';

/** Generated data copied into the layer: source (repo-relative), destination under `compose/`, its build step. */
const ASSETS = [{ from: 'shared/catalog/generated', to: 'catalog', build: 'scripts/build-catalog.ts' }] as const;

const listFiles = (dir: string, prefix = ''): string[] =>
  fs
    .readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((entry) => (entry.isDirectory() ? listFiles(path.join(dir, entry.name), `${prefix}${entry.name}/`) : [`${prefix}${entry.name}`]));

/** Runs a missing asset's build step with this process's Node (the pinned one under `cdk` and vitest). */
const ensureBuilt = (asset: (typeof ASSETS)[number]): boolean => {
  const source = path.join(PROJECT_ROOT, asset.from);
  if (fs.existsSync(source)) return true;
  const script = path.join(PROJECT_ROOT, asset.build);
  if (!fs.existsSync(script)) return false;
  const run = spawnSync(process.execPath, [script], { cwd: PROJECT_ROOT, stdio: 'inherit' });
  if (run.status !== 0 || !fs.existsSync(source)) throw new Error(`${asset.build} failed; the shared layer needs ${asset.from}`);
  return true;
};

/** Stages the layer directory (what Lambda mounts at /opt); its content (not a timestamp) decides the asset hash. */
const buildStagedLayer = (): string => {
  const files: Record<string, string> = {};
  const staged = fs.mkdtempSync(path.join(os.tmpdir(), 'compose-layer-'));
  buildLayerCodeCached(staged);
  const nodeModules = path.join(staged, LAYER_NODE_MODULES);
  for (const file of listFiles(nodeModules)) {
    files[`nodejs/node_modules/${file}`] = createHash('sha256').update(fs.readFileSync(path.join(nodeModules, file))).digest('hex');
  }
  for (const asset of ASSETS) {
    if (!ensureBuilt(asset)) continue;
    const source = path.join(PROJECT_ROOT, asset.from);
    const target = path.join(staged, 'compose', asset.to);
    fs.cpSync(source, target, { recursive: true });
    for (const file of listFiles(target)) {
      files[`compose/${asset.to}/${file}`] = createHash('sha256').update(fs.readFileSync(path.join(target, file))).digest('hex');
    }
  }
  fs.mkdirSync(path.join(staged, 'compose'), { recursive: true });
  fs.writeFileSync(path.join(staged, 'compose', 'manifest.json'), `${JSON.stringify({ files }, null, 2)}\n`);
  return staged;
};

let staged: string | undefined;
/** With asset staging disabled (SAM-style local invocation) the template points at the staged folder: it stays. */
let keepStaged = false;

/**
 * The staged layer, built once per process (an app with several stages, or a test synthesizing several stacks,
 * shares it) and removed when the process exits.
 */
export const stageLayer = (): string => {
  if (staged === undefined) {
    const dir = buildStagedLayer();
    staged = dir;
    process.once('exit', () => {
      if (!keepStaged) fs.rmSync(dir, { recursive: true, force: true });
    });
  }
  return staged;
};

export interface SharedLayerProps {
  readonly stage: string;
  readonly removalPolicy: RemovalPolicy;
}

export class SharedLayer extends Construct {
  readonly layer: lambda.LayerVersion;

  constructor(scope: Construct, id: string, props: SharedLayerProps) {
    super(scope, id);
    if (this.node.tryGetContext(cxapi.DISABLE_ASSET_STAGING_CONTEXT)) keepStaged = true;
    this.layer = new lambda.LayerVersion(this, 'Layer', {
      description: `Compose Inference ${props.stage}: provider adapters, x402, core and the AWS SDK under /opt/nodejs/node_modules; catalog data under ${SHARED_ASSETS_DIR}`,
      code: lambda.Code.fromAsset(stageLayer()),
      compatibleRuntimes: [NODE_RUNTIME],
      compatibleArchitectures: [lambda.Architecture.ARM_64],
      removalPolicy: props.removalPolicy,
    });
  }
}
