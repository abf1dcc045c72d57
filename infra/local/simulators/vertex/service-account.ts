/**
 * Throwaway service-account keys for tests and the local runtime: a fresh RSA key pair (node:crypto) in
 * the JSON layout Google issues. The private key never leaves the process that made it.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';

export interface TestServiceAccountOptions {
  readonly projectId?: string;
  readonly clientEmail?: string;
  readonly tokenUri?: string;
}

export interface TestServiceAccount {
  /** The key file's text, as `ProviderTransport.apiKey()` returns it for Vertex. */
  readonly json: string;
  readonly projectId: string;
  readonly clientEmail: string;
  readonly privateKeyId: string;
  /** SPKI PEM, for the simulator's signature check. */
  readonly publicKeyPem: string;
}

export const createTestServiceAccount = (options: TestServiceAccountOptions = {}): TestServiceAccount => {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  const projectId = options.projectId ?? 'sim-project';
  const clientEmail = options.clientEmail ?? `sim-runner@${projectId}.iam.gserviceaccount.com`;
  const privateKeyId = randomBytes(20).toString('hex');
  const json = JSON.stringify(
    {
      type: 'service_account',
      project_id: projectId,
      private_key_id: privateKeyId,
      private_key: privateKey,
      client_email: clientEmail,
      client_id: String(100_000_000_000_000_000_000n + BigInt(`0x${randomBytes(8).toString('hex')}`)),
      auth_uri: 'https://accounts.google.com/o/oauth2/auth',
      token_uri: options.tokenUri ?? 'https://oauth2.googleapis.com/token',
      auth_provider_x509_cert_url: 'https://www.googleapis.com/oauth2/v1/certs',
      client_x509_cert_url: `https://www.googleapis.com/robot/v1/metadata/x509/${encodeURIComponent(clientEmail)}`,
      universe_domain: 'googleapis.com',
    },
    null,
    2,
  );
  return { json, projectId, clientEmail, privateKeyId, publicKeyPem: publicKey };
};
