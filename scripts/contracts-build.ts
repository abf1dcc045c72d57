/**
 * `npm run contracts:build`: compiles the local-chain Solidity contracts (test USDC, Permit2, the x402 upto proxy,
 * Multicall3) with solc from npm and writes layers/x402/contracts/artifacts.json, which is committed. Run it after
 * editing a `.sol` file or bumping solc or @openzeppelin/contracts; test/unit/x402-contract-artifacts.test.ts fails
 * until you do.
 */
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import {
  ARTIFACTS_PATH,
  type Artifacts,
  COMPILER_SETTINGS,
  CONTRACT_NAMES,
  type ContractArtifact,
  type ContractName,
  packageVersion,
  readSources,
  sourceHash,
} from '../layers/x402/contracts/artifacts.ts';

const require = createRequire(import.meta.url);

// solc asks for every import it cannot find in the input; only OpenZeppelin lives outside the contracts folder.
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

const started = performance.now();
const sources = readSources();
const solc = require('solc') as { compile(input: string, callbacks: { import: typeof findImports }): string; version(): string };
const output = JSON.parse(solc.compile(JSON.stringify({ language: 'Solidity', sources, settings: COMPILER_SETTINGS }), { import: findImports })) as SolcOutput;
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

const artifacts: Artifacts = { sourceHash: sourceHash(sources), solcVersion: solc.version(), openzeppelinVersion: packageVersion('@openzeppelin/contracts'), contracts };
// Indented, so a rebuild's diff shows which ABI entries changed; the bytecode stays one line each.
await writeFile(ARTIFACTS_PATH, `${JSON.stringify(artifacts, null, 2)}\n`);
const seconds = ((performance.now() - started) / 1000).toFixed(1);
console.log(`compiled ${CONTRACT_NAMES.join(', ')} with solc ${artifacts.solcVersion} in ${seconds}s → ${ARTIFACTS_PATH}`);
