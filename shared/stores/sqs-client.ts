import { SQSClient } from '@aws-sdk/client-sqs';
import { traced } from '../../layers/core/observability/index.ts';

/**
 * Requests go to the configured (or regional) endpoint, not the host inside the queue URL: the same in AWS, and
 * what lets the local SQS stand-in's `sqs.<region>.localhost` URLs work on any machine. A module of its own so
 * that functions which queue only for x402 callers load the SQS client on first use, not at a cold start.
 */
export const createSqsClient = (): SQSClient => traced(new SQSClient({ useQueueUrlAsEndpoint: false }));
