import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

/**
 * One read of a Secrets Manager secret's string. A module of its own so credentials.ts imports it (and the SDK's
 * Secrets Manager client code) on the first read, not at a cold start.
 */
export const readSecretString = async (client: SecretsManagerClient, secretId: string): Promise<string | undefined> =>
  (await client.send(new GetSecretValueCommand({ SecretId: secretId }))).SecretString;
