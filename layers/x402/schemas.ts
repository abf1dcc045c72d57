/**
 * The x402 v2 wire types, as zod schemas so that everything decoded from a header is validated before use.
 * Addresses come out checksummed, so comparisons elsewhere are plain string equality.
 */
import { getAddress, type Address, type Hex } from 'viem';
// A namespace import lets esbuild drop the parts of zod we do not use (its 40-odd locales among them).
import * as z from 'zod';

export const addressSchema = z
  .string()
  .regex(/^0x[0-9a-fA-F]{40}$/, 'expected a 20-byte hex address')
  .transform((value): Address => getAddress(value));

/** A non-negative integer that fits a uint256, as a decimal string. */
export const atomicAmountSchema = z.string().regex(/^\d{1,78}$/, 'expected a non-negative integer string');

export const hexSchema = z.string().regex(/^0x(?:[0-9a-fA-F]{2})*$/, 'expected 0x-prefixed hex').transform((v) => v as Hex);
const bytes32Schema = z.string().regex(/^0x[0-9a-fA-F]{64}$/, 'expected 32 bytes of hex').transform((v) => v as Hex);

export const networkSchema = z.string().regex(/^eip155:[1-9]\d{0,15}$/, 'expected a CAIP-2 eip155 network').transform((v) => v as Network);
export type Network = `eip155:${number}`;

export const schemeSchema = z.enum(['exact', 'upto']);
export type Scheme = z.infer<typeof schemeSchema>;

export const resourceInfoSchema = z.object({
  url: z.string(),
  description: z.string().optional(),
  mimeType: z.string().optional(),
});
export type ResourceInfo = z.infer<typeof resourceInfoSchema>;

export const paymentRequirementsSchema = z.object({
  scheme: schemeSchema,
  network: networkSchema,
  amount: atomicAmountSchema,
  asset: addressSchema,
  payTo: addressSchema,
  maxTimeoutSeconds: z.number().int().positive(),
  extra: z.record(z.string(), z.unknown()).nullish(),
});
export type PaymentRequirements = z.infer<typeof paymentRequirementsSchema>;

export const paymentRequiredSchema = z.object({
  x402Version: z.literal(2),
  error: z.string().optional(),
  resource: resourceInfoSchema,
  accepts: z.array(paymentRequirementsSchema).min(1),
  extensions: z.record(z.string(), z.unknown()).nullish(),
});
export type PaymentRequired = z.infer<typeof paymentRequiredSchema>;

export const paymentPayloadSchema = z.object({
  x402Version: z.number().int(),
  resource: resourceInfoSchema.optional(),
  accepted: paymentRequirementsSchema,
  payload: z.record(z.string(), z.unknown()),
  extensions: z.record(z.string(), z.unknown()).nullish(),
});
export type PaymentPayload = z.infer<typeof paymentPayloadSchema>;

/** `exact` on EVM: an EIP-3009 `TransferWithAuthorization` and its signature. */
export const exactEvmPayloadSchema = z.object({
  signature: hexSchema,
  authorization: z.object({
    from: addressSchema,
    to: addressSchema,
    value: atomicAmountSchema,
    validAfter: atomicAmountSchema,
    validBefore: atomicAmountSchema,
    nonce: bytes32Schema,
  }),
});
export type ExactEvmPayload = z.infer<typeof exactEvmPayloadSchema>;

/** `upto` on EVM: a Permit2 `PermitWitnessTransferFrom` whose witness binds recipient and facilitator. */
export const uptoEvmPayloadSchema = z.object({
  signature: hexSchema,
  permit2Authorization: z.object({
    from: addressSchema,
    permitted: z.object({ token: addressSchema, amount: atomicAmountSchema }),
    spender: addressSchema,
    nonce: atomicAmountSchema,
    deadline: atomicAmountSchema,
    witness: z.object({ to: addressSchema, facilitator: addressSchema, validAfter: atomicAmountSchema }),
  }),
});
export type UptoEvmPayload = z.infer<typeof uptoEvmPayloadSchema>;

export const settlementResponseSchema = z.object({
  success: z.boolean(),
  errorReason: z.string().optional(),
  errorMessage: z.string().optional(),
  payer: z.string().optional(),
  transaction: z.string(),
  network: z.string(),
  amount: z.string().optional(),
  extensions: z.record(z.string(), z.unknown()).nullish(),
});
export type SettlementResponse = z.infer<typeof settlementResponseSchema>;

export const verifyResponseSchema = z.object({
  isValid: z.boolean(),
  invalidReason: z.string().optional(),
  invalidMessage: z.string().optional(),
  payer: z.string().optional(),
});
export type VerifyResponse = z.infer<typeof verifyResponseSchema>;

export const supportedResponseSchema = z.object({
  kinds: z.array(
    z.object({
      x402Version: z.number(),
      scheme: z.string(),
      network: z.string(),
      extra: z.record(z.string(), z.unknown()).nullish(),
    }),
  ),
  extensions: z.array(z.string()).optional(),
  signers: z.record(z.string(), z.array(z.string())).optional(),
});
export type SupportedResponse = z.infer<typeof supportedResponseSchema>;
