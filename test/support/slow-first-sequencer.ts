/**
 * Vitest's order, with the files known to take longest started first within their project. Vitest orders a
 * project's files by their last durations when it has them; a fresh clone (CI) has none, so it starts the largest
 * files first, and the longest ones (a CDK synth through the CLI, runtimes waiting on the clock) could start last
 * and run alone at the end on an idle core. Projects keep vitest's order.
 */
import { BaseSequencer, type TestSpecification } from 'vitest/node';

export const SLOW_FIRST = [
  'test/unit/infra-cli.test.ts',
  'test/unit/infra.test.ts',
  'test/e2e/video-e2e.test.ts',
  'test/e2e/local-runtime-standins-process.test.ts',
  'test/e2e/e2e-resilience.test.ts',
  'test/e2e/e2e-responses-video.test.ts',
  'test/e2e/keys-cli.test.ts',
  'test/e2e/clients-openai-sdk.test.ts',
];

const rank = (spec: TestSpecification): number => {
  const index = SLOW_FIRST.findIndex((file) => spec.moduleId.endsWith(`/${file}`));
  return index === -1 ? SLOW_FIRST.length : index;
};

export class SlowFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const projects = [...new Set(sorted.map((spec) => spec.project.name))];
    // Array.prototype.sort is stable: within a rank, vitest's own order stays.
    return projects.flatMap((name) => sorted.filter((spec) => spec.project.name === name).sort((a, b) => rank(a) - rank(b)));
  }
}
