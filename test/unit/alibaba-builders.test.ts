import { describe, expect, it } from 'vitest';
import {
  buildBatchSendMessageToGlobe,
  buildQueryMessage,
  buildQuerySendDetails,
  buildSendBatchSms,
  buildSendMessageToGlobe,
  buildSendSms,
} from '../../shared/alibaba/builders.ts';
import { formBody } from '../../shared/alibaba/canonical.ts';
import {
  globeNumber,
  isMainland,
  mainlandNational,
  mainlandTrackingId,
  maskNumber,
  nationalFromReceipt,
  redactDigits,
} from '../../shared/alibaba/numbers.ts';
import { beijingDay, beijingToIso, rfc2822ToIso } from '../../shared/alibaba/times.ts';
import vectors from '../fixtures/vectors/alibaba-acs3.json' with { type: 'json' };

const vector = (id: string) => {
  const found = vectors.vectors.find((v) => v.id === id);
  if (!found) throw new Error(`no vector ${id}`);
  return found;
};

describe('2017-05-25 builders', () => {
  it('SendSms: national numbers comma-joined, TemplateParam a JSON string of strings, OutId', () => {
    const request = buildSendSms({
      phoneNumbers: ['13800000000'],
      signName: '阿里云短信测试',
      templateCode: 'SMS_154950909',
      templateParam: { code: '123456' },
      outId: 'order-42',
    });
    expect(request).toEqual({
      action: 'SendSms',
      version: '2017-05-25',
      query: vector('v3_SendSms_query_only').input.queryParams,
    });
    expect(
      buildSendSms({ phoneNumbers: ['1', '2'], signName: 's', templateCode: 'SMS_1' }).query,
    ).toEqual({ PhoneNumbers: '1,2', SignName: 's', TemplateCode: 'SMS_1' });
  });

  it('SendSms refuses more than 1,000 numbers and an OutId of 256 characters', () => {
    const base = { signName: 's', templateCode: 'SMS_1' };
    expect(() => buildSendSms({ ...base, phoneNumbers: Array(1001).fill('1') })).toThrow(
      RangeError,
    );
    expect(() => buildSendSms({ ...base, phoneNumbers: [] })).toThrow(RangeError);
    expect(() => buildSendSms({ ...base, phoneNumbers: ['1'], outId: 'x'.repeat(256) })).toThrow(
      RangeError,
    );
    expect(buildSendSms({ ...base, phoneNumbers: Array(1000).fill('1') }).action).toBe('SendSms');
  });

  it('SendBatchSms: TemplateCode and OutId in the query, the *Json lists in the form body', () => {
    const request = buildSendBatchSms({
      templateCode: 'SMS_154950909',
      phoneNumbers: ['13800000000', '13900000000'],
      signNames: ['阿里云', '阿里巴巴'],
      templateParams: [{ code: '1111' }, { code: '2222' }],
    });
    const captured = vector('v3_SendBatchSms_form_body');
    expect(request.query).toEqual(captured.input.queryParams);
    expect(request.form).toEqual(captured.input.formBodyParams);
    expect(formBody(request.form ?? {})).toBe(captured.expected.wire.body);
    expect(
      buildSendBatchSms({
        templateCode: 'SMS_1',
        phoneNumbers: ['1'],
        signNames: ['s'],
        templateParams: [{}],
        outId: 'r',
      }),
    ).toMatchObject({
      query: { TemplateCode: 'SMS_1', OutId: 'r' },
      form: { PhoneNumberJson: '["1"]' },
    });
  });

  it('SendBatchSms omits TemplateParamJson for a template without variables', () => {
    const request = buildSendBatchSms({
      templateCode: 'SMS_1',
      phoneNumbers: ['1', '2'],
      signNames: ['s', 's'],
      templateParams: [{}, {}],
    });
    expect(request.form).not.toHaveProperty('TemplateParamJson');
  });

  it('SendBatchSms takes at most 100 numbers, one sign name and parameter object each', () => {
    const many = (n: number) => ({
      templateCode: 'SMS_1',
      phoneNumbers: Array(n).fill('1'),
      signNames: Array(n).fill('s'),
      templateParams: Array(n).fill({}),
    });
    expect(() => buildSendBatchSms(many(101))).toThrow(RangeError);
    expect(() => buildSendBatchSms({ ...many(2), signNames: ['s'] })).toThrow(RangeError);
    expect(buildSendBatchSms(many(100)).action).toBe('SendBatchSms');
  });

  it('QuerySendDetails: number, yyyyMMdd, page, optional BizId', () => {
    expect(
      buildQuerySendDetails({
        phoneNumber: '13800000000',
        sendDate: '20250115',
        bizId: '900619746936498440^0',
        pageSize: 10,
        currentPage: 1,
      }),
    ).toEqual({
      action: 'QuerySendDetails',
      version: '2017-05-25',
      query: vector('v3_QuerySendDetails').input.queryParams,
    });
    expect(buildQuerySendDetails({ phoneNumber: '1', sendDate: '20250115' }).query).toEqual({
      PhoneNumber: '1',
      SendDate: '20250115',
      PageSize: '50',
      CurrentPage: '1',
    });
    expect(() => buildQuerySendDetails({ phoneNumber: '1', sendDate: '2025-01-15' })).toThrow();
    expect(() =>
      buildQuerySendDetails({ phoneNumber: '1', sendDate: '20250115', pageSize: 51 }),
    ).toThrow();
  });
});

describe('2018-05-01 builders', () => {
  it('SendMessageToGlobe: To without +, the text, optional From/Type/TaskId/ValidityPeriod', () => {
    const captured = vector('v3min_SendMessageToGlobe_intl').input.queryParams;
    expect(
      buildSendMessageToGlobe({
        to: '6591234567',
        message: captured.Message ?? '',
        from: 'Alicloud321',
        type: 'OTP',
        validityPeriod: 300,
      }),
    ).toEqual({ action: 'SendMessageToGlobe', version: '2018-05-01', query: captured });
    expect(
      buildSendMessageToGlobe({ to: '85212345678', message: 'hi', taskId: 'r' }).query,
    ).toEqual({ To: '85212345678', Message: 'hi', TaskId: 'r' });
    expect(() => buildSendMessageToGlobe({ to: '+6591234567', message: 'hi' })).toThrow(RangeError);
  });

  it('BatchSendMessageToGlobe: To and Message as JSON-array strings, one text per number', () => {
    expect(
      buildBatchSendMessageToGlobe({
        to: ['6591234567', '6598765432'],
        messages: ['Hello A', 'Hello B'],
        from: 'Alicloud321',
        taskId: 'campaign-7',
        type: 'NOTIFY',
      }),
    ).toEqual({
      action: 'BatchSendMessageToGlobe',
      version: '2018-05-01',
      query: vector('v3_BatchSendMessageToGlobe_intl').input.queryParams,
    });
    expect(() => buildBatchSendMessageToGlobe({ to: ['1', '2'], messages: ['a'] })).toThrow();
    expect(() =>
      buildBatchSendMessageToGlobe({ to: Array(1001).fill('1'), messages: Array(1001).fill('a') }),
    ).toThrow(RangeError);
  });

  it('QueryMessage: the MessageId', () => {
    expect(buildQueryMessage({ messageId: '191921698133637273' })).toEqual({
      action: 'QueryMessage',
      version: '2018-05-01',
      query: { MessageId: '191921698133637273' },
    });
    expect(() => buildQueryMessage({ messageId: '' })).toThrow();
  });
});

describe('number forms', () => {
  it('routes +86 to the mainland API and gives it the national 11 digits', () => {
    expect(isMainland('+8613800138000')).toBe(true);
    expect(isMainland('+85212345678')).toBe(false);
    expect(mainlandNational('+8613800138000')).toBe('13800138000');
    expect(mainlandNational('+861012345678')).toBeUndefined(); // a Beijing landline
    expect(mainlandNational('+86138001380001')).toBeUndefined();
  });

  it('gives the 2018 API country code + number without +', () => {
    expect(globeNumber('+6591234567')).toBe('6591234567');
  });

  it('reads every documented mainland form of a receipt number back to the national digits', () => {
    for (const form of ['13800138000', '8613800138000', '+8613800138000', '008613800138000']) {
      expect(nationalFromReceipt(form)).toBe('13800138000');
    }
    expect(mainlandTrackingId('900619746936498440^0', '13800138000')).toBe(
      '900619746936498440^0:13800138000',
    );
  });

  it('never shows a whole number in logs or messages', () => {
    expect(maskNumber('+6591234567')).toBe('+65****4567');
    expect(redactDigits('number 13800138000 is invalid')).toBe('number 138****8000 is invalid');
    expect(redactDigits('Permits:1')).toBe('Permits:1');
  });
});

describe('Alibaba time formats', () => {
  it('reads Beijing wall-clock time (no zone) as UTC+8, whatever the local zone', () => {
    expect(beijingToIso('2017-01-01 00:00:00')).toBe('2016-12-31T16:00:00.000Z');
    expect(beijingToIso('2021-02-30 00:00:00')).toBeUndefined();
    expect(beijingToIso('yesterday')).toBeUndefined();
    expect(beijingToIso(undefined)).toBeUndefined();
  });

  it('honours the zone of RFC 2822 dates', () => {
    expect(rfc2822ToIso('Thu, 25 Nov 2021 10:25:33 +0800')).toBe('2021-11-25T02:25:33.000Z');
    expect(rfc2822ToIso('Mon, 24 Dec 2018 16:58:22 -0130')).toBe('2018-12-24T18:28:22.000Z');
    expect(rfc2822ToIso('Thu, 25 Foo 2021 10:25:33 +0800')).toBeUndefined();
    // No zone is 99 hours off, or 14:30 ahead.
    expect(rfc2822ToIso('Thu, 25 Nov 2021 10:25:33 +9999')).toBeUndefined();
    expect(rfc2822ToIso('Thu, 25 Nov 2021 10:25:33 +1430')).toBeUndefined();
    expect(rfc2822ToIso('Thu, 25 Nov 2021 10:25:33 -0060')).toBeUndefined();
    expect(rfc2822ToIso('Thu, 25 Nov 2021 10:25:33 +1400')).toBe('2021-11-24T20:25:33.000Z');
  });

  it('names the Beijing calendar day of an instant for SendDate', () => {
    expect(beijingDay(new Date('2025-01-15T15:59:59Z'))).toBe('20250115');
    expect(beijingDay(new Date('2025-01-15T16:00:00Z'))).toBe('20250116');
  });
});
