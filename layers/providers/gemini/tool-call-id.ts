/**
 * Gemini function calls carry no id the client can echo, but thinking models attach a `thoughtSignature`
 * that must come back with the call on the next turn (Gemini 3 rejects the turn without it). The canonical
 * tool call only round-trips its id, so the signature rides inside it, base64url-encoded so the id stays in
 * the `[A-Za-z0-9_-]` alphabet clients expect.
 */
import { randomBytes } from 'node:crypto';

const SIGNATURE_SEPARATOR = '__ts__';

/**
 * Google documents this value for function calls whose signature is unknown (history produced by another
 * model or provider, or by the client); it tells the validator to skip the check.
 */
export const UNKNOWN_THOUGHT_SIGNATURE = 'skip_thought_signature_validator';

const toBase64Url = (base64: string): string => base64.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');

const fromBase64Url = (base64url: string): string => {
  const base64 = base64url.replace(/-/g, '+').replace(/_/g, '/');
  return base64 + '='.repeat((4 - (base64.length % 4)) % 4);
};

export const newToolCallId = (thoughtSignature?: string): string => {
  const id = `call_${randomBytes(12).toString('hex')}`;
  return thoughtSignature ? `${id}${SIGNATURE_SEPARATOR}${toBase64Url(thoughtSignature)}` : id;
};

export const thoughtSignatureOf = (toolCallId: string): string | undefined => {
  const at = toolCallId.indexOf(SIGNATURE_SEPARATOR);
  return at < 0 ? undefined : fromBase64Url(toolCallId.slice(at + SIGNATURE_SEPARATOR.length));
};
