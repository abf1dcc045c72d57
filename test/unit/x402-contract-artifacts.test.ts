/**
 * The committed contract build (layers/x402/contracts/artifacts.json) is what the sources in the tree compile to:
 * the chain tests and `npm start` deploy it without running solc, so a `.sol` edit or a compiler bump must come
 * with `npm run contracts:build`. Checked by hash, never by compiling.
 */
import { describe, expect, it } from 'vitest';
import { CONTRACT_NAMES, loadArtifacts, packageVersion, readSources, sourceHash } from '../../layers/x402/contracts/artifacts.ts';

describe('the committed contract artifacts', () => {
  it('were built from the sources, compiler and OpenZeppelin in the tree', async () => {
    const artifacts = await loadArtifacts();
    expect(artifacts.sourceHash, 'a contract source, solc or @openzeppelin/contracts changed: run `npm run contracts:build` and commit artifacts.json').toBe(sourceHash());
    expect(artifacts.solcVersion.startsWith(`${packageVersion('solc')}+`)).toBe(true);
    expect(artifacts.openzeppelinVersion).toBe(packageVersion('@openzeppelin/contracts'));
  });

  it('hold an ABI and both bytecodes for every contract the local chain places', async () => {
    const { contracts } = await loadArtifacts();
    expect(Object.keys(contracts).sort()).toEqual([...CONTRACT_NAMES].sort());
    for (const name of CONTRACT_NAMES) {
      expect(contracts[name].abi.length, name).toBeGreaterThan(0);
      expect(contracts[name].bytecode, name).toMatch(/^0x(?:[0-9a-f]{2})+$/);
      expect(contracts[name].deployedBytecode, name).toMatch(/^0x(?:[0-9a-f]{2})+$/);
    }
  });

  it('change hash when any source changes, so an edit cannot pass unbuilt', () => {
    const sources = readSources();
    const [first] = Object.keys(sources);
    const edited = { ...sources, [first!]: { content: `${sources[first!]!.content}\n// edited` } };
    expect(sourceHash(edited)).not.toBe(sourceHash(sources));
  });
});
