/**
 * `node scripts/compile-contracts.ts [--force]`: compiles the local-chain Solidity contracts (test USDC, Permit2,
 * the x402 upto proxy) into layers/x402/contracts/generated/. A no-op when nothing changed since the last run.
 */
import { ARTIFACTS_PATH, loadArtifacts } from '../layers/x402/contracts/compile.ts';

const started = performance.now();
const artifacts = await loadArtifacts({ force: process.argv.includes('--force') });
const seconds = ((performance.now() - started) / 1000).toFixed(1);
console.log(
  artifacts.compiled
    ? `compiled ${Object.keys(artifacts.contracts).join(', ')} with solc ${artifacts.solcVersion} in ${seconds}s → ${ARTIFACTS_PATH}`
    : `contracts unchanged (source hash ${artifacts.sourceHash.slice(0, 12)}), nothing to compile`,
);
