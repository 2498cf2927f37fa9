import { describe, expect, it, vi } from 'vitest';
import {
  AppError,
  ConfigError,
  ERRORS,
  ProviderError,
  SecretError,
  StoreError,
  TransportError,
} from '../../shared/errors.ts';
import { errorResponse } from '../../shared/http/errorResponse.ts';

const log = { info: vi.fn(), warn: vi.fn(), error: vi.fn(), debug: vi.fn() };
const answer = (error: unknown) => {
  const result = errorResponse(error, log);
  return {
    status: result.statusCode,
    body: JSON.parse(result.body) as { error: Record<string, unknown> },
  };
};

describe('errorResponse, the one place errors become HTTP', () => {
  it('shows caller mistakes with their details', () => {
    const { status, body } = answer(
      new AppError('invalid_request', 'The request is invalid', {
        details: [{ path: 'to[0]', message: 'bad' }],
      }),
    );
    expect(status).toBe(400);
    expect(body).toEqual({
      error: {
        code: 'invalid_request',
        message: 'The request is invalid',
        details: [{ path: 'to[0]', message: 'bad' }],
      },
    });
  });

  it.each([
    ['provider_rejected', 502],
    ['provider_unavailable', 503],
    ['provider_timeout', 504],
    ['rate_limited', 429],
  ] as const)('maps %s to %i', (code, status) => {
    expect(answer(new ProviderError(code, 'm')).status).toBe(status);
  });

  it('maps the JSON body parser verdicts to SPEC codes', () => {
    expect(
      answer(Object.assign(new Error('Unsupported Media Type'), { statusCode: 415 })).body.error
        .code,
    ).toBe('unsupported_media_type');
    expect(
      answer(Object.assign(new Error('Invalid or malformed JSON'), { statusCode: 422 })),
    ).toMatchObject({
      status: 400,
      body: { error: { code: 'invalid_request' } },
    });
  });

  it('says a body is nested too deeply rather than invalid when walking it overflowed', () => {
    const deep = Object.assign(new Error('Invalid or malformed JSON was provided'), {
      statusCode: 422,
      cause: {
        package: '@middy/http-json-body-parser',
        message: 'Maximum call stack size exceeded',
      },
    });
    expect(answer(deep)).toMatchObject({
      status: 400,
      body: { error: { code: 'invalid_request', message: 'The body is nested too deeply' } },
    });
  });

  it('names a forbidden key (prototype pollution) instead of calling the JSON invalid', () => {
    const forbidden = Object.assign(new Error('Forbidden key in JSON body'), {
      statusCode: 422,
      cause: { package: '@middy/http-json-body-parser', data: '__proto__' },
    });
    const answer = errorResponse(forbidden, log);
    expect(answer.statusCode).toBe(400);
    expect(JSON.parse(answer.body)).toEqual({
      error: {
        code: 'invalid_request',
        message: 'The body uses a key that is not allowed',
        details: [{ path: '(body)', message: 'the key "__proto__" is not allowed' }],
      },
    });
  });

  it('hides anything unexpected behind a plain 500 and logs it', () => {
    const secret = 'appSecret=hunter2';
    const { status, body } = answer(new TypeError(`boom ${secret}`));
    expect(status).toBe(500);
    expect(body).toEqual({ error: { code: 'internal', message: 'Internal error' } });
    expect(log.error).toHaveBeenCalled();
  });

  it.each([
    ['configuration', new ConfigError('invalid configuration: SMS_ROUTES x'), 500, 'internal'],
    ['secret', new SecretError('the secret is malformed: huawei.appKey'), 500, 'internal'],
    [
      'store',
      new StoreError('reading a message failed (ProvisionedThroughputExceeded)'),
      503,
      'store_unavailable',
    ],
    [
      'transport, before sending',
      new TransportError('ECONNREFUSED', false),
      503,
      'provider_unavailable',
    ],
    [
      'transport, after sending',
      new TransportError('UND_ERR_HEADERS_TIMEOUT', true),
      504,
      'provider_timeout',
    ],
  ])('maps a %s error by its code, without its internal message', (_, error, status, code) => {
    const { status: got, body } = answer(error);
    expect([got, body.error.code]).toEqual([status, code]);
    if (status === 500) expect(JSON.stringify(body)).not.toMatch(/SMS_ROUTES|appKey/);
  });

  it('gives every code of the family a status, and shows internal faults as internal', () => {
    for (const [code, entry] of Object.entries(ERRORS)) {
      expect(entry.status, code).toBeGreaterThanOrEqual(400);
      const shown = answer(new AppError(code as keyof typeof ERRORS, 'm')).body.error.code;
      expect(shown).toBe(entry.status === 500 ? 'internal' : code);
    }
  });

  it('recognises an AppError from a duplicated module copy by its code', () => {
    const foreign = Object.assign(new Error('nope'), { name: 'AppError', code: 'not_found' });
    expect(answer(foreign).status).toBe(404);
  });
});
