/**
 * Attack: hostile `Host` and `X-Forwarded-Proto` headers. The gateway builds URLs from them (a payment challenge's
 * `resource.url`, the Sign-In-With-X origin, the served OpenAPI `servers`). On the local runtime, or behind a
 * proxy that passes them through, they are whatever the client sent: a header that is not a host (spaces, an
 * out-of-range port, an unclosed IPv6 bracket) used to be a 500, and any text (`javascript`, `evil/<script>`)
 * was reflected into the document. Only a well-formed host and http/https are used; anything else is the default.
 */
import { request } from 'node:http';
import { decodePaymentRequiredHeader } from '@x402/core/http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHAT, sharedPaymentsRuntime, type PaymentsRuntime } from '../support/payments.ts';

let gw: PaymentsRuntime;
beforeAll(async () => {
  gw = await sharedPaymentsRuntime();
});
afterAll(() => gw?.close());

/** `fetch` cannot set `Host`: a raw request can, as any attacker's client does. */
const raw = (path: string, headers: Record<string, string>, body?: string): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; text: string }> =>
  new Promise((resolve, reject) => {
    const url = new URL(path, gw.url);
    const req = request({ host: url.hostname, port: url.port, path: url.pathname, method: body ? 'POST' : 'GET', headers: { ...headers, ...(body ? { 'content-type': 'application/json' } : {}) } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, text }));
    });
    req.on('error', reject);
    req.end(body);
  });

const HOSTILE: readonly (readonly [string, string])[] = [
  ['host', 'a b'],
  ['host', '[::1'],
  ['host', '127.0.0.1:99999999'],
  ['host', 'evil.example/<script>'],
  ['x-forwarded-proto', 'a b'],
  ['x-forwarded-proto', 'javascript'],
  ['x-forwarded-proto', 'ht%tp'],
];

describe('hostile Host and X-Forwarded-Proto headers', () => {
  it.each(HOSTILE)('%s: %s never makes a read a 500, and its sign-in challenge names a well-formed origin', async (name, value) => {
    const response = await raw('/v1/responses/resp_missing', { [name]: value });
    expect(response.status, response.text).toBe(402);
    const challenge = decodePaymentRequiredHeader(response.headers['payment-required'] as string);
    expect(challenge.resource.url).toMatch(/^https?:\/\/[A-Za-z0-9.:[\]-]+\/v1\/responses\/resp_missing$/);
    expect(challenge.resource.url).not.toContain(value);
  });

  it.each(HOSTILE)('%s: %s is not reflected into a paid call’s challenge', async (name, value) => {
    const response = await raw(CHAT, { [name]: value }, JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }], max_tokens: 8 }));
    expect(response.status, response.text).toBe(402);
    const challenge = decodePaymentRequiredHeader(response.headers['payment-required'] as string);
    expect(challenge.resource.url).toMatch(/^https?:\/\/[A-Za-z0-9.:[\]-]+\/v1\/chat\/completions$/);
  });

  it.each(HOSTILE)('%s: %s is not reflected into the served OpenAPI servers', async (name, value) => {
    const response = await raw('/openapi.json', { [name]: value });
    expect(response.status).toBe(200);
    const { servers } = JSON.parse(response.text) as { servers: { url: string }[] };
    expect(servers).toHaveLength(1);
    expect(servers[0]!.url).toMatch(/^https?:\/\/[A-Za-z0-9.:[\]-]+$/);
    expect(servers[0]!.url).not.toContain(value);
  });

  it('a well-formed host and scheme are still reflected: the document names where it was served from', async () => {
    const response = await raw('/openapi.json', { host: 'api.example.com:8443', 'x-forwarded-proto': 'https' });
    expect((JSON.parse(response.text) as { servers: { url: string }[] }).servers[0]!.url).toBe('https://api.example.com:8443');
  });
});
