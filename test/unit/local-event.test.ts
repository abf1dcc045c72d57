/**
 * The API Gateway REST proxy event the local runtime builds from a request: headers as the client sent them
 * (single and multi-value), a binary content type's body in base64, the user agent in the caller's identity.
 */
import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { toProxyEvent } from '../../infra/local/event.ts';

const request = (rawHeaders: string[], method = 'POST'): IncomingMessage =>
  ({ rawHeaders, method, httpVersion: '1.1', socket: { remoteAddress: '127.0.0.1' } }) as unknown as IncomingMessage;

const target = { resource: '/v1/audio/transcriptions', pathParameters: null };

describe('the local proxy event', () => {
  it('passes a binary content type, named in any case, as base64, and names the user agent', () => {
    const body = Buffer.from([0, 1, 2, 255]);
    const event = toProxyEvent(request(['Host', 'local', 'CONTENT-TYPE', 'Audio/Mpeg', 'User-Agent', 'probe/1', 'user-agent', 'second/2']), new URL('http://local/v1/audio/transcriptions'), body, target, 'local');
    expect(event.isBase64Encoded).toBe(true);
    expect(event.body).toBe(body.toString('base64'));
    expect(event.requestContext.identity.userAgent).toBe('probe/1');
    expect(event.headers).toMatchObject({ 'CONTENT-TYPE': 'Audio/Mpeg', 'User-Agent': 'probe/1', 'user-agent': 'second/2' });
    expect(event.multiValueHeaders['User-Agent']).toEqual(['probe/1']);
  });

  it('passes a JSON body as text, and no user agent as null', () => {
    const event = toProxyEvent(request(['content-type', 'application/json']), new URL('http://local/v1/chat/completions?a=1&a=2'), Buffer.from('{"a":"é"}'), target, 'local');
    expect(event.isBase64Encoded).toBe(false);
    expect(event.body).toBe('{"a":"é"}');
    expect(event.requestContext.identity.userAgent).toBeNull();
    expect(event.multiValueQueryStringParameters).toEqual({ a: ['1', '2'] });
  });
});
