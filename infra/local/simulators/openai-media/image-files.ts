/**
 * Images answered by URL (DALL·E `response_format: url`) live here, served at `GET /v1/sim-files/<id>.png`
 * for an hour, as OpenAI's own links expire.
 */
import { randomUUID } from 'node:crypto';

const TTL_MS = 60 * 60 * 1000;
export const FILES_PATH = '/v1/sim-files/';

export class ImageFiles {
  readonly #files = new Map<string, { readonly data: Buffer; readonly expires: number }>();

  add(origin: string, data: Buffer): string {
    const id = `${randomUUID()}.png`;
    this.#files.set(id, { data, expires: Date.now() + TTL_MS });
    return `${origin}${FILES_PATH}${id}`;
  }

  get(pathname: string): Buffer | undefined {
    const entry = this.#files.get(pathname.slice(FILES_PATH.length));
    return entry && entry.expires > Date.now() ? entry.data : undefined;
  }
}
