/**
 * A streaming family's answer written into Lambda's response stream (shared/http/streaming.ts): the prelude with
 * the status and headers, then the body, a string whole and a stream as it is produced; a client that hangs up
 * stops the body's producer, and a producer that fails cuts the answer short and fails the invocation.
 */
import { Readable, Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { installLambdaGlobals } from '../../infra/local/lambda-runtime.ts';
import { streamingHandler } from '../../shared/http/streaming.ts';
import type { HttpResult } from '../../shared/http/response.ts';
import type { Context } from 'aws-lambda';

installLambdaGlobals();

/** Lambda's response stream as the handler sees it: what was written to it, the prelude's bytes included. */
const responseStream = () => {
  const writes: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer | string, _encoding, callback) {
      writes.push(typeof chunk === 'string' ? chunk : chunk.toString('latin1'));
      callback();
    },
  });
  return { stream, writes, text: () => writes.join('') };
};

/** Waits until `condition` holds (the stream has moved on), turn by turn. */
const until = async (condition: () => boolean): Promise<void> => {
  while (!condition()) await new Promise((resolve) => setImmediate(resolve));
};

const PRELUDE_END = '\0'.repeat(8);
const invoke = (result: HttpResult, stream: Writable) =>
  (streamingHandler(async () => result) as unknown as (event: unknown, stream: Writable, context: Context) => Promise<void>)({}, stream, {} as Context);

describe('a streaming answer', () => {
  it('writes the prelude (status and headers) and then a string body whole, and ends the stream', async () => {
    const out = responseStream();
    await invoke({ statusCode: 201, headers: { 'content-type': 'application/json' }, body: '{"ok":true}' }, out.stream);
    const [prelude, body] = out.text().split(PRELUDE_END);
    expect(JSON.parse(prelude!)).toEqual({ statusCode: 201, headers: { 'content-type': 'application/json' } });
    expect(body).toBe('{"ok":true}');
    expect(out.stream.writableFinished).toBe(true);
  });

  it('writes a streamed body chunk by chunk as it is produced', async () => {
    const out = responseStream();
    await invoke({ statusCode: 200, headers: { 'content-type': 'text/event-stream' }, body: Readable.from(['data: a\n\n', 'data: b\n\n']) }, out.stream);
    expect(out.writes.slice(-2)).toEqual(['data: a\n\n', 'data: b\n\n']);
    expect(out.stream.writableFinished).toBe(true);
  });

  it('ends the stream after the prelude when a streamed body is empty', async () => {
    const out = responseStream();
    await invoke({ statusCode: 204, body: Readable.from([]) }, out.stream);
    expect(out.text().split(PRELUDE_END)[1]).toBe('');
    expect(out.stream.writableFinished).toBe(true);
  });

  it('writes a web ReadableStream body too', async () => {
    const out = responseStream();
    const body = new ReadableStream<string>({
      start(controller) {
        controller.enqueue('data: a\n\n');
        controller.close();
      },
    });
    await invoke({ statusCode: 200, body: body as unknown as Readable }, out.stream);
    expect(out.text().endsWith('data: a\n\n')).toBe(true);
    expect(out.stream.writableFinished).toBe(true);
  });

  it('destroys the body when the client hangs up, and the invocation ends', async () => {
    const out = responseStream();
    let stopped = false;
    const body = new Readable({
      read() {},
      destroy(error, callback) {
        stopped = true;
        callback(error);
      },
    });
    body.push('data: a\n\n');
    const invocation = invoke({ statusCode: 200, body }, out.stream);
    await until(() => out.writes.includes('data: a\n\n'));
    out.stream.destroy();
    await expect(invocation).rejects.toThrow(/premature close/i);
    expect(stopped).toBe(true);
  });

  it('ends the invocation only once the body has closed after a hang-up: its producer settles what was delivered within it', async () => {
    const out = responseStream();
    let finishDestroy: (() => void) | undefined;
    const body = new Readable({
      read() {},
      // A paid stream's body closes once its producer has settled the payment (an async write): Lambda may freeze
      // the sandbox as soon as the invocation ends, so the invocation must not end before that.
      destroy(error, callback) {
        finishDestroy = () => callback(error);
      },
    });
    body.push('data: a\n\n');
    let ended = false;
    const invocation = invoke({ statusCode: 200, body }, out.stream).finally(() => (ended = true));
    invocation.catch(() => undefined);
    await until(() => out.writes.includes('data: a\n\n'));
    out.stream.destroy();
    await until(() => finishDestroy !== undefined);
    for (let turn = 0; turn < 20; turn += 1) await new Promise((resolve) => setImmediate(resolve));
    expect(ended).toBe(false);
    finishDestroy!();
    await expect(invocation).rejects.toThrow(/premature close/i);
  });

  it('cuts the answer short and fails the invocation when the body fails', async () => {
    const out = responseStream();
    const body = new Readable({ read() {} });
    body.push('data: a\n\n');
    const invocation = invoke({ statusCode: 200, body }, out.stream);
    await until(() => out.writes.includes('data: a\n\n'));
    body.destroy(new Error('provider lost'));
    await expect(invocation).rejects.toThrow('provider lost');
    expect(out.stream.destroyed).toBe(true);
    expect(out.stream.writableFinished).toBe(false);
  });
});
