import { readFileSync } from 'node:fs';
import { ComposeError, type ErrorBody } from '../../layers/core/errors.ts';
import type { CatalogFile } from '../../shared/catalog/stored-format.ts';

/** The generated catalog file as written by `npm run catalog`. */
export const generatedCatalogFile = (): CatalogFile =>
  JSON.parse(readFileSync(new URL('../../shared/catalog/generated/catalog.json', import.meta.url), 'utf8')) as CatalogFile;

/** The OpenAI-shaped error a call throws, as the client would see it. */
export const failure = (call: () => unknown): { status: number; message: string; type: string; code: string; param?: string | null } => {
  try {
    call();
  } catch (error) {
    if (error instanceof ComposeError) return { status: error.status, ...(error.toBody() as ErrorBody).error };
    throw error;
  }
  throw new Error('expected the call to fail');
};

/** Follows `next_cursor` to the end and returns every row, page by page. */
interface Page<R> {
  readonly data: readonly R[];
  readonly total: number;
  readonly next_cursor: string | null;
}

export const walk = <R>(page: (cursor: string | undefined) => Page<R>): { rows: R[]; pages: Page<R>[] } => {
  const pages: Page<R>[] = [];
  let cursor: string | undefined;
  do {
    const current = page(cursor);
    pages.push(current);
    cursor = current.next_cursor ?? undefined;
  } while (cursor && pages.length < 1000);
  return { rows: pages.flatMap((current) => current.data), pages };
};
