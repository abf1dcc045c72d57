/**
 * The seam between the worker and Step Functions: start one Standard execution per job, named by the job id,
 * and stop it on cancel. Deployed, this is the SFN API; locally the same client reaches a Step Functions
 * stand-in that runs the same definition (infra/local/video), so there is one implementation.
 */
import { StartExecutionCommand, StopExecutionCommand, type SFNClient } from '@aws-sdk/client-sfn';

/** What every execution starts with; the state machine passes it along (see state-machine.ts). */
export interface VideoExecutionInput {
  readonly jobId: string;
  /** Seconds each Wait state pauses between provider polls. */
  readonly waitSeconds: number;
  /** Epoch milliseconds after which a poll reports `timed_out`. */
  readonly deadlineAt: number;
}

export interface Workflow {
  /** Idempotent per job: a second start of the same job is not an error. */
  start(input: VideoExecutionInput): Promise<void>;
  /** Stops the job's execution if it is still running; a missing or finished one is fine. */
  stop(jobId: string, cause: string): Promise<void>;
}

/** `arn:…:stateMachine:<machine>` → `arn:…:execution:<machine>:<name>`, as Step Functions names executions. */
export const executionArnOf = (stateMachineArn: string, name: string): string => `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;

const named = (error: unknown, ...names: string[]): boolean => names.includes((error as { name?: string } | null)?.name ?? '');

export const sfnWorkflow = (sfn: SFNClient, stateMachineArn: string): Workflow => ({
  start: async (input) => {
    try {
      await sfn.send(new StartExecutionCommand({ stateMachineArn, name: input.jobId, input: JSON.stringify(input) }));
    } catch (error) {
      // A redelivered message after a start that succeeded: the execution named by the job already runs (or ran).
      if (!named(error, 'ExecutionAlreadyExists')) throw error;
    }
  },
  stop: async (jobId, cause) => {
    try {
      await sfn.send(new StopExecutionCommand({ executionArn: executionArnOf(stateMachineArn, jobId), cause: cause.slice(0, 32_768) }));
    } catch (error) {
      if (!named(error, 'ExecutionDoesNotExist')) throw error;
    }
  },
});
