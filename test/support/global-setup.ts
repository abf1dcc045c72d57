/**
 * Runs once, in vitest's main process, before any test file: what every worker would otherwise each do (or wait
 * on) at its first local chain. The chain's contracts are compiled once into the cache here, so parallel workers
 * load the artifacts instead of queueing on the compile lock.
 */
import { loadArtifacts } from '../../layers/x402/contracts/compile.ts';

export default async function setup(): Promise<void> {
  await loadArtifacts();
}
