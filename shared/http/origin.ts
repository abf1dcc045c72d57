/**
 * The origin a request came to, from its `Host` and `X-Forwarded-Proto` headers. Behind API Gateway both are set
 * by AWS; on the local runtime (or behind a careless proxy) they are whatever the client sent. What lands in a
 * payment challenge's `resource.url`, a Sign-In-With-X origin or the served OpenAPI `servers` is therefore only
 * ever a well-formed host (name or bracketed IPv6, optional port ≤ 65535) and `http`/`https`: anything else falls
 * back to the default, so a hostile header can neither break the URL (a 500 from `new URL`) nor inject text.
 */
const LABEL = '[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?';
const HOST = new RegExp(`^(?:${LABEL}(?:\\.${LABEL})*|\\[[0-9A-Fa-f:.]{2,45}\\])(?::([0-9]{1,5}))?$`);

/** `value` when it is a usable `host[:port]`, else undefined. */
export const validHost = (value: string | undefined): string | undefined => {
  if (!value || value.length > 260) return undefined;
  const match = HOST.exec(value);
  if (!match || (match[1] !== undefined && Number(match[1]) > 65535)) return undefined;
  return value;
};

/** The first `X-Forwarded-Proto` hop when it is `http` or `https`, else undefined. */
export const validScheme = (value: string | undefined): 'http' | 'https' | undefined => {
  const first = value?.split(',')[0]?.trim().toLowerCase();
  return first === 'http' || first === 'https' ? first : undefined;
};

/** `scheme://host[:port]` of the request, `http://localhost` where its headers are unusable. */
export const requestOrigin = (headers: Readonly<Record<string, string>>): string =>
  `${validScheme(headers['x-forwarded-proto']) ?? 'http'}://${validHost(headers.host) ?? 'localhost'}`;
