/** Small node:http helpers the simulators share. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { GoogleError } from './google-error.ts';

const MAX_BODY_BYTES = 20 * 1024 * 1024;

export const readBody = async (req: IncomingMessage): Promise<string> => {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new Error('request body too large');
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
};

export const sendJson = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void => {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
};

export const sendGoogleError = (res: ServerResponse, error: GoogleError): void => sendJson(res, error.httpStatus, error.body);

/** Resolves after `ms`, or early when the client goes away (so a slow fault never outlives its request). */
export const delay = (ms: number, res: ServerResponse): Promise<void> =>
  new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    res.once('close', done);
    function done(): void {
      clearTimeout(timer);
      res.off('close', done);
      resolve();
    }
  });
