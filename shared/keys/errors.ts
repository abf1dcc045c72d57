/** The Compose Key failures, each with its own stable code. Messages never carry a token or key material. */
import { AuthenticationError, PaymentRequiredError, PermissionError } from '../../layers/core/errors.ts';
import { formatUsd } from '../pricing/decimal.ts';

export const KEY_ERROR_CODES = {
  missing: 'missing_api_key',
  invalid: 'invalid_api_key',
  expired: 'expired_api_key',
  revoked: 'revoked_api_key',
  modelNotAllowed: 'model_not_allowed',
  insufficientBudget: 'insufficient_budget',
} as const;

export const missingKey = (): AuthenticationError =>
  new AuthenticationError(KEY_ERROR_CODES.missing, 'No API key provided. Send `Authorization: Bearer compose-<key>`.');

export const invalidKey = (why: string, cause?: unknown): AuthenticationError =>
  new AuthenticationError(KEY_ERROR_CODES.invalid, `Invalid Compose Key: ${why}.`, cause === undefined ? {} : { cause });

export const expiredKey = (): AuthenticationError => new AuthenticationError(KEY_ERROR_CODES.expired, 'This Compose Key has expired.');

export const revokedKey = (): AuthenticationError => new AuthenticationError(KEY_ERROR_CODES.revoked, 'This Compose Key has been revoked.');

export const modelNotAllowed = (model: string): PermissionError =>
  new PermissionError(KEY_ERROR_CODES.modelNotAllowed, `This Compose Key is not allowed to use the model '${model}'.`, { param: 'model' });

export const insufficientBudget = (available: bigint, required: bigint): PaymentRequiredError =>
  new PaymentRequiredError(
    KEY_ERROR_CODES.insufficientBudget,
    `This Compose Key's remaining budget (${formatUsd(available)} USDC) does not cover this request's worst-case price ` +
      `(${formatUsd(required)} USDC). Lower max_tokens / max_output_tokens, or use a key with more budget.`,
    { details: { available_wei: available.toString(), required_wei: required.toString() } },
  );
