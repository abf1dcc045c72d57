/** Stage one of every provider stream: bytes → SSE events, whatever the network does to the bytes. */
import { describe, expect, it } from 'vitest';
import { decodeSse } from '../../layers/core/sse/decode.ts';

const bodyOf = (...parts: Array<string | Uint8Array>): ReadableStream<Uint8Array> =>
  ReadableStream.from(parts.map((p) => (typeof p === 'string' ? new TextEncoder().encode(p) : p)));

const events = async (body: ReadableStream<Uint8Array>) => {
  const out: Array<{ event: string | undefined; data: string }> = [];
  for await (const e of decodeSse(body)) out.push({ event: e.event, data: e.data });
  return out;
};

describe('decodeSse', () => {
  it('reads events whose delimiters and fields are split across network chunks', async () => {
    expect(await events(bodyOf('data: {"a"', ':1}\n', '\nevent: done\nda', 'ta: [DONE]\n\n'))).toEqual([
      { event: undefined, data: '{"a":1}' },
      { event: 'done', data: '[DONE]' },
    ]);
  });

  it('keeps a UTF-8 character whose bytes arrive in two chunks', async () => {
    const bytes = new TextEncoder().encode('data: héllo 🙂\n\n');
    const cut = bytes.indexOf(0xf0) + 2; // inside the emoji's four bytes
    expect(await events(bodyOf(bytes.slice(0, 8), bytes.slice(8, cut), bytes.slice(cut)))).toEqual([{ event: undefined, data: 'héllo 🙂' }]);
  });

  it('handles CRLF line ends, comments and multi-line data', async () => {
    expect(await events(bodyOf(': keep-alive\r\n\r\ndata: one\r\ndata: two\r\n\r\n'))).toEqual([{ event: undefined, data: 'one\ntwo' }]);
  });

  it('drops an event the stream ended before its blank line, as an EventSource does', async () => {
    expect(await events(bodyOf('data: whole\n\n', 'data: cut off'))).toEqual([{ event: undefined, data: 'whole' }]);
  });
});
