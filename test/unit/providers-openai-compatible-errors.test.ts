/**
 * Provider failures → the gateway's typed errors: status classification, every error body shape of the
 * family, and the redaction that keeps keys, URLs and filtered content out of client-facing messages.
 */
import { describe, expect, it } from 'vitest';
import { CONTENT_FILTER_MESSAGE, redactSecrets, sanitizeUpstreamMessage } from '../../layers/providers/http/sanitize.ts';
import { classifyUpstreamStatus, upstreamError } from '../../layers/providers/http/upstream-error.ts';
import { describeProviderError, streamErrorFromBody, upstreamErrorFromResponse } from '../../layers/providers/openai-compatible/error-parsing.ts';

const context = { provider: 'openai', knownSecrets: ['the-gateway-secret-key'] };

describe('sanitizeUpstreamMessage', () => {
  it('redacts URLs, bearer tokens and key-shaped strings', () => {
    const message = sanitizeUpstreamMessage(
      'Incorrect API key provided: sk-proj-abc***wxyz. See https://platform.openai.com/account/api-keys or api.openai.com/v1. Authorization: Bearer eyJhbGciOi.abc',
    );
    expect(message).not.toMatch(/sk-proj|platform\.openai|api\.openai\.com|eyJhbGciOi/);
    expect(message).toContain('[url]');
    expect(message).toContain('Bearer [redacted]');
  });

  it('redacts vendor key shapes, 32-hex keys and account ids, org ids and key=value pairs', () => {
    const message = redactSecrets(
      'keys hf_abcdefghijklmnop fw_ABCDEFGHIJKLMN AIzaSyA1234567890abcdefghijklmnop 0123456789abcdef0123456789abcdef org-AbCdEf123456 api_key=hunter2 "api-key": "zzz"',
    );
    expect(message).not.toMatch(/hf_abc|fw_ABC|AIzaSy|0123456789abcdef|org-AbCdEf|hunter2|zzz/);
  });

  it('redacts the exact key in use, whatever its shape', () => {
    expect(redactSecrets('echoed the-gateway-secret-key back', ['the-gateway-secret-key'])).toBe('echoed [redacted] back');
  });

  it('keeps ordinary validation messages readable', () => {
    const text = "Invalid 'messages[0].content': expected a string. The maximum context length is 8192 tokens, got 9000 tokens.";
    expect(sanitizeUpstreamMessage(text)).toBe(text);
  });

  it('replaces content-filter texts whole, flagged or recognised', () => {
    expect(sanitizeUpstreamMessage("The response was filtered due to the prompt triggering Azure OpenAI's content management policy.")).toBe(CONTENT_FILTER_MESSAGE);
    expect(sanitizeUpstreamMessage('anything at all', { contentFilter: true })).toBe(CONTENT_FILTER_MESSAGE);
  });

  it('caps the length', () => {
    expect(sanitizeUpstreamMessage('word '.repeat(500)).length).toBeLessThanOrEqual(501);
  });
});

describe('classifyUpstreamStatus', () => {
  it.each([
    [429, 'upstream_rate_limited', 429],
    [401, 'upstream_auth_failed', 502],
    [403, 'upstream_auth_failed', 502],
    [408, 'upstream_timeout', 504],
    [504, 'upstream_timeout', 504],
    [524, 'upstream_timeout', 504],
    [500, 'upstream_unavailable', 502],
    [502, 'upstream_unavailable', 502],
    [503, 'upstream_unavailable', 503],
    [404, 'upstream_unavailable', 502],
    [400, 'upstream_bad_request', 400],
    [422, 'upstream_bad_request', 400],
  ])('provider %i → %s (%i)', (providerStatus, code, status) => {
    expect(classifyUpstreamStatus(providerStatus)).toEqual({ code, status });
  });

  it('a content filter is a 400 content_filter whatever the status', () => {
    expect(classifyUpstreamStatus(400, true)).toEqual({ code: 'content_filter', status: 400 });
  });

  it('passes the sanitized text of a bad request, and generic text for the rest', () => {
    expect(upstreamError({ providerStatus: 400, message: 'bad field' }).message).toBe('bad field');
    expect(upstreamError({ providerStatus: 401, message: 'key sk-123456789 wrong' }).message).toBe("The provider refused the gateway's credentials.");
    expect(upstreamError({ providerStatus: 429, message: 'org-123456789 over limit', retryAfterSeconds: 1.2 }).headers).toEqual({ 'retry-after': '2' });
  });
});

describe('describeProviderError', () => {
  it.each([
    ['OpenAI', { error: { message: 'bad', type: 'invalid_request_error', param: null, code: 'invalid_value' } }, 'bad', 'invalid_value'],
    ['Azure', { error: { code: '401', message: 'Access denied' } }, 'Access denied', '401'],
    ['Hugging Face', { error: 'Model is overloaded' }, 'Model is overloaded', undefined],
    ['Cloudflare', { success: false, errors: [{ code: 10000, message: 'Authentication error' }], messages: [], result: null }, 'Authentication error', '10000'],
    ['AI/ML API', { message: 'Free-tier limit', path: '/v1/chat/completions', statusCode: 429 }, 'Free-tier limit', undefined],
    ['FastAPI', { detail: 'Not Found' }, 'Not Found', undefined],
    ['plain text', 'upstream connect error', 'upstream connect error', undefined],
  ])('reads the %s shape', (_name, body, message, code) => {
    expect(describeProviderError(body)).toMatchObject({ message, code, contentFilter: false });
  });

  it.each([
    ['OpenAI', { error: { message: 'rejected by our safety system', code: 'content_policy_violation' } }],
    ['Azure', { error: { code: 'content_filter', message: 'filtered', innererror: { code: 'ResponsibleAIPolicyViolation' } } }],
    ['DashScope', { error: { code: 'data_inspection_failed', message: 'Input data may contain inappropriate content.' } }],
  ])('recognises the %s content filter', (_name, body) => {
    expect(describeProviderError(body).contentFilter).toBe(true);
  });
});

describe('upstreamErrorFromResponse', () => {
  it('turns a 400 into upstream_bad_request with the sanitized provider text', async () => {
    const response = new Response(JSON.stringify({ error: { message: 'Bad key the-gateway-secret-key at https://x.example.com/v1', code: null } }), { status: 400 });
    const error = await upstreamErrorFromResponse(response, context);
    expect(error).toMatchObject({ status: 400, code: 'upstream_bad_request', type: 'invalid_request_error' });
    expect(error.message).not.toMatch(/the-gateway-secret-key|example\.com/);
    expect(error.details).toEqual({ upstream_status: 400, provider: 'openai' });
  });

  it('turns a 429 into upstream_rate_limited and forwards Retry-After', async () => {
    const error = await upstreamErrorFromResponse(new Response('{}', { status: 429, headers: { 'retry-after': '3' } }), context);
    expect(error).toMatchObject({ status: 429, code: 'upstream_rate_limited', type: 'rate_limit_error', headers: { 'retry-after': '3' } });
  });

  it('turns a content filter into a generic 400 content_filter', async () => {
    const body = { error: { code: 'content_filter', message: 'The response was filtered due to the prompt triggering content management policy: violence' } };
    const error = await upstreamErrorFromResponse(new Response(JSON.stringify(body), { status: 400 }), context);
    expect(error).toMatchObject({ status: 400, code: 'content_filter', message: CONTENT_FILTER_MESSAGE });
  });
});

describe('streamErrorFromBody', () => {
  it('classifies an error chunk by its type', () => {
    expect(streamErrorFromBody({ error: { message: 'boom', type: 'server_error' } }, context)).toEqual({ status: 502, code: 'upstream_unavailable', message: 'boom' });
    expect(streamErrorFromBody({ error: { message: 'slow', type: 'rate_limit_exceeded' } }, context)).toMatchObject({ status: 429, code: 'upstream_rate_limited' });
  });
});
