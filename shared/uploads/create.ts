/**
 * POST /v1/uploads: a presigned S3 PUT for a file too large for a request body. Creating one costs nothing,
 * but the caller must be proven (a Compose Key, or a wallet signed in with Sign-In-With-X, as for every read; a
 * payment authorization is no proof, since a settled one is public): the upload is keyed under that caller.
 */
import type { Billing } from '../billing/types.ts';
import { AuthenticationError } from '../../layers/core/errors.ts';
import type { HttpRequest } from '../http/request.ts';
import { readMediaJson } from '../http/json-body.ts';
import { json, type HttpResult } from '../http/response.ts';
import { newUploadId } from './ids.ts';
import { uploadKey } from './keys.ts';
import { parseUploadRequest } from './request.ts';
import type { UploadStore } from './store.ts';

export interface UploadObject {
  readonly id: string;
  readonly object: 'upload';
  readonly filename: string;
  readonly content_type: string;
  readonly bytes: number;
  readonly purpose: string;
  readonly created_at: number;
  /** When `upload_url` stops working (epoch seconds); the stored file is removed a day after it is uploaded. */
  readonly expires_at: number;
  readonly upload_url: string;
  readonly method: 'PUT';
  readonly headers: Readonly<Record<string, string>>;
}

export const createUpload = async (http: HttpRequest, uploads: UploadStore, billing: Billing, maxUploadBytes?: number): Promise<HttpResult> => {
  const request = parseUploadRequest(readMediaJson(http), maxUploadBytes);
  const caller = await billing.owner(http, 'native');
  if (caller.id === 'anonymous') {
    throw new AuthenticationError('caller_required', 'Uploads belong to a caller: send a Compose Key (Authorization: Bearer …) or sign in with your wallet (SIGN-IN-WITH-X).');
  }
  // Free, but still a creation: a revoked key mints no upload URL (a wallet's sign-in has nothing to revoke).
  if (http.headers.authorization) await (await billing.identify(http, 'native')).assertMayCreate?.();
  const id = newUploadId();
  const put = await uploads.presignPut(uploadKey(caller.id, request.purpose, id), request.bytes, request.contentType);
  const upload: UploadObject = {
    id,
    object: 'upload',
    filename: request.filename,
    content_type: request.contentType,
    bytes: request.bytes,
    purpose: request.purpose,
    created_at: Math.floor(Date.now() / 1000),
    expires_at: put.expiresAt,
    upload_url: put.url,
    method: 'PUT',
    headers: put.headers,
  };
  return json(201, upload);
};
