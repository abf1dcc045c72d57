/**
 * Sign-In-With-X (CAIP-122, the x402 `sign-in-with-x` extension): how a wallet proves itself for reads, without
 * paying. A payment authorization cannot serve as that proof: once settled it is public on chain, and anyone can
 * rebuild it into a header. A SIWX message is signed for this server's origin, is fresh (issued within five
 * minutes) and its nonce is spent on first use, so neither chain data nor an old request can be replayed.
 *
 * The challenge travels like a payment challenge: a 402 whose `PAYMENT-REQUIRED` carries `accepts: []` and
 * `extensions["sign-in-with-x"]`; the official client (`createSIWxClientExtension` on an `x402Client`, with
 * `wrapFetchWithPayment`) signs it and retries with a `SIGN-IN-WITH-X` header. Verification is the library's.
 */
import { randomBytes } from 'node:crypto';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import {
  SIGN_IN_WITH_X,
  buildSIWxSchema,
  parseSIWxHeader,
  validateSIWxMessage,
  verifySIWxSignature,
  type SIWxExtension,
  type SIWxPayload,
} from '@x402/extensions/sign-in-with-x';
import { getAddress, type Address } from 'viem';
import { AuthenticationError } from '../core/errors.ts';
import { PARTITION_KEY, TTL_ATTRIBUTE } from '../core/tables.ts';
import { X402_VERSION } from './constants.ts';
import type { Network } from './schemas.ts';

export { SIGN_IN_WITH_X };
/** The request header that carries the proof. */
export const SIGN_IN_HEADER = SIGN_IN_WITH_X;

export const SIGN_IN_ERROR = {
  invalid: 'sign_in_invalid',
  replayed: 'sign_in_replayed',
  required: 'sign_in_required',
} as const;

export interface SignInOptions {
  readonly client: DynamoDBDocumentClient;
  /** The nonces table: spent SIWX nonces live beside payment nonces, under their own key prefix. */
  readonly tableName: string;
  /** How long a signed message stays usable (default 300 s, the library's default). */
  readonly maxAgeSeconds?: number;
  /** Epoch milliseconds. */
  readonly now?: () => number;
}

/** What a 402 sign-in challenge says: the PaymentRequired body and header (auth only: nothing to pay). */
export interface SignInChallenge {
  readonly x402Version: number;
  readonly error: string;
  readonly resource: { readonly url: string; readonly description: string; readonly mimeType: string };
  readonly accepts: readonly never[];
  readonly extensions: Record<string, SIWxExtension>;
}

export interface SignIn {
  /** A fresh challenge for `resourceUrl` (whose origin the message is bound to), for wallets on `networks`. */
  challenge(resourceUrl: string, networks: readonly Network[], error: string): SignInChallenge;
  /** The wallet a `SIGN-IN-WITH-X` header proves, for a request to `origin`; spends its nonce. 401 otherwise. */
  prove(header: string, origin: URL): Promise<Address>;
}

const isConditionFailure = (error: unknown): boolean =>
  error instanceof ConditionalCheckFailedException || (error as { name?: string } | null)?.name === 'ConditionalCheckFailedException';

export const createSignIn = (options: SignInOptions): SignIn => {
  const maxAgeSeconds = options.maxAgeSeconds ?? 300;
  const now = options.now ?? Date.now;

  /** One conditional put: the first request that shows a nonce spends it, every later one is refused. */
  const spend = async (payload: SIWxPayload): Promise<void> => {
    const at = Math.floor(now() / 1000);
    try {
      await options.client.send(
        new PutCommand({
          TableName: options.tableName,
          Item: { [PARTITION_KEY]: `siwx/${payload.nonce}`, address: payload.address, spentAt: at, [TTL_ATTRIBUTE]: at + maxAgeSeconds * 2 },
          ConditionExpression: `attribute_not_exists(${PARTITION_KEY}) OR ${TTL_ATTRIBUTE} <= :now`,
          ExpressionAttributeValues: { ':now': at },
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      throw new AuthenticationError(SIGN_IN_ERROR.replayed, 'This SIGN-IN-WITH-X proof was already used; sign a fresh challenge.');
    }
  };

  return {
    challenge(resourceUrl, networks, error) {
      const uri = new URL(resourceUrl);
      const issuedAt = new Date(now());
      return {
        x402Version: X402_VERSION,
        error,
        resource: { url: resourceUrl, description: 'Sign in with the wallet that paid, to read its own records.', mimeType: 'application/json' },
        accepts: [],
        extensions: {
          [SIGN_IN_WITH_X]: {
            info: {
              domain: uri.host,
              uri: resourceUrl,
              statement: 'Sign in to Compose Inference to read the records this wallet paid for.',
              version: '1',
              nonce: randomBytes(16).toString('hex'),
              issuedAt: issuedAt.toISOString(),
              expirationTime: new Date(issuedAt.getTime() + maxAgeSeconds * 1000).toISOString(),
              resources: [resourceUrl],
            },
            supportedChains: networks.map((chainId) => ({ chainId, type: 'eip191' as const })),
            schema: buildSIWxSchema(),
          },
        },
      };
    },

    async prove(header, origin) {
      let payload: SIWxPayload;
      try {
        payload = parseSIWxHeader(header);
      } catch (error) {
        throw new AuthenticationError(SIGN_IN_ERROR.invalid, `The SIGN-IN-WITH-X header is malformed: ${(error as Error).message}`);
      }
      // EIP-4361 nonces are alphanumeric, at least 8 characters; bounded here too, as it becomes a table key.
      if (!/^[A-Za-z0-9]{8,128}$/.test(payload.nonce)) {
        throw new AuthenticationError(SIGN_IN_ERROR.invalid, 'The SIGN-IN-WITH-X nonce must be 8 to 128 letters and digits.');
      }
      if (!payload.chainId.startsWith('eip155:')) {
        throw new AuthenticationError(SIGN_IN_ERROR.invalid, `Only EVM wallets (eip155) sign in here, not ${payload.chainId}.`);
      }
      const valid = await validateSIWxMessage(payload, origin, { maxAge: maxAgeSeconds * 1000 });
      if (!valid.isValid) throw new AuthenticationError(SIGN_IN_ERROR.invalid, `${valid.invalidMessage} (${valid.invalidReason}).`);
      const verified = await verifySIWxSignature(payload);
      if (!verified.isValid) throw new AuthenticationError(SIGN_IN_ERROR.invalid, `${verified.invalidMessage} (${verified.invalidReason}).`);
      // Spent only once the signature holds: strangers cannot fill the table, nor burn someone else's nonce.
      await spend(payload);
      return getAddress(verified.payer);
    },
  };
};
