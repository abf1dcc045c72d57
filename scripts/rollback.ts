/**
 * Moves the `live` alias of every function of a stage back to an earlier published version:
 *
 *   npm run rollback -- <stage> <version|previous> [--dry-run]
 *
 * API Gateway, the queues' event sources and the video state machine all invoke `live` (infra/lib/family-function.ts),
 * so moving the alias is the whole rollback: no CloudFormation change, seconds to apply. `previous` moves each
 * alias to the version just before the one it points at; a number moves every function to that version number
 * (each function publishes its own version numbers, so a number names the same deploy only for functions that
 * changed in every deploy: `--dry-run` shows the plan first). The next `cdk deploy` points the aliases at the new
 * code again. Needs AWS credentials for the stage's account and region (AWS_PROFILE / AWS_REGION).
 */
import { parseArgs } from 'node:util';
import { GetAliasCommand, LambdaClient, UpdateAliasCommand, paginateListFunctions, paginateListVersionsByFunction } from '@aws-sdk/client-lambda';

export const LIVE_ALIAS = 'live';
const STAGE = /^[a-z][a-z0-9-]{0,20}$/;

export type RollbackTarget = { readonly kind: 'previous' } | { readonly kind: 'version'; readonly version: number };

export interface RollbackArgs {
  readonly stage: string;
  readonly target: RollbackTarget;
  readonly dryRun: boolean;
}

export const USAGE = 'usage: npm run rollback -- <stage> <version|previous> [--dry-run]';

export const parseRollbackArgs = (argv: readonly string[]): RollbackArgs => {
  const { positionals, values } = parseArgs({ args: [...argv], allowPositionals: true, options: { 'dry-run': { type: 'boolean' } } });
  const [stage, version, ...rest] = positionals;
  if (!stage || !version || rest.length > 0) throw new Error(USAGE);
  if (!STAGE.test(stage)) throw new Error(`stage "${stage}" is not a stage name (${STAGE})`);
  let target: RollbackTarget;
  if (version === 'previous') target = { kind: 'previous' };
  else if (/^[1-9]\d{0,9}$/.test(version)) target = { kind: 'version', version: Number(version) };
  else throw new Error(`version "${version}" must be a published version number (1, 2, …) or "previous"; $LATEST is never a rollback target`);
  return { stage, target, dryRun: values['dry-run'] === true };
};

/** One function of the stage as found: its published versions and where `live` points now. */
export interface FunctionState {
  readonly functionName: string;
  readonly live: number;
  readonly versions: readonly number[];
}

export interface AliasMove {
  readonly functionName: string;
  readonly from: number;
  readonly to: number;
}

/** The moves a rollback makes, or every reason it cannot; nothing moves unless every function can. */
export const planRollback = (functions: readonly FunctionState[], target: RollbackTarget): { moves: AliasMove[]; problems: string[] } => {
  const moves: AliasMove[] = [];
  const problems: string[] = [];
  if (functions.length === 0) problems.push('no functions found for this stage (check AWS_REGION and the stage name)');
  for (const fn of functions) {
    const earlier = [...fn.versions].filter((v) => v < fn.live).sort((a, b) => b - a);
    const to = target.kind === 'previous' ? earlier[0] : target.version;
    if (to === undefined) problems.push(`${fn.functionName}: no version before ${fn.live}`);
    else if (!fn.versions.includes(to)) problems.push(`${fn.functionName}: version ${to} does not exist (has ${fn.versions.join(', ')})`);
    else if (to !== fn.live) moves.push({ functionName: fn.functionName, from: fn.live, to });
  }
  return { moves, problems };
};

/** The stage's functions are the ones the stack describes as `Compose Inference <stage>: …`. */
export const isStageFunction = (stage: string, description: string | undefined): boolean => (description ?? '').startsWith(`Compose Inference ${stage}: `);

const readState = async (lambda: LambdaClient, stage: string): Promise<FunctionState[]> => {
  const names: string[] = [];
  for await (const page of paginateListFunctions({ client: lambda }, {})) {
    for (const fn of page.Functions ?? []) if (fn.FunctionName && isStageFunction(stage, fn.Description)) names.push(fn.FunctionName);
  }
  return Promise.all(
    names.map(async (functionName) => {
      const versions: number[] = [];
      for await (const page of paginateListVersionsByFunction({ client: lambda }, { FunctionName: functionName })) {
        for (const v of page.Versions ?? []) if (v.Version && v.Version !== '$LATEST') versions.push(Number(v.Version));
      }
      const alias = await lambda.send(new GetAliasCommand({ FunctionName: functionName, Name: LIVE_ALIAS }));
      return { functionName, live: Number(alias.FunctionVersion), versions };
    }),
  );
};

export const runRollback = async (argv: readonly string[], lambda: LambdaClient, out: (line: string) => void = console.log): Promise<void> => {
  const args = parseRollbackArgs(argv);
  const { moves, problems } = planRollback(await readState(lambda, args.stage), args.target);
  if (problems.length > 0) throw new Error(`rollback of ${args.stage} not started:\n  ${problems.join('\n  ')}`);
  for (const move of moves) out(`${move.functionName}: ${LIVE_ALIAS} ${move.from} -> ${move.to}`);
  if (moves.length === 0) out(`${args.stage}: every ${LIVE_ALIAS} alias already points there`);
  if (args.dryRun) return out('dry run: nothing moved');
  for (const move of moves) {
    await lambda.send(new UpdateAliasCommand({ FunctionName: move.functionName, Name: LIVE_ALIAS, FunctionVersion: String(move.to) }));
  }
  out(`${args.stage}: rolled back ${moves.length} function(s); the next cdk deploy moves them forward again`);
};

if (import.meta.main) {
  runRollback(process.argv.slice(2), new LambdaClient({})).catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exitCode = 1;
  });
}
