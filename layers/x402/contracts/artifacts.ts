/**
 * The local-chain contracts in compiled form, committed beside their sources as `artifacts.json`, so neither the
 * tests nor `npm start` run solc (seconds of CPU per cold run). `npm run contracts:build` rebuilds the file with
 * solc; `sourceHash()` names everything that can change the bytecode, and a test compares it with the hash the file
 * was built from, without compiling.
 *
 * Build tooling only: the Lambda layer never imports this (it needs ABIs, which live in `../abi.ts`, not bytecode).
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
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
  /** `sourceHash()` of the tree the file was built from. */
  readonly sourceHash: string;
  /** solc's own long version string (`0.8.37+commit.…`). */
  readonly solcVersion: string;
  readonly openzeppelinVersion: string;
  readonly contracts: Readonly<Record<ContractName, ContractArtifact>>;
}

export const CONTRACT_NAMES = ['TestUSDC', 'Permit2', 'x402UptoPermit2Proxy', 'Multicall3'] as const;
export type ContractName = (typeof CONTRACT_NAMES)[number];

export const CONTRACTS_DIR = dirname(fileURLToPath(import.meta.url));
export const ARTIFACTS_PATH = join(CONTRACTS_DIR, 'artifacts.json');

// Cancun, not solc's newer default, so the same bytecode would also deploy to the public test networks.
export const COMPILER_SETTINGS = {
  optimizer: { enabled: true, runs: 200 },
  evmVersion: 'cancun',
  outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object', 'evm.deployedBytecode.object'] } },
} as const;

const require = createRequire(import.meta.url);

/** The installed version of a package (solc, OpenZeppelin): a bump changes the bytecode as surely as an edit. */
export const packageVersion = (name: string): string => (require(`${name}/package.json`) as { version: string }).version;

/** Every `.sol` file of this folder, by file name, in solc's standard-JSON input shape. */
export const readSources = (): Record<string, { content: string }> =>
  Object.fromEntries(
    readdirSync(CONTRACTS_DIR)
      .filter((f) => f.endsWith('.sol'))
      .sort()
      .map((f) => [f, { content: readFileSync(join(CONTRACTS_DIR, f), 'utf8') }]),
  );

/** A hash of the sources, the compiler and OpenZeppelin versions, the settings and the contracts kept. */
export const sourceHash = (sources: Record<string, { content: string }> = readSources()): string => {
  const hash = createHash('sha256');
  hash.update(JSON.stringify({ solc: packageVersion('solc'), oz: packageVersion('@openzeppelin/contracts'), settings: COMPILER_SETTINGS, contracts: CONTRACT_NAMES }));
  for (const [name, { content }] of Object.entries(sources)) hash.update(`\0${name}\0${content}`);
  return hash.digest('hex');
};

/** The committed build. */
export const loadArtifacts = async (): Promise<Artifacts> => JSON.parse(await readFile(ARTIFACTS_PATH, 'utf8')) as Artifacts;
