import { describe, expect, it } from 'vitest';
import { USAGE, isStageFunction, parseRollbackArgs, planRollback } from '../../scripts/rollback.ts';

describe('npm run rollback -- <stage> <version|previous>', () => {
  it('reads a stage and a version number or `previous`, with an optional dry run', () => {
    expect(parseRollbackArgs(['prod', '7'])).toEqual({ stage: 'prod', target: { kind: 'version', version: 7 }, dryRun: false });
    expect(parseRollbackArgs(['dev', 'previous', '--dry-run'])).toEqual({ stage: 'dev', target: { kind: 'previous' }, dryRun: true });
  });

  it.each([
    [[], USAGE],
    [['prod'], USAGE],
    [['prod', '3', 'extra'], USAGE],
    [['Prod!', '3'], /not a stage name/],
    [['prod', '$LATEST'], /\$LATEST is never a rollback target/],
    [['prod', '0'], /published version number/],
    [['prod', '-1'], /./],
    [['prod', '2.5'], /published version number/],
  ])('refuses %j', (argv, message) => {
    expect(() => parseRollbackArgs(argv)).toThrow(message);
  });

  it("finds the stage's functions by the description the stack gives them", () => {
    expect(isStageFunction('prod', 'Compose Inference prod: inference routes (response streaming)')).toBe(true);
    expect(isStageFunction('prod', 'Compose Inference prod-eu: inference routes')).toBe(false);
    expect(isStageFunction('prod', undefined)).toBe(false);
  });

  const state = [
    { functionName: 'inference', live: 5, versions: [1, 2, 3, 4, 5] },
    { functionName: 'router', live: 3, versions: [1, 3] },
  ];

  it('moves every alias to the version before its current one for `previous`', () => {
    expect(planRollback(state, { kind: 'previous' })).toEqual({
      moves: [
        { functionName: 'inference', from: 5, to: 4 },
        { functionName: 'router', from: 3, to: 1 },
      ],
      problems: [],
    });
  });

  it('moves every alias to a named version, leaving those already there', () => {
    expect(planRollback(state, { kind: 'version', version: 3 })).toEqual({ moves: [{ functionName: 'inference', from: 5, to: 3 }], problems: [] });
  });

  it('moves nothing when any function cannot go there, and says which', () => {
    const plan = planRollback(state, { kind: 'version', version: 2 });
    expect(plan.problems).toEqual(['router: version 2 does not exist (has 1, 3)']);
    expect(planRollback([{ functionName: 'health', live: 1, versions: [1] }], { kind: 'previous' }).problems).toEqual(['health: no version before 1']);
    expect(planRollback([], { kind: 'previous' }).problems[0]).toMatch(/no functions found/);
  });
});
