import { describe, expect, it, vi } from 'vitest';
import { AppError } from '../../shared/errors.ts';
import { errorResponse } from '../../shared/http/errorResponse.ts';
import { ProviderError } from '../../shared/provider.ts';

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

  it('hides anything unexpected behind a plain 500 and logs it', () => {
    const secret = 'appSecret=hunter2';
    const { status, body } = answer(new TypeError(`boom ${secret}`));
    expect(status).toBe(500);
    expect(body).toEqual({ error: { code: 'internal', message: 'Internal error' } });
    expect(log.error).toHaveBeenCalled();
  });

  it('recognises an AppError from a duplicated module copy by its code', () => {
    const foreign = Object.assign(new Error('nope'), { name: 'AppError', code: 'not_found' });
    expect(answer(foreign).status).toBe(404);
  });
});
