/**
 * Compiles the local-chain contracts with solc from npm and caches the output by source hash.
 *
 * Build tooling only: the Lambda layer never imports this (it needs ABIs, which live in `../abi.ts`, not bytecode).
 * solcjs takes seconds, so the artifacts are written to `generated/` (gitignored) keyed by a hash of every input
 * that can change the bytecode; an unchanged tree never compiles twice.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir, readFile, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Hex } from 'viem';

export interface ContractArtifact {
  readonly abi: readonly unknown[];
  readonly bytecode: Hex;
  readonly deployedBytecode: Hex;
}

export interface Artifacts {
  readonly sourceHash: string;
  readonly solcVersion: string;
  readonly contracts: Readonly<Record<ContractName, ContractArtifact>>;
}

export const CONTRACT_NAMES = ['TestUSDC', 'Permit2', 'x402UptoPermit2Proxy', 'Multicall3'] as const;
export type ContractName = (typeof CONTRACT_NAMES)[number];

const CONTRACTS_DIR = dirname(fileURLToPath(import.meta.url));
export const ARTIFACTS_PATH = join(CONTRACTS_DIR, 'generated', 'artifacts.json');

const require = createRequire(import.meta.url);

// Cancun, not solc's newer default, so the same bytecode would also deploy to the public test networks.
const SETTINGS = {
  optimizer: { enabled: true, runs: 200 },
  evmVersion: 'cancun',
  outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object', 'evm.deployedBytecode.object'] } },
} as const;

const packageVersion = (name: string): string => (require(`${name}/package.json`) as { version: string }).version;

const readSources = async (): Promise<Record<string, { content: string }>> => {
  const files = (await readdir(CONTRACTS_DIR)).filter((f) => f.endsWith('.sol')).sort();
  const entries = await Promise.all(files.map(async (f) => [f, { content: await readFile(join(CONTRACTS_DIR, f), 'utf8') }] as const));
  return Object.fromEntries(entries);
};

const hashInputs = (sources: Record<string, { content: string }>): string => {
  const hash = createHash('sha256');
  hash.update(JSON.stringify({ solc: packageVersion('solc'), oz: packageVersion('@openzeppelin/contracts'), SETTINGS, CONTRACT_NAMES }));
  for (const [name, { content }] of Object.entries(sources)) hash.update(`\0${name}\0${content}`);
  return hash.digest('hex');
};

// solc asks for every import it cannot find in the input; only OpenZeppelin lives outside this folder.
const findImports = (path: string): { contents: string } | { error: string } => {
  try {
    return { contents: readFileSync(require.resolve(path), 'utf8') };
  } catch {
    return { error: `import not found: ${path}` };
  }
};

interface SolcOutput {
  errors?: { severity: string; formattedMessage: string }[];
  contracts: Record<string, Record<string, { abi: unknown[]; evm: { bytecode: { object: string }; deployedBytecode: { object: string } } }>>;
}

const compile = async (sources: Record<string, { content: string }>, sourceHash: string): Promise<Artifacts> => {
  const solc = require('solc') as { compile(input: string, callbacks: { import: typeof findImports }): string; version(): string };
  const output = JSON.parse(solc.compile(JSON.stringify({ language: 'Solidity', sources, settings: SETTINGS }), { import: findImports })) as SolcOutput;
  const errors = (output.errors ?? []).filter((e) => e.severity === 'error');
  if (errors.length > 0) throw new Error(`solc failed:\n${errors.map((e) => e.formattedMessage).join('\n')}`);
  const contracts = Object.fromEntries(
    CONTRACT_NAMES.map((name) => {
      const compiled = output.contracts[`${name}.sol`]?.[name];
      if (!compiled) throw new Error(`solc produced no ${name}`);
      const artifact: ContractArtifact = {
        abi: compiled.abi,
        bytecode: `0x${compiled.evm.bytecode.object}`,
        deployedBytecode: `0x${compiled.evm.deployedBytecode.object}`,
      };
      return [name, artifact];
    }),
  ) as Record<ContractName, ContractArtifact>;
  return { sourceHash, solcVersion: solc.version(), contracts };
};

const readCached = async (): Promise<Artifacts | undefined> => {
  try {
    return JSON.parse(await readFile(ARTIFACTS_PATH, 'utf8')) as Artifacts;
  } catch {
    return undefined;
  }
};

const isComplete = (cached: Artifacts | undefined, sourceHash: string): cached is Artifacts =>
  // Another checkout of this code (a parallel test run) may share the cache: trust it only if it is complete.
  cached?.sourceHash === sourceHash && CONTRACT_NAMES.every((name) => cached.contracts[name]);

const LOCK_PATH = `${ARTIFACTS_PATH}.lock`;
const STALE_LOCK_MS = 120_000;

/**
 * Parallel test workers on a cold cache would each spend seconds of CPU on the same compile: the first takes a
 * directory lock, the others wait for its output. A lock left by a killed process goes stale after two minutes.
 */
const ifMissing = (error: NodeJS.ErrnoException): undefined => {
  if (error.code === 'ENOENT') return undefined;
  throw error;
};

const compileOnce = async (sources: Record<string, { content: string }>, sourceHash: string, force: boolean): Promise<Artifacts & { compiled: boolean }> => {
  await mkdir(dirname(ARTIFACTS_PATH), { recursive: true });
  for (;;) {
    try {
      await mkdir(LOCK_PATH);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      // The lock may be gone already (its holder finished): then it is not stale, and the loop takes it.
      const lockedAt = (await stat(LOCK_PATH).catch(ifMissing))?.mtimeMs ?? Date.now();
      if (Date.now() - lockedAt > STALE_LOCK_MS) await rm(LOCK_PATH, { recursive: true, force: true });
      else await sleep(250);
      const cached = force ? undefined : await readCached();
      if (isComplete(cached, sourceHash)) return { ...cached, compiled: false };
    }
  }
  try {
    const artifacts = await compile(sources, sourceHash);
    // Write-then-rename: a reader never sees a half-written file.
    const tmp = `${ARTIFACTS_PATH}.${process.pid}.${Date.now()}.tmp`;
    await writeFile(tmp, JSON.stringify(artifacts));
    await rename(tmp, ARTIFACTS_PATH);
    return { ...artifacts, compiled: true };
  } finally {
    await rm(LOCK_PATH, { recursive: true, force: true });
  }
};

/** Returns the compiled contracts, compiling only when a source, the compiler or OpenZeppelin changed. */
export const loadArtifacts = async (options: { force?: boolean } = {}): Promise<Artifacts & { compiled: boolean }> => {
  const sources = await readSources();
  const sourceHash = hashInputs(sources);
  const cached = options.force ? undefined : await readCached();
  if (isComplete(cached, sourceHash)) return { ...cached, compiled: false };
  return compileOnce(sources, sourceHash, options.force ?? false);
};
