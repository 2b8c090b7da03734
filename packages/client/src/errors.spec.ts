import {
  BulkheadError,
  ErrorAnswer,
  errorFromAnswer,
  parseRetryAfter,
  redacted,
  unreachableError,
} from './errors';

const BASE_URL = 'http://127.0.0.1:3000';

function answer(overrides: Partial<ErrorAnswer>): ErrorAnswer {
  return { status: 400, statusText: 'Bad Request', body: '', retryAfter: null, ...overrides };
}

describe(errorFromAnswer.name, () => {
  it("should carry the server's status, code, message and details", () => {
    const body = JSON.stringify({
      statusCode: 400,
      code: 'invalid_request',
      message: 'input.steps: Too big',
      details: [{ path: 'input.steps', message: 'Too big' }],
    });

    const sut = errorFromAnswer(answer({ body }), BASE_URL);

    expect(sut).toBeInstanceOf(BulkheadError);
    expect(sut).toMatchObject({
      name: 'BulkheadError',
      status: 400,
      code: 'invalid_request',
      message: 'input.steps: Too big',
      details: [{ path: 'input.steps', message: 'Too big' }],
      retryAfter: undefined,
    });
  });

  it('should read retryAfter in seconds from the Retry-After header', () => {
    const body = JSON.stringify({ statusCode: 429, code: 'runs_per_minute', message: 'slow down' });

    const sut = errorFromAnswer(answer({ status: 429, body, retryAfter: '42' }), BASE_URL);

    expect(sut).toMatchObject({ status: 429, code: 'runs_per_minute', retryAfter: 42 });
  });

  it('should fall back to http_<status> and a message naming the server for a body that is not JSON', () => {
    const sut = errorFromAnswer(
      answer({ status: 502, statusText: 'Bad Gateway', body: '<html>oops</html>' }),
      BASE_URL,
    );

    expect(sut).toMatchObject({ status: 502, code: 'http_502', details: [] });
    expect(sut.message).toBe(`Bulkhead at ${BASE_URL} answered 502 Bad Gateway`);
  });

  it('should keep a JSON message without a code, and drop details of the wrong shape', () => {
    const body = JSON.stringify({ message: 'Route GET:/x not found', details: [{ path: 1 }, 'x'] });

    const sut = errorFromAnswer(answer({ status: 404, body }), BASE_URL);

    expect(sut).toMatchObject({ code: 'http_404', message: 'Route GET:/x not found', details: [] });
  });
});

describe(parseRetryAfter.name, () => {
  it.each([
    ['absent', null, undefined],
    ['whole seconds', '7', 7],
    ['padded seconds', ' 3 ', 3],
    ['unreadable', 'soon', undefined],
    ['an HTTP date 30 s ahead', 'Wed, 01 Jan 2025 00:00:30 GMT', 30],
    ['an HTTP date in the past', 'Tue, 31 Dec 2024 23:59:00 GMT', 0],
  ])('should read %s', (_case, header, expected) => {
    const now = Date.parse('2025-01-01T00:00:00Z');

    expect(parseRetryAfter(header, now)).toBe(expected);
  });
});

describe(unreachableError.name, () => {
  it("should name the server and the cause's reason", () => {
    const cause = new TypeError('fetch failed', {
      cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }),
    });

    const sut = unreachableError(BASE_URL, cause);

    expect(sut).toMatchObject({ code: 'unreachable', status: undefined });
    expect(sut.message).toBe(
      `Could not reach Bulkhead at ${BASE_URL}: fetch failed: connect ECONNREFUSED 127.0.0.1:1`,
    );
  });
});

describe(redacted.name, () => {
  it('should remove the secret from the message and the details', () => {
    const secret = 'bk_acme_s3cr3t';
    const error = new BulkheadError({
      code: 'unreachable',
      message: `failed with Bearer ${secret}`,
      details: [{ path: 'h', message: `saw ${secret} twice: ${secret}` }],
    });

    const sut = redacted(error, secret);

    expect(JSON.stringify({ message: sut.message, details: sut.details })).not.toContain(secret);
    expect(sut).toMatchObject({ code: 'unreachable', message: 'failed with Bearer [redacted]' });
  });
});
