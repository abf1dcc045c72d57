/**
 * The video worker is one function with two callers: SQS (a batch of submissions) and Step Functions (one
 * task of a job's execution). It tells them apart by the event's shape.
 */
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import type { VideoWorkerDeps } from './deps.ts';
import { handleQueueEvent } from './submit.ts';
import { runVideoTask, type VideoTaskInput } from './tasks.ts';

export type VideoWorkerEvent = SQSEvent | VideoTaskInput;

export const createVideoWorker =
  (deps: VideoWorkerDeps) =>
  async (event: VideoWorkerEvent): Promise<SQSBatchResponse | unknown> =>
    'Records' in event ? handleQueueEvent(deps, event) : runVideoTask(deps, event);
