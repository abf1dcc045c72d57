/** Compose Keys: verification (no I/O), the DynamoDB ledger, and local minting. */
export { createKeyVerifier, readComposeKey, unconfiguredKeyVerifier, VERIFIED_KEY_CACHE_SECONDS, type KeyVerifier, type KeyVerifierOptions } from './verify.ts';
export { keyVerifierConfigFromEnv, validateJwks, KEY_ENV, DEFAULT_ALGORITHMS, type KeyVerifierConfig } from './config.ts';
export { assertModelAllowed, claimsFromPayload, KEY_PREFIX, DEFAULT_ISSUER, DEFAULT_AUDIENCE, MAX_BUDGET, type ComposeKeyClaims } from './claims.ts';
export { KEY_ERROR_CODES } from './errors.ts';
export { createKeyLedger, type KeyLedger, type KeyLedgerOptions } from './ledger.ts';
export { LEDGER_RETENTION_SECONDS, type Ledger, type OpenReservation } from './ledger-item.ts';
export type { LedgerInit, Reservation } from './ledger-reserve.ts';
export type { Settlement } from './ledger-settle.ts';
export { isLeaseId, LEASE_DEFAULTS, type LeaseOptions, type LeaseStats } from './leases.ts';
export { keyLeasesFromEnv, KEY_LEASES_ENV } from './config.ts';
export { ensureDevSigningKey, rotateSigningKey, retireSigningKey, publicJwks, keysDir, SIGNING_ALG, type SigningKey } from './keyring.ts';
export { mintKey, newKeyId, type MintOptions, type MintedKey } from './mint.ts';
