/**
 * Opaque pagination cursors. A cursor names the last row returned (its position in the catalog's stable
 * order) and a hash of the query and catalog version it belongs to, so walking a query returns every match
 * exactly once, and a cursor from another query, another catalog build, or no cursor at all is refused.
 */
import { createHash } from 'node:crypto';
import { InvalidRequestError } from '../../layers/core/errors.ts';

interface CursorBody {
  readonly s: string;
  readonly a: number;
}

const canonical = (value: unknown): string =>
  value !== null && typeof value === 'object'
    ? `{${Object.entries(value)
        .filter(([, field]) => field !== undefined)
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([key, field]) => `${JSON.stringify(key)}:${canonical(field)}`)
        .join(',')}}`
    : JSON.stringify(value);

/** Identifies a query: the route, its filters (not `cursor` or `limit`) and the catalog version. */
export const cursorScope = (catalogVersion: string, route: string, filters: Readonly<Record<string, unknown>>): string =>
  createHash('sha256').update(canonical({ catalogVersion, route, filters })).digest('base64url').slice(0, 16);

export const encodeCursor = (scope: string, afterOrdinal: number): string =>
  Buffer.from(JSON.stringify({ s: scope, a: afterOrdinal } satisfies CursorBody)).toString('base64url');

const invalid = (): InvalidRequestError =>
  new InvalidRequestError('invalid_cursor', 'The cursor is invalid or belongs to a different query; repeat the query without a cursor.', {
    param: 'cursor',
  });

const parse = (cursor: string): unknown => {
  try {
    return JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
};

/** The ordinal the next page starts after; throws `invalid_cursor` unless the cursor was issued for `scope`. */
export const decodeCursor = (cursor: string, scope: string): number => {
  if (!/^[A-Za-z0-9_-]+$/.test(cursor)) throw invalid();
  const body = parse(cursor) as Partial<CursorBody> | null;
  if (!body || typeof body !== 'object' || body.s !== scope || !Number.isInteger(body.a) || (body.a as number) < 0) throw invalid();
  return body.a as number;
};

export interface Page<T> {
  readonly items: readonly T[];
  readonly total: number;
  readonly nextCursor: string | null;
}

/** One page of `matches` (already in catalog order) after the cursor's position. */
export const paginate = <T extends { readonly ordinal: number }>(
  matches: readonly T[],
  options: { readonly scope: string; readonly cursor?: string | null | undefined; readonly limit: number },
): Page<T> => {
  const after = options.cursor ? decodeCursor(options.cursor, options.scope) : -1;
  const start = after < 0 ? 0 : matches.findIndex((match) => match.ordinal > after);
  const items = start < 0 ? [] : matches.slice(start, start + options.limit);
  const last = items.at(-1);
  const hasMore = last !== undefined && start + items.length < matches.length;
  return { items, total: matches.length, nextCursor: hasMore ? encodeCursor(options.scope, last.ordinal) : null };
};
