/** Reading media requests as bytes (JSON or multipart) and writing OpenAI-shaped answers. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';

/** Above OpenAI's own 25 MB transcription limit, so that limit is answered by the rule, not by the reader. */
export const MAX_MEDIA_REQUEST_BYTES = 64 * 1024 * 1024;

export const readBytes = async (req: IncomingMessage, limit = MAX_MEDIA_REQUEST_BYTES): Promise<Buffer | undefined> => {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) return undefined;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, size);
};

export interface FormFile {
  readonly name: string;
  readonly filename: string;
  readonly type: string;
  readonly data: Buffer;
}

export interface ParsedForm {
  readonly fields: Record<string, string>;
  readonly files: FormFile[];
  /** Field names in the order sent, files included. */
  readonly names: string[];
}

/** Parses multipart/form-data with the platform's parser; undefined when the body is not valid multipart. */
export const readForm = async (body: Buffer, contentType: string): Promise<ParsedForm | undefined> => {
  if (!/^multipart\/form-data/i.test(contentType)) return undefined;
  let form: FormData;
  try {
    form = await new Response(body, { headers: { 'content-type': contentType } }).formData();
  } catch {
    return undefined;
  }
  const fields: Record<string, string> = {};
  const files: FormFile[] = [];
  const names: string[] = [];
  for (const [name, value] of form) {
    names.push(name);
    if (typeof value === 'string') fields[name] = value;
    else files.push({ name, filename: value.name, type: value.type, data: Buffer.from(await value.arrayBuffer()) });
  }
  return { fields, files, names };
};

export const sendBytes = (res: ServerResponse, contentType: string, data: Buffer, headers: Readonly<Record<string, string>> = {}): void => {
  // Chunked, as OpenAI streams audio: the client must not depend on a content-length.
  res.writeHead(200, { 'content-type': contentType, 'transfer-encoding': 'chunked', ...headers });
  Readable.from(chunksOf(data, 16 * 1024)).pipe(res);
};

function* chunksOf(data: Buffer, size: number): Generator<Buffer> {
  for (let at = 0; at < data.length; at += size) yield data.subarray(at, at + size);
}

export const sendText = (res: ServerResponse, text: string, headers: Readonly<Record<string, string>> = {}): void => {
  res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
};
