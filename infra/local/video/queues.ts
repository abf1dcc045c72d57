/** The video queue and its DLQ on the local SQS stand-in, created through the SQS API with the attributes the CDK construct sets. */
import { CreateQueueCommand, GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { VIDEO_QUEUE, videoDeadLetterQueueName, videoQueueName } from '../../../shared/videos/queue.ts';

export interface LocalVideoQueues {
  readonly queueUrl: string;
  readonly queueArn: string;
  readonly dlqUrl: string;
}

const arnOf = async (sqs: SQSClient, queueUrl: string): Promise<string> =>
  (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn!;

export const createLocalVideoQueues = async (sqs: SQSClient, stage: string, overrides: { visibilityTimeoutSeconds?: number } = {}): Promise<LocalVideoQueues> => {
  const dlq = await sqs.send(new CreateQueueCommand({ QueueName: videoDeadLetterQueueName(stage), Attributes: { MessageRetentionPeriod: String(VIDEO_QUEUE.dlqRetentionSeconds) } }));
  const queue = await sqs.send(
    new CreateQueueCommand({
      QueueName: videoQueueName(stage),
      Attributes: {
        VisibilityTimeout: String(overrides.visibilityTimeoutSeconds ?? VIDEO_QUEUE.visibilityTimeoutSeconds),
        RedrivePolicy: JSON.stringify({ deadLetterTargetArn: await arnOf(sqs, dlq.QueueUrl!), maxReceiveCount: VIDEO_QUEUE.maxReceiveCount }),
      },
    }),
  );
  return { queueUrl: queue.QueueUrl!, queueArn: await arnOf(sqs, queue.QueueUrl!), dlqUrl: dlq.QueueUrl! };
};
