import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { traced } from '../../layers/core/observability/index.ts';

/**
 * The Secrets Manager client, in a module of its own so a function imports it on the first secret read (the first
 * provider call, or the first x402 facilitator call) rather than loading and building it at a cold start.
 */
export const createSecretsClient = (): SecretsManagerClient => traced(new SecretsManagerClient({}));

