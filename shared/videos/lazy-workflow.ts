/**
 * The Step Functions workflow built on first use. The videos routes reach it only to stop a cancelled job's
 * execution, so their cold start neither loads the SDK's SFN client nor builds one; the first cancel does.
 */
import type { Workflow } from './workflow.ts';

export const lazyWorkflow = (load: () => Promise<Workflow>): Workflow => {
  let loading: Promise<Workflow> | undefined;
  const workflow = (): Promise<Workflow> =>
    (loading ??= load().catch((error: unknown) => {
      // A failed load (a chunk not read) is tried again by the next call rather than remembered.
      loading = undefined;
      throw error;
    }));
  return {
    start: async (input) => (await workflow()).start(input),
    stop: async (jobId, cause) => (await workflow()).stop(jobId, cause),
  };
};
