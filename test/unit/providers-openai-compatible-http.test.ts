/**
 * The provider HTTP layer: the retry policy as pure functions, and fetchWithRetry against scripted loopback
 * servers — retries only before the first byte, Retry-After honoured, per-attempt timeouts, caller aborts.
 * Over loopback TCP on purpose, unlike the adapter tests (support/in-memory-http.ts): this is the HTTP layer
 * itself, on the real connections and hang-ups it meets in production.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fetchWithRetry, type RetryInfo } from '../../layers/providers/http/fetch-with-retry.ts';
import { backoffDelay, isRetryableStatus, parseRetryAfter, shouldRetryResponse } from '../../layers/providers/http/retry-policy.ts';
import { UpstreamError } from '../../layers/core/errors.ts';
import { startScriptedServer, type ScriptedServer } from '../support/providers-openai-compatible.ts';

const FAST = { baseDelayMs: 1, maxDelayMs: 5 };

describe('retry policy', () => {
  it('retries 408, 429 and 5xx, and nothing else', () => {
    expect([408, 429, 500, 502, 503, 504].every(isRetryableStatus)).toBe(true);
    expect([400, 401, 403, 404, 409, 422].some(isRetryableStatus)).toBe(false);
  });

  it('lets the provider overrule the status with x-should-retry', () => {
    expect(shouldRetryResponse(500, new Headers({ 'x-should-retry': 'false' }))).toBe(false);
    expect(shouldRetryResponse(409, new Headers({ 'x-should-retry': 'true' }))).toBe(true);
  });

  it('reads Retry-After as seconds, as an HTTP date, and prefers retry-after-ms', () => {
    expect(parseRetryAfter(new Headers({ 'retry-after': '2' }))).toBe(2000);
    expect(parseRetryAfter(new Headers({ 'retry-after': '0.5' }))).toBe(500);
    const now = Date.parse('2025-01-01T00:00:00Z');
    expect(parseRetryAfter(new Headers({ 'retry-after': 'Wed, 01 Jan 2025 00:00:03 GMT' }), now)).toBe(3000);
    expect(parseRetryAfter(new Headers({ 'retry-after': 'Tue, 31 Dec 2024 23:59:00 GMT' }), now)).toBe(0);
    expect(parseRetryAfter(new Headers({ 'retry-after': '2', 'retry-after-ms': '150' }))).toBe(150);
    expect(parseRetryAfter(new Headers({ 'retry-after': 'soon' }))).toBeUndefined();
    expect(parseRetryAfter(new Headers({ 'retry-after': '-1' }))).toBeUndefined();
    expect(parseRetryAfter(new Headers())).toBeUndefined();
  });

  it('backs off exponentially up to a cap, with at most 25% jitter taken off', () => {
    const settings = { baseDelayMs: 500, maxDelayMs: 8000 };
    expect(backoffDelay(0, settings, () => 0)).toBe(500);
    expect(backoffDelay(1, settings, () => 0)).toBe(1000);
    expect(backoffDelay(3, settings, () => 0)).toBe(4000);
    expect(backoffDelay(10, settings, () => 0)).toBe(8000);
    expect(backoffDelay(1, settings, () => 1)).toBe(750);
  });
});

describe('fetchWithRetry', () => {
  let server: ScriptedServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  const call = (options: Partial<Parameters<typeof fetchWithRetry>[2]> = {}) =>
    fetchWithRetry(`${server?.url}/x`, { method: 'POST', body: '{}' }, { signal: new AbortController().signal, backoff: FAST, ...options });

  it('waits as long as a 429 asks, then succeeds', async () => {
    server = await startScriptedServer((attempt, _req, res) => {
      if (attempt === 0) res.writeHead(429, { 'retry-after-ms': '30' }).end('{"error":{"message":"slow down"}}');
      else res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
    const retries: RetryInfo[] = [];
    const response = await call({ onRetry: (info) => retries.push(info) });
    expect(await response.json()).toEqual({ ok: true });
    expect(retries).toEqual([{ retry: 1, delayMs: 30, reason: 'status 429' }]);
  });

  it('retries server errors and dropped connections with backoff', async () => {
    server = await startScriptedServer((attempt, req, res) => {
      if (attempt === 0) res.writeHead(503).end();
      else if (attempt === 1) req.socket.destroy();
      else res.writeHead(200).end('done');
    });
    const retries: RetryInfo[] = [];
    const response = await call({ onRetry: (info) => retries.push(info) });
    expect(await response.text()).toBe('done');
    expect(retries.map((r) => r.reason)).toEqual(['status 503', 'connection error']);
  });

  it('returns a non-retryable failure at once, body unread', async () => {
    server = await startScriptedServer((_attempt, _req, res) => res.writeHead(400).end('{"error":{"message":"bad"}}'));
    const response = await call();
    expect(response.status).toBe(400);
    expect(await response.text()).toContain('bad');
    expect(server.count()).toBe(1);
  });

  it('hands back the last retryable failure once retries are spent', async () => {
    server = await startScriptedServer((_attempt, _req, res) => res.writeHead(502).end('gateway'));
    const response = await call({ maxRetries: 2 });
    expect(response.status).toBe(502);
    expect(server.count()).toBe(3);
  });

  it('does not sit out a Retry-After longer than the cap: the 429 goes back', async () => {
    server = await startScriptedServer((_attempt, _req, res) => res.writeHead(429, { 'retry-after': '120' }).end());
    const response = await call({ maxRetryAfterMs: 10_000 });
    expect(response.status).toBe(429);
    expect(server.count()).toBe(1);
  });

  /**
   * Runs `call` with the attempt deadlines and backoff waits on a fake clock: the first attempt's deadline passes
   * only once the server holds that attempt (and has answered what it will), the retry's never does. So the
   * silent attempt times out and the answering one cannot, however slow the machine.
   */
  const withFirstAttemptTimedOut = async <T>(call: () => Promise<T>, retries: RetryInfo[]): Promise<T> => {
    // Polled on the real clock (vi.waitFor would move the fake one while it waits).
    const realSetTimeout = globalThis.setTimeout;
    const until = async (done: () => boolean, what: string): Promise<void> => {
      for (const started = Date.now(); !done(); await new Promise((resolve) => realSetTimeout(resolve, 10))) {
        if (Date.now() - started > 30_000) throw new Error(`timed out waiting for ${what}`);
      }
    };
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      const result = call();
      await until(() => server!.count() === 1, 'the first attempt to reach the server');
      vi.advanceTimersByTime(500);
      await until(() => retries.length === 1, 'the retry');
      vi.advanceTimersByTime(FAST.maxDelayMs);
      return await result;
    } finally {
      vi.useRealTimers();
    }
  };

  it('times out an attempt that never answers and retries it', async () => {
    server = await startScriptedServer((attempt, _req, res) => {
      if (attempt > 0) res.writeHead(200).end('late but fine');
    });
    const retries: RetryInfo[] = [];
    const response = await withFirstAttemptTimedOut(() => call({ timeoutMs: 500, onRetry: (info) => retries.push(info) }), retries);
    expect(await response.text()).toBe('late but fine');
    expect(retries.map((r) => r.reason)).toEqual(['timeout']);
  });

  it('counts the first body byte inside the attempt: headers then silence is a timeout too', async () => {
    server = await startScriptedServer((attempt, _req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.flushHeaders();
      if (attempt > 0) res.end('data: ok\n\n');
    });
    const retries: RetryInfo[] = [];
    const response = await withFirstAttemptTimedOut(() => call({ timeoutMs: 500, onRetry: (info) => retries.push(info) }), retries);
    expect(await response.text()).toBe('data: ok\n\n');
    expect(retries.map((r) => r.reason)).toEqual(['timeout']);
    expect(server.count()).toBe(2);
  });

  it('fails with upstream_timeout when every attempt times out', async () => {
    server = await startScriptedServer(() => undefined);
    // Attempts are counted as sent, not as received: on a busy machine a 50 ms attempt may time out before the
    // server has even read it, and it is still an attempt.
    let sent = 0;
    const counting: typeof fetch = (input, init) => {
      sent += 1;
      return fetch(input, init);
    };
    const failure = await call({ timeoutMs: 50, maxRetries: 1, fetch: counting }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(UpstreamError);
    expect(failure).toMatchObject({ status: 504, code: 'upstream_timeout' });
    expect(sent).toBe(2);
    expect(server.count()).toBeLessThanOrEqual(2);
  });

  it('fails with upstream_unavailable when the provider cannot be reached', async () => {
    server = await startScriptedServer((_attempt, req) => req.socket.destroy());
    await expect(call({ maxRetries: 1 })).rejects.toMatchObject({ status: 502, code: 'upstream_unavailable' });
  });

  it('never retries once the first byte is handed over', async () => {
    server = await startScriptedServer((_attempt, _req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('data: first\n\n', () => setTimeout(() => res.socket?.destroy(), 20));
    });
    const response = await call();
    await expect(response.text()).rejects.toThrow();
    expect(server.count()).toBe(1);
  });

  it('stops at once when the caller aborts during an attempt', async () => {
    server = await startScriptedServer(() => undefined);
    const controller = new AbortController();
    const pending = call({ signal: controller.signal, timeoutMs: 60_000 });
    // Abort once the attempt has reached the server (a fixed delay may not be long enough on a busy machine).
    await vi.waitFor(() => expect(server!.count()).toBe(1), { timeout: 10_000, interval: 5 });
    controller.abort(new Error('client gone'));
    await expect(pending).rejects.toThrow('client gone');
    expect(server.count()).toBe(1);
  });

  it('stops at once when the caller aborts during a backoff', async () => {
    server = await startScriptedServer((_attempt, _req, res) => res.writeHead(429, { 'retry-after': '20' }).end());
    const controller = new AbortController();
    const pending = call({ signal: controller.signal, onRetry: () => controller.abort(new Error('cancelled')) });
    await expect(pending).rejects.toThrow('cancelled');
    expect(server.count()).toBe(1);
  });

  it('does not even send when the caller has already aborted', async () => {
    server = await startScriptedServer((_attempt, _req, res) => res.end());
    await expect(call({ signal: AbortSignal.abort(new Error('too late')) })).rejects.toThrow('too late');
    expect(server.count()).toBe(0);
  });
});
