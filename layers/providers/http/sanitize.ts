/**
 * Provider messages can reach clients, so strip what must never leave the gateway: URLs (internal endpoints,
 * account paths), bearer tokens, API keys and key-shaped strings, organisation ids. Content-filter texts are
 * replaced whole: they can quote the filtered content and the provider's policy internals.
 */

export const CONTENT_FILTER_MESSAGE = "The request was blocked by the provider's content filter.";

const MAX_LENGTH = 500;

const REDACTIONS: readonly (readonly [RegExp, string])[] = [
  [/\b(?:https?|wss?):\/\/[^\s"'<>)\]]+/gi, '[url]'],
  [/\bBearer\s+[^\s"',;]+/gi, 'Bearer [redacted]'],
  // key=value / "api-key": "value" forms, whatever the value looks like.
  [/\b(api[-_]?key|access[-_]?token|token|secret|password|authorization|key)(["']?\s*[:=]\s*["']?)(?!Bearer\b|\[redacted)[^\s"',;&]+/gi, '$1$2[redacted]'],
  // Vendor key shapes: OpenAI (also masked "sk-abc***xyz"), Hugging Face, Fireworks, Google, AWS, GitHub.
  [/\b(?:sk|pk|rk)-[A-Za-z0-9_*.-]{6,}/g, '[redacted-key]'],
  [/\bhf_[A-Za-z0-9]{8,}/g, '[redacted-key]'],
  [/\bfw_[A-Za-z0-9]{8,}/g, '[redacted-key]'],
  [/\bAIza[0-9A-Za-z_-]{20,}/g, '[redacted-key]'],
  [/\bAKIA[0-9A-Z]{16}\b/g, '[redacted-key]'],
  [/\bgh[pousr]_[A-Za-z0-9]{20,}/g, '[redacted-key]'],
  [/\b(?:org|proj)[-_][A-Za-z0-9]{8,}/g, '[redacted-id]'],
  // Azure keys and Cloudflare account ids are 32 hex characters; long opaque tokens mix letters and digits.
  [/\b[0-9a-f]{32,}\b/gi, '[redacted]'],
  [/\b(?=[A-Za-z0-9_-]*[0-9])(?=[A-Za-z0-9_-]*[A-Za-z])[A-Za-z0-9_-]{40,}\b/g, '[redacted]'],
  // Bare host names of the providers and clouds the gateway talks to.
  [/\b(?:[a-z0-9-]+\.)+(?:com|net|org|ai|io|co|cloud|dev|app)\b(?:\/[^\s"'<>)]*)?/gi, '[host]'],
];

const CONTENT_FILTER_PATTERNS = [
  /content[ _-]?(?:management[ _-]?)?(?:policy|filter)/i,
  /responsible ?ai/i,
  /safety system/i,
  /inappropriate content/i,
  /data[ _-]inspection/i,
  /content moderation|flagged by (?:the )?moderation/i,
];

/** Whether a provider's text (or error code) reads as a content-filter rejection. */
export const looksLikeContentFilter = (text: string): boolean => CONTENT_FILTER_PATTERNS.some((pattern) => pattern.test(text));

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Redacts exact known secrets (the key in use) first, then everything secret-shaped. */
export const redactSecrets = (text: string, knownSecrets: readonly string[] = []): string => {
  let clean = text;
  for (const secret of knownSecrets) {
    if (secret.length >= 4) clean = clean.replace(new RegExp(escapeRegExp(secret), 'g'), '[redacted]');
  }
  for (const [pattern, replacement] of REDACTIONS) clean = clean.replace(pattern, replacement);
  return clean;
};

export interface SanitizeOptions {
  /** The provider flagged this as a content-filter rejection (by code), whatever the text says. */
  readonly contentFilter?: boolean;
  readonly knownSecrets?: readonly string[];
  readonly maxLength?: number;
}

/** A provider's message, safe to show a client. */
export const sanitizeUpstreamMessage = (message: string, options: SanitizeOptions = {}): string => {
  if (options.contentFilter === true || looksLikeContentFilter(message)) return CONTENT_FILTER_MESSAGE;
  const clean = redactSecrets(message, options.knownSecrets).replace(/\s+/g, ' ').trim();
  const maxLength = options.maxLength ?? MAX_LENGTH;
  if (clean === '') return 'The provider rejected the request.';
  return clean.length > maxLength ? `${clean.slice(0, maxLength)}…` : clean;
};
