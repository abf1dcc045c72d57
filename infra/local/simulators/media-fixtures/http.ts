/** node:http helpers the media simulators share: raw bodies (audio and images are binary), JSON, bytes, multipart. */
import type { IncomingMessage, ServerResponse } from 'node:http';

/** Simulators refuse bodies above this with 413, as providers do (the exact limit is each provider's). */
export const MAX_SIM_BODY_BYTES = 30 * 1024 * 1024;

export class BodyTooLarge extends Error {
  override readonly name = 'BodyTooLarge';
}

export const readRawBody = async (req: IncomingMessage, maxBytes = MAX_SIM_BODY_BYTES): Promise<Buffer> => {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) throw new BodyTooLarge(`request body larger than ${maxBytes} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
};

export const sendJson = (res: ServerResponse, status: number, body: unknown, headers: Readonly<Record<string, string>> = {}): void => {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
};

export const sendBytes = (res: ServerResponse, contentType: string, bytes: Uint8Array, headers: Readonly<Record<string, string>> = {}): void => {
  res.writeHead(200, { 'content-type': contentType, 'content-length': bytes.byteLength, ...headers });
  res.end(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
};

/** Parses a multipart/form-data body with the platform's own parser (undici's `Response.formData`). */
export const parseMultipart = async (body: Buffer, contentType: string | undefined): Promise<FormData | undefined> => {
  if (!contentType?.toLowerCase().startsWith('multipart/form-data')) return undefined;
  try {
    return await new Response(new Uint8Array(body), { headers: { 'content-type': contentType } }).formData();
  } catch {
    return undefined;
  }
};

/** A form field as text (undefined when absent or a file). */
export const formText = (form: FormData, name: string): string | undefined => {
  const value = form.get(name);
  return typeof value === 'string' ? value : undefined;
};

/** A form field as a file's bytes (undefined when absent or text). */
export const formFile = async (form: FormData, name: string): Promise<{ readonly data: Uint8Array; readonly type: string; readonly name: string } | undefined> => {
  const value = form.get(name);
  if (value === null || typeof value === 'string') return undefined;
  return { data: new Uint8Array(await value.arrayBuffer()), type: value.type, name: value.name };
};

export const parseJsonBody = (body: Buffer): { readonly ok: true; readonly value: unknown } | { readonly ok: false } => {
  try {
    return { ok: true, value: JSON.parse(body.toString('utf8')) as unknown };
  } catch {
    return { ok: false };
  }
};

export const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
