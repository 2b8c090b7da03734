import { APICallError } from 'ai';
import { failureOf } from './provider-failure';

const answered = (statusCode: number, responseHeaders: Record<string, string> = {}) =>
  new APICallError({
    message: `status ${statusCode}`,
    url: 'http://127.0.0.1/v1/chat/completions',
    requestBodyValues: {},
    statusCode,
    responseHeaders,
  });

describe('what a provider failure means for the call', () => {
  it.each([
    [answered(429, { 'retry-after': '7' }), { reason: 'rate_limited', retryAfterMs: 7_000 }],
    [answered(429), { reason: 'rate_limited' }],
    [answered(503), { reason: 'server_error' }],
    [answered(401), { reason: 'unauthorized' }],
    [answered(403), { reason: 'unauthorized' }],
    [new TypeError('fetch failed'), { reason: 'connection_error' }],
  ])('should move on from %s', (error, failure) => {
    expect(failureOf(error, false)).toEqual(failure);
  });

  it('should call a timeout a timeout, whatever the SDK threw', () => {
    expect(failureOf(new DOMException('aborted', 'AbortError'), true)).toEqual({
      reason: 'timeout',
    });
  });

  it('should not move on from a request the provider refused as invalid: the next would too', () => {
    expect(failureOf(answered(400), false)).toBeUndefined();
  });
});
