/**
 * The Step Functions workflow built on first use. The videos routes reach it only to stop a cancelled job's
 * execution, so their cold start neither loads the SDK's SFN client nor builds one; the first cancel does.
 */
import { loadOnce } from '../../layers/core/once.ts';
import type { Workflow } from './workflow.ts';

export const lazyWorkflow = (load: () => Promise<Workflow>): Workflow => {
  const workflow = loadOnce(load).get;
  return {
    start: async (input) => (await workflow()).start(input),
    stop: async (jobId, cause) => (await workflow()).stop(jobId, cause),
  };
};
