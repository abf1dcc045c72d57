/**
 * Where an upload lives in the media bucket: under `uploads/` (its own lifecycle rule), by purpose, by a digest
 * of its owner, then its id. Ownership is in the key itself: a caller can only ever look up keys under its own
 * digest, so another caller's upload id finds nothing (404), with no table and no metadata header to trust.
 */
import { createHash } from 'node:crypto';
import type { UploadPurpose } from './purposes.ts';

export const UPLOADS_PREFIX = 'uploads/';

/** One-way: the key never shows a Compose Key id or a wallet address. */
const ownerDigest = (owner: string): string => createHash('sha256').update(owner).digest('hex').slice(0, 32);

export const uploadKey = (owner: string, purpose: UploadPurpose, id: string): string => `${UPLOADS_PREFIX}${purpose}/${ownerDigest(owner)}/${id}`;
