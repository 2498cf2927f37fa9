import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { call } from '../../sandbox/alibaba/client.ts';
import { type AlibabaSandbox, startAlibabaSandbox } from '../../sandbox/alibaba/server.ts';

/** 10:00 in Beijing on 2026-11-20. */
const START = new Date('2026-11-20T02:00:00Z');
let clock = START;
let sandbox: AlibabaSandbox;

beforeAll(async () => {
  sandbox = await startAlibabaSandbox({ now: () => clock, deliveryDelayMs: 20 });
});
afterAll(() => sandbox.close());
beforeEach(() => {
  clock = START;
  sandbox.reset();
});

const dysms = (action: string, query: Record<string, string>, form?: Record<string, string>) =>
  call(sandbox.url, { action, version: '2017-05-25', query, at: clock, ...(form ? { form } : {}) });
const globe = (action: string, query: Record<string, string>) =>
  call(sandbox.url, { action, version: '2018-05-01', query, at: clock });

const SMS = { SignName: '阿里云短信测试', TemplateCode: 'SMS_154950909' };
const sendSms = (fields: Record<string, string>) =>
  dysms('SendSms', { PhoneNumbers: '13800138000', ...SMS, ...fields });
const batch = (fields: Record<string, string>) =>
  dysms(
    'SendBatchSms',
    { TemplateCode: 'SMS_154950909' },
    {
      PhoneNumberJson: '["13800138000","13900139000"]',
      SignNameJson: '["阿里云","阿里巴巴"]',
      TemplateParamJson: '[{"code":"1111"},{"code":"2222"}]',
      ...fields,
    },
  );

describe('routing', () => {
  it.each([
    ['an action of the other version', '2018-05-01', 'SendSms', 404, 'InvalidAction.NotFound'],
    ['an unknown action', '2017-05-25', 'SendMms', 404, 'InvalidAction.NotFound'],
    ['an unknown version', '2019-01-01', 'SendSms', 400, 'InvalidVersion'],
  ])('refuses %s', async (_what, version, action, status, code) => {
    const got = await call(sandbox.url, { action, version, query: {}, at: clock });
    expect(got).toMatchObject({ status, body: { Code: code } });
  });

  it('refuses methods other than GET and POST', async () => {
    const got = await call(sandbox.url, {
      action: 'SendSms',
      version: '2017-05-25',
      method: 'DELETE',
      at: clock,
    });
    expect(got).toMatchObject({ status: 403, body: { Code: 'UnsupportedHTTPMethod' } });
  });

  it('takes a GET with the parameters in the query', async () => {
    const got = await call(sandbox.url, {
      action: 'SendSms',
      version: '2017-05-25',
      method: 'GET',
      query: { PhoneNumbers: '13800138000', ...SMS },
      at: clock,
    });
    expect(got.body.Code).toBe('OK');
  });
});

describe('SendSms', () => {
  it('answers OK with one BizId for every number of the request', async () => {
    const got = await sendSms({ PhoneNumbers: '13800138000,13900139000' });
    expect(got.status).toBe(200);
    expect(Object.keys(got.body)).toEqual(['Code', 'Message', 'BizId', 'RequestId']);
    expect(got.body).toMatchObject({ Code: 'OK', Message: 'OK' });
    expect(got.body.BizId).toMatch(/^\d{18}\^0$/);
    expect(got.headers['x-acs-request-id']).toBe(got.body.RequestId);
    const messages = [...sandbox.messages.values()];
    expect(messages.map((m) => m.bizId)).toEqual([got.body.BizId, got.body.BizId]);
    expect(messages.map((m) => m.key)).toEqual([
      `${got.body.BizId}/13800138000`,
      `${got.body.BizId}/13900139000`,
    ]);
  });

  it.each(['13800138000', '+8613800138000', '8613800138000', '008613800138000'])(
    'takes the mainland format %s',
    async (number) => {
      expect((await sendSms({ PhoneNumbers: number })).body.Code).toBe('OK');
      expect([...sandbox.messages.values()][0]).toMatchObject({
        number: '8613800138000',
        phoneNumber: '13800138000',
      });
    },
  );

  it('takes an international number as country code and number', async () => {
    expect((await sendSms({ PhoneNumbers: '85291234567' })).body.Code).toBe('OK');
  });

  it.each([
    '1380013800',
    '138001380001',
    '+13800138000',
    '12800138000',
    '1380013800a',
    '13800138000,',
    '+86 13800138000',
  ])('refuses the whole request for %s with isv.MOBILE_NUMBER_ILLEGAL', async (numbers) => {
    const got = await sendSms({ PhoneNumbers: `13900139000,${numbers}` });
    expect(got.status).toBe(200);
    expect(Object.keys(got.body)).toEqual(['Code', 'Message', 'RequestId']);
    expect(got.body.Code).toBe('isv.MOBILE_NUMBER_ILLEGAL');
    expect(sandbox.messages.size).toBe(0);
  });

  it('takes 1,000 numbers and refuses 1,001 with isv.MOBILE_COUNT_OVER_LIMIT', async () => {
    const numbers = (n: number) =>
      Array.from({ length: n }, (_, i) => `139${String(i).padStart(8, '0')}`).join(',');
    expect((await sendSms({ PhoneNumbers: numbers(1000) })).body.Code).toBe('OK');
    expect(sandbox.messages.size).toBe(1000);
    expect((await sendSms({ PhoneNumbers: numbers(1001) })).body.Code).toBe(
      'isv.MOBILE_COUNT_OVER_LIMIT',
    );
  });

  it.each(['PhoneNumbers', 'SignName', 'TemplateCode'])(
    'answers a missing or empty %s as POP does (400 Missing<Name>)',
    async (name) => {
      for (const value of [undefined, '']) {
        const fields: Record<string, string> = { PhoneNumbers: '13800138000', ...SMS };
        if (value === undefined) delete fields[name];
        else fields[name] = value;
        const got = await dysms('SendSms', fields);
        expect(got).toMatchObject({ status: 400, body: { Code: `Missing${name}` } });
        expect(got.body.Message).toBe(`${name} is mandatory for this action.`);
      }
    },
  );

  it('approves every SMS_<digits> template and refuses other codes with isv.SMS_TEMPLATE_ILLEGAL', async () => {
    expect((await sendSms({ TemplateCode: 'SMS_1' })).body.Code).toBe('OK');
    for (const code of ['SMS_', 'SMS_12a', 'TPL_123', 'sms_123']) {
      expect((await sendSms({ TemplateCode: code })).body.Code).toBe('isv.SMS_TEMPLATE_ILLEGAL');
    }
  });

  it('approves any non-empty signature, Chinese included', async () => {
    expect((await sendSms({ SignName: '某某科技' })).body.Code).toBe('OK');
  });

  it.each(['{"code":1234}', '["1234"]', '{"code":"1234"', '"1234"', '{"a":{"b":"c"}}'])(
    'refuses TemplateParam %s with isv.INVALID_JSON_PARAM',
    async (param) => {
      expect((await sendSms({ TemplateParam: param })).body.Code).toBe('isv.INVALID_JSON_PARAM');
    },
  );

  it('keeps the values of a TemplateParam of strings', async () => {
    expect((await sendSms({ TemplateParam: '{"code":"012345","n":"5"}' })).body.Code).toBe('OK');
    expect([...sandbox.messages.values()][0]?.templateParam).toEqual({ code: '012345', n: '5' });
  });

  it('takes an OutId of 255 characters and refuses 256', async () => {
    expect((await sendSms({ OutId: 'x'.repeat(255) })).body.Code).toBe('OK');
    expect((await sendSms({ OutId: 'x'.repeat(256) })).body.Code).toBe('isv.INVALID_PARAMETERS');
  });

  it('refuses a non-numeric SmsUpExtendCode with isv.EXTEND_CODE_ERROR', async () => {
    expect((await sendSms({ SmsUpExtendCode: '90999' })).body.Code).toBe('OK');
    expect((await sendSms({ SmsUpExtendCode: 'abc' })).body.Code).toBe('isv.EXTEND_CODE_ERROR');
  });
});

describe('SendBatchSms', () => {
  it('takes its arrays from the form body, one BizId for the batch', async () => {
    const got = await batch({});
    expect(got.body.Code).toBe('OK');
    const messages = [...sandbox.messages.values()];
    expect(messages.map((m) => [m.phoneNumber, m.signName, m.templateParam?.code])).toEqual([
      ['13800138000', '阿里云', '1111'],
      ['13900139000', '阿里巴巴', '2222'],
    ]);
    expect(new Set(messages.map((m) => m.bizId))).toEqual(new Set([got.body.BizId]));
  });

  it('takes the arrays from the query as well', async () => {
    const got = await dysms('SendBatchSms', {
      TemplateCode: 'SMS_1',
      PhoneNumberJson: '["13800138000"]',
      SignNameJson: '["Test"]',
    });
    expect(got.body.Code).toBe('OK');
  });

  it('takes 100 numbers and refuses 101 with isv.MOBILE_COUNT_OVER_LIMIT', async () => {
    const numbers = (n: number) =>
      Array.from({ length: n }, (_, i) => `139${String(i).padStart(8, '0')}`);
    const fields = (n: number) => ({
      PhoneNumberJson: JSON.stringify(numbers(n)),
      SignNameJson: JSON.stringify(numbers(n).map(() => 'Test')),
      TemplateParamJson: JSON.stringify(numbers(n).map(() => ({ code: '1' }))),
    });
    expect((await batch(fields(100))).body.Code).toBe('OK');
    expect((await batch(fields(101))).body.Code).toBe('isv.MOBILE_COUNT_OVER_LIMIT');
  });

  it.each([
    ['SignNameJson shorter', { SignNameJson: '["阿里云"]' }, 'isv.INVALID_PARAMETERS'],
    ['TemplateParamJson longer', { TemplateParamJson: '[{},{},{}]' }, 'isv.INVALID_PARAMETERS'],
    [
      'a number value',
      { TemplateParamJson: '[{"code":1},{"code":"2"}]' },
      'isv.INVALID_JSON_PARAM',
    ],
    ['PhoneNumberJson not JSON', { PhoneNumberJson: '13800138000' }, 'isv.INVALID_JSON_PARAM'],
    ['an empty signature', { SignNameJson: '["阿里云",""]' }, 'isv.SMS_SIGNATURE_ILLEGAL'],
    ['a bad number', { PhoneNumberJson: '["13800138000","123"]' }, 'isv.MOBILE_NUMBER_ILLEGAL'],
  ])('refuses %s', async (_what, fields, code) => {
    expect((await batch(fields)).body.Code).toBe(code);
    expect(sandbox.messages.size).toBe(0);
  });
});

describe('SendMessageToGlobe', () => {
  const send = (fields: Record<string, string>) =>
    globe('SendMessageToGlobe', { To: '6591234567', Message: 'Your code is 123456', ...fields });

  it('answers with the message id, parts, number and its details', async () => {
    const got = await send({ From: 'Alicloud321', Type: 'OTP', TaskId: 't-1' });
    expect(got.status).toBe(200);
    expect(got.body).toMatchObject({
      ResponseCode: 'OK',
      ResponseDescription: 'OK',
      Segments: '1',
      To: '6591234567',
      From: 'Alicloud321',
      NumberDetail: { Country: 'Singapore', Region: 'SG' },
    });
    expect(got.body.MessageId).toMatch(/^\d{18}$/);
    expect(sandbox.messages.get(got.body.MessageId)).toMatchObject({ taskId: 't-1', type: 'OTP' });
  });

  it.each([
    ['a 161-character GSM text', 'a'.repeat(161), '2'],
    ['a 160-character GSM text', 'a'.repeat(160), '1'],
    ['a 70-character Chinese text', '验'.repeat(70), '1'],
    ['a 71-character Chinese text', '验'.repeat(71), '2'],
  ])('counts %s as %s part(s)', async (_what, text, parts) => {
    expect((await send({ Message: text })).body.Segments).toBe(parts);
  });

  it.each([
    ['+6591234567', 'MOBILE_NUMBER_ILLEGAL'],
    ['65 91234567', 'MOBILE_NUMBER_ILLEGAL'],
    ['659', 'MOBILE_NUMBER_ILLEGAL'],
    ['8613800138000', 'DOMESTIC_NUMBER_NOT_SUPPORTED'],
  ])('refuses To %s with %s', async (to, code) => {
    const got = await send({ To: to });
    expect(got.status).toBe(200);
    expect(Object.keys(got.body)).toEqual(['ResponseCode', 'ResponseDescription', 'RequestId']);
    expect(got.body.ResponseCode).toBe(code);
  });

  it.each([
    ['Type SPAM', { Type: 'SPAM' }, 'INVALID_PARAMETERS'],
    ['a 256-character TaskId', { TaskId: 'x'.repeat(256) }, 'INVALID_PARAMETERS'],
    ['ValidityPeriod 0', { ValidityPeriod: '0' }, 'INVALID_PARAMETERS'],
    ['a 12-character sender id', { From: 'Alicloud4321' }, 'INVALID_SENDERID'],
    ['a sender id with a dash', { From: 'Ali-cloud' }, 'INVALID_SENDERID'],
  ])('refuses %s', async (_what, fields, code) => {
    expect((await send(fields)).body.ResponseCode).toBe(code);
  });

  it('takes a 15-digit numeric sender id', async () => {
    expect((await send({ From: '123456789012345' })).body.ResponseCode).toBe('OK');
  });

  it('answers an empty Message as POP does (400 MissingMessage)', async () => {
    expect(await send({ Message: '' })).toMatchObject({
      status: 400,
      body: { Code: 'MissingMessage' },
    });
  });
});

describe('BatchSendMessageToGlobe', () => {
  const send = (to: string[], texts: string[], fields: Record<string, string> = {}) =>
    globe('BatchSendMessageToGlobe', {
      To: JSON.stringify(to),
      Message: JSON.stringify(texts),
      ...fields,
    });

  it('lists message ids in the order of the accepted numbers and the numbers it could not send', async () => {
    const got = await send(
      ['6591234567', '12', '85291234567', '8613800138000'],
      ['A', 'B', 'C', 'D'],
      { Type: 'NOTIFY', From: 'Alicloud321' },
    );
    expect(got.body).toMatchObject({ ResponseCode: 'OK', SuccessCount: '2', From: 'Alicloud321' });
    expect(JSON.parse(got.body.FailedList)).toEqual(['12', '8613800138000']);
    const ids = JSON.parse(got.body.MessageIdList) as string[];
    expect(
      ids.map((id) => [sandbox.messages.get(id)?.number, sandbox.messages.get(id)?.content]),
    ).toEqual([
      ['6591234567', 'A'],
      ['85291234567', 'C'],
    ]);
  });

  it('takes 1,000 numbers and refuses 1,001 with MOBILE_COUNT_OVER_LIMIT', async () => {
    const numbers = (n: number) =>
      Array.from({ length: n }, (_, i) => `659${String(i).padStart(7, '0')}`);
    const texts = (n: number) => numbers(n).map(() => 'hi');
    expect((await send(numbers(1000), texts(1000))).body.SuccessCount).toBe('1000');
    expect((await send(numbers(1001), texts(1001))).body.ResponseCode).toBe(
      'MOBILE_COUNT_OVER_LIMIT',
    );
  });

  it.each([
    ['unequal arrays', ['6591234567', '85291234567'], ['only one'], {}, 'INVALID_PARAMETERS'],
    ['an empty text', ['6591234567'], [''], {}, 'INVALID_PARAMETERS'],
    ['Type OTP', ['6591234567'], ['hi'], { Type: 'OTP' }, 'INVALID_PARAMETERS'],
  ])('refuses %s', async (_what, to, texts, fields, code) => {
    expect((await send(to, texts, fields)).body.ResponseCode).toBe(code);
    expect(sandbox.messages.size).toBe(0);
  });

  it('refuses a To that is not a JSON array with INVALID_JSON_PARAM', async () => {
    const got = await globe('BatchSendMessageToGlobe', { To: '6591234567', Message: '["hi"]' });
    expect(got.body.ResponseCode).toBe('INVALID_JSON_PARAM');
  });
});

describe('QuerySendDetails', () => {
  const query = (fields: Record<string, string>) =>
    dysms('QuerySendDetails', {
      PhoneNumber: '13800138000',
      SendDate: '20261120',
      PageSize: '10',
      CurrentPage: '1',
      ...fields,
    });

  it('answers waiting (1) before the delivery delay and delivered (3) after it', async () => {
    const sent = await sendSms({ OutId: 'order-42', TemplateParam: '{"code":"1234"}' });
    const before = await query({ BizId: sent.body.BizId });
    expect(before.body).toMatchObject({ Code: 'OK', TotalCount: '1' });
    const [waiting] = before.body.SmsSendDetailDTOs.SmsSendDetailDTO;
    expect(waiting).toMatchObject({ PhoneNum: '13800138000', SendStatus: 1 });
    expect(waiting.ErrCode).toBeUndefined();
    expect(waiting.ReceiveDate).toBeUndefined();

    await sandbox.idle();
    const after = await query({ BizId: sent.body.BizId });
    expect(after.body.SmsSendDetailDTOs.SmsSendDetailDTO).toEqual([
      {
        PhoneNum: '13800138000',
        SendStatus: 3,
        ErrCode: 'DELIVERED',
        TemplateCode: 'SMS_154950909',
        Content: '【阿里云短信测试】SMS_154950909 code=1234',
        SendDate: '2026-11-20 10:00:00',
        ReceiveDate: '2026-11-20 10:00:00',
        OutId: 'order-42',
      },
    ]);
  });

  it('finds a number written in any accepted format, by day and BizId, newest first, paged', async () => {
    const first = await sendSms({});
    clock = new Date(START.getTime() + 60_000);
    await sendSms({ PhoneNumbers: '+8613800138000' });
    clock = new Date(START.getTime() + 120_000);
    await sendSms({ PhoneNumbers: '13800138000,13900139000' });
    const all = await query({ PhoneNumber: '008613800138000' });
    expect(all.body.TotalCount).toBe('3');
    expect(
      all.body.SmsSendDetailDTOs.SmsSendDetailDTO.map((d: { SendDate: string }) => d.SendDate),
    ).toEqual(['2026-11-20 10:02:00', '2026-11-20 10:01:00', '2026-11-20 10:00:00']);
    const page2 = await query({ PageSize: '2', CurrentPage: '2' });
    expect(page2.body.TotalCount).toBe('3');
    expect(page2.body.SmsSendDetailDTOs.SmsSendDetailDTO).toHaveLength(1);
    expect((await query({ BizId: first.body.BizId })).body.TotalCount).toBe('1');
    expect((await query({ SendDate: '20261119' })).body.TotalCount).toBe('0');
  });

  it('counts the day in Beijing time', async () => {
    clock = new Date('2026-11-20T17:00:00Z'); // 01:00 on the 21st in Beijing
    await sendSms({});
    expect((await query({ SendDate: '20261121' })).body.TotalCount).toBe('1');
    expect((await query({ SendDate: '20261120' })).body.TotalCount).toBe('0');
  });

  it.each([
    ['PageSize 0', { PageSize: '0' }],
    ['PageSize 51', { PageSize: '51' }],
    ['CurrentPage 0', { CurrentPage: '0' }],
    ['SendDate 2026-11-20', { SendDate: '2026-11-20' }],
    ['SendDate 20261131', { SendDate: '20261131' }],
    ['a SendDate 30 days back', { SendDate: '20261021' }],
    ['a SendDate tomorrow', { SendDate: '20261121' }],
  ])('refuses %s with isv.INVALID_PARAMETERS', async (_what, fields) => {
    expect((await query(fields)).body.Code).toBe('isv.INVALID_PARAMETERS');
  });

  it('takes a SendDate 29 days back', async () => {
    expect((await query({ SendDate: '20261022' })).body.Code).toBe('OK');
  });

  it.each(['PhoneNumber', 'SendDate', 'PageSize', 'CurrentPage'])('requires %s', async (name) => {
    const got = await query({ [name]: '' });
    expect(got).toMatchObject({ status: 400, body: { Code: `Missing${name}` } });
  });
});

describe('QueryMessage', () => {
  it('answers delivering (3), then delivered (1) with the message as sent', async () => {
    const sent = await globe('SendMessageToGlobe', { To: '6591234567', Message: 'Hello' });
    const id = sent.body.MessageId;
    const before = await globe('QueryMessage', { MessageId: id });
    expect(before.body).toMatchObject({ ResponseCode: 'OK', Status: '3', To: '6591234567' });
    expect(before.body.ErrorCode).toBeUndefined();
    await sandbox.idle();
    const after = await globe('QueryMessage', { MessageId: id });
    expect(after.body).toMatchObject({
      ResponseCode: 'OK',
      MessageId: id,
      Status: '1',
      ErrorCode: 'DELIVERED',
      ErrorDescription: 'success',
      SendDate: 'Fri, 20 Nov 2026 10:00:00 +0800',
      ReceiveDate: 'Fri, 20 Nov 2026 10:00:00 +0800',
      To: '6591234567',
      Message: 'Hello',
      NumberDetail: { Region: 'SG' },
    });
  });

  it('answers DATA_NOT_EXIST for an id it never gave', async () => {
    const got = await globe('QueryMessage', { MessageId: '123456789012345678' });
    expect(got).toMatchObject({ status: 200, body: { ResponseCode: 'DATA_NOT_EXIST' } });
  });
});
