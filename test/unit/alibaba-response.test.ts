import { describe, expect, it } from 'vitest';
import {
  readBatchGlobeAnswer,
  readBizIdAnswer,
  readGlobeAnswer,
} from '../../shared/alibaba/answers.ts';
import { alibabaCode, bareCode } from '../../shared/alibaba/codes.ts';
import { readMessageDetail, readSendDetails } from '../../shared/alibaba/queries.ts';
import { alibabaRetryRule, readAnswer } from '../../shared/alibaba/response.ts';
import { isProviderError, type ProviderError } from '../../shared/errors.ts';
import { sendWithRetry } from '../../shared/transport/retry.ts';
import type { HttpResponse } from '../../shared/transport/sendOnce.ts';
import { deadlineIn } from '../../shared/util/deadline.ts';

const answer = (
  status: number,
  body: unknown,
  headers: HttpResponse['headers'] = {},
): HttpResponse => ({
  status,
  headers,
  body: typeof body === 'string' ? body : JSON.stringify(body),
});

function thrown(fn: () => unknown): ProviderError {
  try {
    fn();
  } catch (error) {
    if (isProviderError(error)) return error;
    throw error;
  }
  throw new Error('expected a ProviderError');
}

// The classification table of providers/alibaba.md, code by code.
const ACCOUNT_2017 = [
  'isp.RAM_PERMISSION_DENY',
  'isv.AMOUNT_NOT_ENOUGH',
  'isv.OUT_OF_SERVICE',
  'isv.PRODUCT_UN_SUBSCRIPT',
  'isv.PRODUCT_UNSUBSCRIBE',
  'isv.ACCOUNT_NOT_EXISTS',
  'isv.ACCOUNT_ABNORMAL',
  'isv.DAY_LIMIT_CONTROL',
  'isv.MONTH_LIMIT_CONTROL',
  'isv.DENY_IP_RANGE',
  'isv.SMS_SIGNATURE_ILLEGAL',
  'isv.SMS_TEMPLATE_ILLEGAL',
  'isv.SIGN_STATE_ILLEGAL',
  'isv.SMS_SIGNATURE_SCENE_ILLEGAL',
];
const ACCOUNT_INTL = [
  'INVALID_SENDERID',
  'FORBIDDEN_ACTION',
  'SMS_CONTENT_CODE_ILLEGAL',
  'SMS_SIGN_NAME_ILLEGAL',
  'ACCOUNT_NOT_EXISTS',
  'OUT_OF_SERVICE',
];
const AUTH_GATEWAY = [
  'InvalidAccessKeyId.NotFound',
  'InvalidAccessKeyId.Inactive',
  'SignatureDoesNotMatch',
  'IncompleteSignature',
];
const RECIPIENT_2017 = [
  'isv.MOBILE_NUMBER_ILLEGAL',
  'isv.MOBILE_COUNT_OVER_LIMIT',
  'isv.INVALID_PARAMETERS',
  'isv.INVALID_JSON_PARAM',
  'isv.TEMPLATE_MISSING_PARAMETERS',
  'isv.PARAM_LENGTH_LIMIT',
  'isv.PARAM_NOT_SUPPORT_URL',
  'isv.TEMPLATE_PARAMS_ILLEGAL',
  'isv.EXTEND_CODE_ERROR',
  'isv.DOMESTIC_NUMBER_NOT_SUPPORTED',
  'isv.BLACK_KEY_CONTROL_LIMIT',
  'isv.SMS_CONTENT_ILLEGAL',
];
const RECIPIENT_INTL = [
  'MOBILE_NUMBER_ILLEGAL',
  'MOBILE_COUNT_OVER_LIMIT',
  'CONTENT_MISSING_PARAMETERS',
  'INVALID_PARAMETERS',
  'INVALID_JSON_PARAM',
  'isv.NOT_SUPPORTED_COUNTRY',
];
const TRANSIENT_BUSINESS = ['isp.SYSTEM_ERROR', 'isp.GATEWAY_ERROR'];
const TRANSIENT_GATEWAY = ['Throttling.User', 'Throttling.Api', 'Throttling', 'ServiceUnavailable'];

const sendSms = (code: string) => answer(200, { Code: code, Message: 'm', RequestId: 'r' });
const globe = (code: string) =>
  answer(200, { ResponseCode: code, ResponseDescription: 'm', RequestId: 'r' });

describe('the classification table, business layer (HTTP 200)', () => {
  it.each(RECIPIENT_2017)('2017 %s rejects every number of the request with the code', (code) => {
    const outcomes = readBizIdAnswer(sendSms(code), [
      { to: '+8613800138000', wire: '13800138000' },
      { to: '+8613900139000', wire: '13900139000' },
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected']);
    expect(outcomes[0]).toMatchObject({ error: { code } });
    expect(outcomes[1]).toMatchObject({ error: { code } });
  });

  it.each(RECIPIENT_INTL)('2018 %s rejects the recipient with the code', (code) => {
    const outcome = readGlobeAnswer(globe(code), { to: '+6591234567', wire: '6591234567' });
    expect(outcome).toMatchObject({ status: 'rejected', error: { code } });
    // The same code with or without the prefix means the same.
    const other = code.startsWith('isv.') ? bareCode(code) : `isv.${code}`;
    expect(readGlobeAnswer(globe(other), { to: '+65', wire: '65' })).toMatchObject({
      status: 'rejected',
    });
  });

  it.each([
    ['2017', 'isv.BUSINESS_LIMIT_CONTROL'],
    ['2018', 'BUSINESS_LIMIT_CONTROL_MINUTE'],
    ['2018', 'BUSINESS_LIMIT_CONTROL_DAY'],
  ])('%s %s is rate_limited for the recipient, naming the code', (version, code) => {
    const response = version === '2017' ? sendSms(code) : globe(code);
    const outcome = readAnswer(response, version === '2017' ? '2017-05-25' : '2018-05-01');
    expect(outcome).toEqual({
      ok: false,
      error: { code: 'rate_limited', message: expect.stringContaining(code) },
    });
  });

  it.each([...ACCOUNT_2017.map((c) => ['2017', c]), ...ACCOUNT_INTL.map((c) => ['2018', c])])(
    '%s %s refuses the whole request: 502 provider_rejected, nothing sent, not an auth failure',
    (version, code) => {
      const error = thrown(() =>
        version === '2017'
          ? readAnswer(sendSms(code), '2017-05-25')
          : readAnswer(globe(code), '2018-05-01'),
      );
      expect(error).toMatchObject({
        code: 'provider_rejected',
        outcome: 'not_sent',
        authFailure: false,
        providerCode: code,
      });
      expect(error.status).toBe(502);
    },
  );

  it.each(TRANSIENT_BUSINESS)('%s is unavailable, nothing sent (once retries ran out)', (code) => {
    expect(thrown(() => readAnswer(sendSms(code), '2017-05-25'))).toMatchObject({
      code: 'provider_unavailable',
      outcome: 'not_sent',
    });
  });

  it('treats an unknown business code as a rejection of the recipients, never as accepted', () => {
    const outcomes = readBizIdAnswer(sendSms('isv.SOMETHING_NEW'), [{ to: '+86138', wire: '138' }]);
    expect(outcomes).toEqual([
      {
        to: '+86138',
        status: 'rejected',
        error: { code: 'isv.SOMETHING_NEW', message: expect.any(String) },
      },
    ]);
  });

  it('accepts OK with BizId: one BizId for all, tracked as BizId + national number', () => {
    const outcomes = readBizIdAnswer(
      answer(200, { Code: 'OK', Message: 'OK', BizId: '9006197469364984400^0', RequestId: 'r' }),
      [
        { to: '+8613800138000', wire: '13800138000' },
        { to: '+8613900139000', wire: '13900139000' },
      ],
    );
    expect(outcomes).toEqual([
      {
        to: '+8613800138000',
        status: 'accepted',
        providerMessageId: '9006197469364984400^0',
        trackingId: '9006197469364984400^0:13800138000',
      },
      {
        to: '+8613900139000',
        status: 'accepted',
        providerMessageId: '9006197469364984400^0',
        trackingId: '9006197469364984400^0:13900139000',
      },
    ]);
  });

  it('calls OK without an id unknown: taken, but nothing to follow it by', () => {
    expect(readBizIdAnswer(answer(200, { Code: 'OK' }), [{ to: 'a', wire: 'a' }])).toEqual([
      { to: 'a', status: 'unknown' },
    ]);
    expect(readGlobeAnswer(answer(200, { ResponseCode: 'OK' }), { to: 'a', wire: 'a' })).toEqual({
      to: 'a',
      status: 'unknown',
    });
  });

  it('accepts a 2018 OK with its MessageId and no tracking id', () => {
    const outcome = readGlobeAnswer(
      answer(200, { ResponseCode: 'OK', MessageId: '191921698133637273', To: '6591234567' }),
      { to: '+6591234567', wire: '6591234567' },
    );
    expect(outcome).toEqual({
      to: '+6591234567',
      status: 'accepted',
      providerMessageId: '191921698133637273',
    });
  });

  it.each(['not json', '', '[]', '{"RequestId":"r"}'])(
    'calls a 2xx it cannot read (%j) unknown: it may have been accepted',
    (body) => {
      expect(thrown(() => readAnswer(answer(200, body), '2017-05-25'))).toMatchObject({
        code: 'provider_timeout',
        outcome: 'unknown',
      });
    },
  );
});

describe('the classification table, gateway layer (HTTP 4xx/5xx)', () => {
  const gateway = (status: number, code: string) =>
    answer(status, { RequestId: 'r', HostId: 'h', Code: code, Message: 'm', Recommend: 'u' });

  it.each(AUTH_GATEWAY)('%s is 502 with authFailure (worth one credentials refresh)', (code) => {
    const error = thrown(() =>
      readAnswer(gateway(code.startsWith('Invalid') ? 404 : 400, code), '2017-05-25'),
    );
    expect(error).toMatchObject({
      code: 'provider_rejected',
      authFailure: true,
      outcome: 'not_sent',
    });
  });

  it('Forbidden.RAM is 502 without authFailure', () => {
    expect(thrown(() => readAnswer(gateway(403, 'Forbidden.RAM'), '2018-05-01'))).toMatchObject({
      code: 'provider_rejected',
      authFailure: false,
    });
  });

  it('InvalidTimeStamp.Expired is a configuration fault: 502 naming the clock', () => {
    const error = thrown(() => readAnswer(gateway(400, 'InvalidTimeStamp.Expired'), '2017-05-25'));
    expect(error).toMatchObject({
      code: 'provider_rejected',
      outcome: 'not_sent',
      authFailure: false,
    });
    expect(error.message).toMatch(/clock/);
  });

  it.each(TRANSIENT_GATEWAY.map((c) => [c, c === 'ServiceUnavailable' ? 503 : 400]))(
    '%s (HTTP %i) is unavailable (throttling: rate_limited), nothing sent',
    (code, status) => {
      expect(
        thrown(() => readAnswer(gateway(status as number, code as string), '2017-05-25')),
      ).toMatchObject({
        code: String(code).startsWith('Throttling') ? 'rate_limited' : 'provider_unavailable',
        outcome: 'not_sent',
      });
    },
  );

  it('a gateway timeout (504) may hide an accepted request: unknown', () => {
    expect(
      thrown(() => readAnswer(gateway(504, 'ServiceUnavailable'), '2017-05-25')),
    ).toMatchObject({
      code: 'provider_timeout',
      outcome: 'unknown',
    });
  });

  it('an unknown code falls back to the status: 5xx unavailable, 401 auth, 404 a wrong endpoint', () => {
    expect(thrown(() => readAnswer(gateway(500, 'InternalError'), '2017-05-25')).code).toBe(
      'provider_unavailable',
    );
    expect(thrown(() => readAnswer(gateway(401, 'Whatever'), '2017-05-25')).authFailure).toBe(true);
    expect(thrown(() => readAnswer(answer(404, 'nope'), '2017-05-25')).message).toMatch(
      /ALIBABA_SMS_ENDPOINT/,
    );
    expect(thrown(() => readAnswer(answer(400, 'nope'), '2017-05-25')).code).toBe(
      'provider_rejected',
    );
  });

  it('keeps Alibaba text for logs without whole phone numbers', () => {
    const error = thrown(() =>
      readAnswer(
        answer(200, { Code: 'isv.AMOUNT_NOT_ENOUGH', Message: 'no money for 13800138000' }),
        '2017-05-25',
      ),
    );
    expect(error.providerMessage).toBe('no money for 138****8000');
    expect(error.message).not.toMatch(/13800138000/);
  });
});

describe('the retry rule', () => {
  it.each([
    [400, { Code: 'Throttling.User' }],
    [503, { Code: 'ServiceUnavailable' }],
    [200, { Code: 'isp.SYSTEM_ERROR' }],
    [200, { ResponseCode: 'GATEWAY_ERROR' }],
  ])('retries HTTP %i %j: nothing was sent', (status, body) => {
    expect(alibabaRetryRule(answer(status, body))).toEqual({ retry: true, afterMs: undefined });
  });

  it('waits x-acs-retry-after milliseconds when Alibaba says so', () => {
    expect(
      alibabaRetryRule(answer(400, { Code: 'Throttling.User' }, { 'x-acs-retry-after': '250' })),
    ).toEqual({ retry: true, afterMs: 250 });
  });

  it('never retries a final code, an acceptance or a gateway timeout', () => {
    expect(alibabaRetryRule(answer(200, { Code: 'OK' }))).toEqual({ retry: false });
    expect(alibabaRetryRule(answer(200, { Code: 'isv.MOBILE_NUMBER_ILLEGAL' }))).toEqual({
      retry: false,
    });
    expect(alibabaRetryRule(answer(500, { Code: 'isv.AMOUNT_NOT_ENOUGH' }))).toEqual({
      retry: false,
    });
    expect(alibabaRetryRule(answer(504, { Code: 'ServiceUnavailable' }))).toEqual({ retry: false });
  });

  it('leaves unknown codes and unreadable bodies to the status rule', () => {
    expect(alibabaRetryRule(answer(500, { Code: 'InternalError' }))).toBeUndefined();
    expect(alibabaRetryRule(answer(502, 'Bad Gateway'))).toBeUndefined();
  });

  it('makes sendWithRetry resend a throttled 400 after the advised delay', async () => {
    const answers = [
      answer(400, { Code: 'Throttling.User' }, { 'x-acs-retry-after': '120' }),
      answer(200, { Code: 'OK', BizId: 'b' }),
    ];
    const started = Date.now();
    const result = await sendWithRetry(
      () => ({ origin: 'http://x', method: 'POST', path: '/', headers: {}, body: '' }),
      async () => answers.shift() as HttpResponse,
      deadlineIn(5_000),
      { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 1, minAttemptMs: 10, random: () => 0 },
      alibabaRetryRule,
    );
    expect(result.attempts).toBe(2);
    expect(result.response.status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(100);
  });
});

describe('BatchSendMessageToGlobe answers', () => {
  const recipients = [
    { to: '+6591234567', wire: '6591234567' },
    { to: '+6598765432', wire: '6598765432' },
    { to: '+85212345678', wire: '85212345678' },
  ];
  const ok = (fields: Record<string, unknown>) => answer(200, { ResponseCode: 'OK', ...fields });

  it('maps ids to the numbers not in FailedList, in order, when the counts agree', () => {
    const outcomes = readBatchGlobeAnswer(
      ok({ SuccessCount: '2', MessageIdList: '["m1","m3"]', FailedList: '["6598765432"]' }),
      recipients,
    );
    expect(outcomes).toEqual([
      { to: '+6591234567', status: 'accepted', providerMessageId: 'm1' },
      {
        to: '+6598765432',
        status: 'rejected',
        error: expect.objectContaining({ code: 'FAILED_LIST' }),
      },
      { to: '+85212345678', status: 'accepted', providerMessageId: 'm3' },
    ]);
  });

  it.each([
    [
      'fewer ids than numbers',
      { SuccessCount: '3', MessageIdList: '["m1","m2"]', FailedList: '[]' },
    ],
    [
      'a SuccessCount that disagrees',
      { SuccessCount: '2', MessageIdList: '["a","b","c"]', FailedList: '[]' },
    ],
    ['an unreadable MessageIdList', { SuccessCount: '3', MessageIdList: 'm1,m2,m3' }],
    [
      'a FailedList naming numbers not sent',
      { MessageIdList: '["a","b"]', FailedList: '["1","2"]' },
    ],
  ])('never guesses with %s: the sent numbers are unknown', (_why, fields) => {
    const outcomes = readBatchGlobeAnswer(ok(fields), recipients);
    expect(outcomes.filter((o) => o.status === 'accepted')).toEqual([]);
    expect(outcomes.some((o) => o.status === 'unknown')).toBe(true);
  });

  it('rejects every number when the batch as a whole is refused with a recipient code', () => {
    const outcomes = readBatchGlobeAnswer(
      answer(200, { ResponseCode: 'INVALID_PARAMETERS' }),
      recipients,
    );
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected', 'rejected']);
  });
});

describe('the code table', () => {
  it('compares codes without their isv./isp. prefix', () => {
    expect(alibabaCode('isv.OUT_OF_SERVICE')).toEqual(alibabaCode('OUT_OF_SERVICE'));
    expect(alibabaCode('isp.SYSTEM_ERROR')?.class).toBe('transient');
  });

  it('does not mistake object property names for codes', () => {
    expect(alibabaCode('constructor')).toBeUndefined();
    expect(alibabaCode('toString')).toBeUndefined();
  });
});

describe('query answers', () => {
  it('reads QuerySendDetails entries, counting the ones it cannot read', () => {
    const page = readSendDetails({
      Code: 'OK',
      TotalCount: '3',
      SmsSendDetailDTOs: {
        SmsSendDetailDTO: [
          { PhoneNum: '13800138000', SendStatus: 1, SendDate: '2025-01-15 10:00:00' },
          { PhoneNum: '13800138000', SendStatus: '2', ErrCode: 'MK:0001' },
          { PhoneNum: '13800138000', SendStatus: 7 },
        ],
      },
    });
    expect(page.totalCount).toBe(3);
    expect(page.unreadable).toBe(1);
    expect(page.details.map((d) => [d.sendStatus, d.status])).toEqual([
      [1, 'accepted'],
      [2, 'failed'],
    ]);
    expect(page.details[0]?.sendDate).toBe('2025-01-15T02:00:00.000Z');
  });

  it('reads QueryMessage Status 1 delivered, 2 failed, 3 delivering; anything else is unknown', () => {
    expect(readMessageDetail('m', { Status: '1' }).status).toBe('delivered');
    expect(readMessageDetail('m', { Status: 3 }).status).toBe('accepted');
    expect(thrown(() => readMessageDetail('m', { Status: '6' }))).toMatchObject({
      outcome: 'unknown',
    });
  });
});
