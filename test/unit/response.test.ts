import { describe, expect, it } from 'vitest';
import { ProviderError } from '../../shared/errors.ts';
import { describeHuaweiCode } from '../../shared/huawei/codes.ts';
import { parseSendResponse } from '../../shared/huawei/response.ts';

const ok = (result: unknown[], code = '000000') => ({
  status: 200,
  body: JSON.stringify({ code, description: code === '000000' ? 'Success' : 'partial', result }),
});
const entry = (originTo: string, status = '000000', smsMsgId = `id-${originTo}`) => ({
  originTo,
  createTime: '2025-03-14T09:26:53Z',
  from: 'isms1',
  smsMsgId,
  status,
});

function thrown(fn: () => unknown): ProviderError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ProviderError) return error;
    throw error;
  }
  throw new Error('expected a ProviderError');
}

describe('parseSendResponse', () => {
  it('reads every recipient as accepted with its smsMsgId on 000000', () => {
    expect(
      parseSendResponse(ok([entry('+6591234567'), entry('+6598765432')]), [
        '+6591234567',
        '+6598765432',
      ]),
    ).toEqual([
      { to: '+6591234567', status: 'accepted', providerMessageId: 'id-+6591234567' },
      { to: '+6598765432', status: 'accepted', providerMessageId: 'id-+6598765432' },
    ]);
  });

  it('reads per-recipient statuses on E000510 and keeps request order whatever the result order', () => {
    const response = ok([entry('+6590000041', 'E200041', ''), entry('+6591234567')], 'E000510');
    expect(parseSendResponse(response, ['+6591234567', '+6590000041'])).toEqual([
      { to: '+6591234567', status: 'accepted', providerMessageId: 'id-+6591234567' },
      {
        to: '+6590000041',
        status: 'rejected',
        error: { code: 'E200041', message: 'duplicate number in the same request' },
      },
    ]);
  });

  it('marks a recipient missing from the result as unknown rather than guessing', () => {
    expect(
      parseSendResponse(ok([entry('+6591234567')]), ['+6591234567', '+6598765432'])[1],
    ).toEqual({
      to: '+6598765432',
      status: 'unknown',
    });
  });

  it.each([
    [400, { code: 'E000503', description: 'parameter error' }, 'provider_rejected', false],
    [401, { code: 'E000102', description: 'Invalid app_key.' }, 'provider_rejected', true],
    [401, { code: 'E000104', description: 'Invalid app_secret.' }, 'provider_rejected', true],
    [401, { code: 'E000110', description: 'time out of range' }, 'provider_rejected', false],
    [
      401,
      { error_code: 'APIG.0303', error_msg: 'Incorrect app authentication information' },
      'provider_rejected',
      true,
    ],
    [403, { code: 'E000620', description: 'IP not whitelisted' }, 'provider_rejected', false],
    [404, { error_code: 'APIG.0101', error_msg: 'API not found' }, 'provider_rejected', false],
    [429, {}, 'rate_limited', false],
    [500, { code: 'E000000', description: 'System error.' }, 'provider_unavailable', false],
    [503, 'Service Unavailable', 'provider_unavailable', false],
  ])('maps HTTP %i %j to %s (auth failure: %s)', (status, body, code, auth) => {
    const error = thrown(() =>
      parseSendResponse({ status, body: typeof body === 'string' ? body : JSON.stringify(body) }, [
        '+6591234567',
      ]),
    );
    expect(error.code).toBe(code);
    expect(error.authFailure).toBe(auth);
    expect(error.outcome).toBe('not_sent');
  });

  it('treats a 200 with an explicit error code as a refusal (nothing sent)', () => {
    const error = thrown(() =>
      parseSendResponse({ status: 200, body: '{"code":"E000503","description":"x"}' }, [
        '+6591234567',
      ]),
    );
    expect(error).toMatchObject({
      code: 'provider_rejected',
      outcome: 'not_sent',
      providerCode: 'E000503',
    });
  });

  it.each([
    ['a body that is not JSON', 'not json'],
    ['success without a result list', '{"code":"000000","description":"Success"}'],
    ['an empty body', ''],
  ])(
    'treats a 200 with %s as an unknown outcome: it may have been accepted and billed',
    (_what, body) => {
      expect(thrown(() => parseSendResponse({ status: 200, body }, ['+6591234567']))).toMatchObject(
        {
          code: 'provider_timeout',
          outcome: 'unknown',
        },
      );
    },
  );

  it('treats a gateway timeout (504) as an unknown outcome, not as unavailable', () => {
    expect(
      thrown(() => parseSendResponse({ status: 504, body: '' }, ['+6591234567'])),
    ).toMatchObject({
      code: 'provider_timeout',
      outcome: 'unknown',
    });
  });

  it('marks a recipient accepted without an smsMsgId as unknown, not rejected', () => {
    expect(parseSendResponse(ok([entry('+6591234567', '000000', '')]), ['+6591234567'])).toEqual([
      { to: '+6591234567', status: 'unknown' },
    ]);
  });

  it('keeps the gateway text for logs but out of the caller-facing message', () => {
    const error = thrown(() =>
      parseSendResponse(
        {
          status: 401,
          body: JSON.stringify({
            error_code: 'APIG.0303',
            error_msg: 'canonical request: POST\\n/sms/',
          }),
        },
        ['+6591234567'],
      ),
    );
    expect(error.providerMessage).toContain('canonical request');
    expect(error.message).not.toContain('canonical request');
  });
});

describe('Huawei code table', () => {
  it('flags retryable and authentication codes', () => {
    expect(describeHuaweiCode('E200015').retryable).toBe(true);
    expect(describeHuaweiCode('E200041').retryable).toBe(false);
    expect(describeHuaweiCode('E000102').auth).toBe(true);
    expect(describeHuaweiCode('E999999')).toEqual({
      meaning: 'provider code E999999',
      retryable: false,
    });
  });
});
