/**
 * The SQS side of the worker: one message per job. It submits the job to its provider, records the provider's
 * id (moving the job to in_progress), and starts the job's Step Functions execution, named by the job id.
 *
 * Delivery is at least once, so every step looks at the job first: a cancelled or finished job is left alone,
 * a job already submitted only has its execution (re)started (StartExecution is idempotent by name). A provider
 * error a retry may fix is thrown, so SQS delivers the message again; on the queue's last delivery, or on an
 * error no retry fixes, the job is failed (and refunded) instead, so no job is left open behind a dead message.
 */
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { logger } from '../../layers/core/observability/index.ts';
import { failVideoJob } from '../../shared/videos/failure.ts';
import { VIDEO_STATUS, type VideoJob } from '../../shared/videos/job.ts';
import { parseQueueMessage } from '../../shared/videos/queue.ts';
import type { VideoWorkerDeps } from './deps.ts';
import { isRetryable, jobErrorOf } from './errors.ts';

const log = ({ level: _level, message, ...entry }: Record<string, unknown>): void => logger.info(String(message), entry);

const startExecution = (deps: VideoWorkerDeps, job: VideoJob & { deadlineAt: number }) =>
  deps.workflow.start({ jobId: job.id, waitSeconds: deps.settings.pollSeconds, deadlineAt: job.deadlineAt });

const submitToProvider = async (deps: VideoWorkerDeps, job: VideoJob): Promise<void> => {
  const adapter = deps.adapterFor(job.provider);
  if (!adapter.submitVideo) throw new Error(`${job.provider} has no video adapter`);
  const { operationId } = await adapter.submitVideo(
    { model: job.wireModel, prompt: job.prompt, durationSeconds: job.seconds, resolution: job.resolution, aspectRatio: job.aspectRatio },
    { signal: AbortSignal.timeout(60_000), requestId: job.id },
  );
  const deadlineAt = Date.now() + deps.settings.jobTimeoutSeconds * 1000;
  const started = await deps.jobs.transition(job.id, [VIDEO_STATUS.queued], { status: VIDEO_STATUS.inProgress, providerJobId: operationId, deadlineAt });
  // Cancelled while the provider answered: nothing will poll the provider's job, which runs out on its own.
  if (!started) return log({ level: 'info', jobId: job.id, message: 'job left the queue while it was being submitted' });
  await startExecution(deps, { ...started, deadlineAt });
};

const handleRecord = async (deps: VideoWorkerDeps, record: SQSRecord): Promise<void> => {
  const message = parseQueueMessage(record.body);
  // A message that is not ours can never succeed: it goes to the DLQ after the queue's redrive count.
  if (!message) throw new Error(`malformed video queue message ${record.messageId}`);
  const job = await deps.jobs.read(message.jobId, true);
  if (!job) return log({ level: 'warn', jobId: message.jobId, message: 'no such video job; message dropped' });
  try {
    if (job.status === VIDEO_STATUS.queued && !job.providerJobId) await submitToProvider(deps, job);
    else if (job.status === VIDEO_STATUS.inProgress && job.deadlineAt !== undefined) await startExecution(deps, { ...job, deadlineAt: job.deadlineAt });
  } catch (error) {
    const deliveries = Number(record.attributes.ApproximateReceiveCount ?? '1');
    if (isRetryable(error) && deliveries < deps.settings.maxReceives) throw error;
    log({ level: 'warn', jobId: job.id, deliveries, message: 'video submission failed for good', cause: String(error) });
    await failVideoJob(deps, job.id, jobErrorOf(error));
  }
};

/** An SQS batch: each message on its own, failures reported per message (ReportBatchItemFailures). */
export const handleQueueEvent = async (deps: VideoWorkerDeps, event: SQSEvent): Promise<SQSBatchResponse> => {
  const results = await Promise.allSettled(event.Records.map((record) => handleRecord(deps, record)));
  return {
    batchItemFailures: results.flatMap((result, i) => (result.status === 'rejected' ? [{ itemIdentifier: event.Records[i]!.messageId }] : [])),
  };
};
