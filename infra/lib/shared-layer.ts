/**
 * The one shared layer (DESIGN.md). It carries data, not code: esbuild already bundles the provider adapters
 * and x402 code from `layers/` into each function, tree-shaken to what that function imports, so shipping
 * them again as a layer would only add a second copy that could disagree with the bundle. What every
 * function does share is the generated model catalog; in the layer it is one copy at
 * `/opt/compose/catalog/`, outside the bundles that have a 1 MB budget. Functions find it through
 * COMPOSE_SHARED_ASSETS; `manifest.json` lists what the layer holds, so the zip is never empty.
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

/** Stages the layer directory; its content (not a timestamp) decides the asset hash. */
const stageLayer = (): string => {
  const files: Record<string, string> = {};
  const staged = fs.mkdtempSync(path.join(os.tmpdir(), 'compose-layer-'));
  for (const asset of ASSETS) {
    if (!ensureBuilt(asset)) continue;
    const source = path.join(PROJECT_ROOT, asset.from);
    const target = path.join(staged, 'compose', asset.to);
    fs.cpSync(source, target, { recursive: true });
    for (const file of listFiles(target)) {
      files[`${asset.to}/${file}`] = createHash('sha256').update(fs.readFileSync(path.join(target, file))).digest('hex');
    }
  }
  fs.mkdirSync(path.join(staged, 'compose'), { recursive: true });
  fs.writeFileSync(path.join(staged, 'compose', 'manifest.json'), `${JSON.stringify({ files }, null, 2)}\n`);
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
    const staged = stageLayer();
    this.layer = new lambda.LayerVersion(this, 'Layer', {
      description: `Compose Inference ${props.stage}: generated catalog data under ${SHARED_ASSETS_DIR}`,
      code: lambda.Code.fromAsset(staged),
      compatibleRuntimes: [NODE_RUNTIME],
      compatibleArchitectures: [lambda.Architecture.ARM_64],
      removalPolicy: props.removalPolicy,
    });
    // The asset was copied into the cloud assembly while the layer was built, unless staging is disabled
    // (SAM-style local invocation), in which case the template points at this directory and it must stay.
    if (!this.node.tryGetContext(cxapi.DISABLE_ASSET_STAGING_CONTEXT)) fs.rmSync(staged, { recursive: true, force: true });
  }
}
