/** API 2017-05-25 (Chinese mainland): SendSms, SendBatchSms. */
import { type Action, type ActionContext, store } from './context.ts';
import { businessEffect, deliveryOf } from './magic.ts';
import { parseDysmsNumber, type Recipient } from './numbers.ts';
import { isStringRecord, type Params, parseJson, stringArray } from './params.ts';
import { mainlandParts } from './parts.ts';
import { dysmsError, dysmsReply } from './replies.ts';
import type { AlibabaMessage } from './types.ts';

export const VERSION_2017 = '2017-05-25';
/** SendSms: at most 1,000 numbers per request. */
export const MAX_SEND_SMS_NUMBERS = 1000;
/** SendBatchSms: at most 100 numbers per request. */
export const MAX_BATCH_SMS_NUMBERS = 100;
/** OutId: fewer than 256 characters. */
const MAX_OUT_ID = 255;
const TEMPLATE_CODE = /^SMS_\d+$/;

const BUSINESS_CODES = {
  refuse: 'isv.MOBILE_NUMBER_ILLEGAL',
  amount_not_enough: 'isv.AMOUNT_NOT_ENOUGH',
  business_limit: 'isv.BUSINESS_LIMIT_CONTROL',
} as const;

/**
 * Every number of the request, or the whole request is refused: SendSms answers once for all its
 * numbers (the message names no number: Alibaba's texts never do).
 */
function recipients(raw: readonly string[], max: number): Recipient[] {
  if (raw.length > max) throw dysmsError('isv.MOBILE_COUNT_OVER_LIMIT');
  return raw.map((value) => {
    const recipient = parseDysmsNumber(value);
    if (!recipient) throw dysmsError('isv.MOBILE_NUMBER_ILLEGAL');
    return recipient;
  });
}

/** Every `SMS_<digits>` counts as approved. */
function templateCode(params: Params): string {
  const code = params.required('TemplateCode');
  if (!TEMPLATE_CODE.test(code)) throw dysmsError('isv.SMS_TEMPLATE_ILLEGAL');
  return code;
}

/** A JSON object whose values are all strings (`{"code":"1234"}`), or absent. */
function templateParam(text: string | undefined): Record<string, string> | undefined {
  if (text === undefined) return undefined;
  const value = parseJson(text);
  if (!isStringRecord(value)) throw dysmsError('isv.INVALID_JSON_PARAM');
  return value;
}

function outId(params: Params): string | undefined {
  const value = params.optional('OutId');
  if (value !== undefined && value.length > MAX_OUT_ID) {
    throw dysmsError('isv.INVALID_PARAMETERS', 'OutId must be shorter than 256 characters');
  }
  return value;
}

function extendCode(value: string | undefined): string | undefined {
  if (value !== undefined && value !== '' && !/^\d{1,12}$/.test(value)) {
    throw dysmsError('isv.EXTEND_CODE_ERROR');
  }
  return value === '' ? undefined : value;
}

/** The magic business refusals, once the request itself is well-formed. */
function refuseByMagic(numbers: readonly Recipient[]): void {
  const effect = businessEffect(numbers.map((n) => n.number));
  if (effect) throw dysmsError(BUSINESS_CODES[effect]);
}

/** What the sandbox calls the text: it knows no template bodies, only their code and values. */
function content(signName: string, code: string, values: Record<string, string> | undefined) {
  const shown = values ? Object.entries(values).map(([name, value]) => `${name}=${value}`) : [];
  return `【${signName}】${[code, ...shown].join(' ')}`;
}

interface Entry {
  recipient: Recipient;
  signName: string;
  values: Record<string, string> | undefined;
  smsUpExtendCode: string | undefined;
}

/** One `BizId` for the request; one message per number. */
function accept(
  context: ActionContext,
  action: string,
  code: string,
  out: string | undefined,
  entries: readonly Entry[],
) {
  const bizId = context.state.ids.bizId();
  const accepted = entries.map(({ recipient, signName, values, smsUpExtendCode }) => {
    const text = content(signName, code, values);
    const message: AlibabaMessage = {
      key: `${bizId}/${recipient.phoneNumber}`,
      version: VERSION_2017,
      action,
      number: recipient.number,
      phoneNumber: recipient.phoneNumber,
      bizId,
      signName,
      templateCode: code,
      content: text,
      parts: mainlandParts(text),
      sentAt: context.now,
      outcome: deliveryOf(recipient.number),
    };
    if (values !== undefined) message.templateParam = values;
    if (out !== undefined) message.outId = out;
    if (smsUpExtendCode !== undefined) message.smsUpExtendCode = smsUpExtendCode;
    return message;
  });
  store(context.state, accepted);
  return { reply: dysmsReply('OK', 'OK', { BizId: bizId }), accepted };
}

/** SendSms: one template and signature to up to 1,000 comma-separated numbers. */
export const sendSms: Action = (context) => {
  const { params } = context;
  const phoneNumbers = params.required('PhoneNumbers');
  const signName = params.required('SignName');
  const code = templateCode(params);
  const numbers = recipients(phoneNumbers.split(','), MAX_SEND_SMS_NUMBERS);
  const values = templateParam(params.optional('TemplateParam'));
  const out = outId(params);
  const smsUpExtendCode = extendCode(params.optional('SmsUpExtendCode'));
  refuseByMagic(numbers);
  return accept(
    context,
    'SendSms',
    code,
    out,
    numbers.map((recipient) => ({ recipient, signName, values, smsUpExtendCode })),
  );
};

/** A JSON array of the request's length, or the whole request is refused. */
function sameLength<T>(name: string, items: T[] | undefined, length: number): T[] {
  if (!items) throw dysmsError('isv.INVALID_JSON_PARAM', `${name} must be a JSON array`);
  if (items.length !== length) {
    throw dysmsError(
      'isv.INVALID_PARAMETERS',
      `${name} must have one entry per PhoneNumberJson number`,
    );
  }
  return items;
}

/** SendBatchSms: per-number signature and values (form body), up to 100 numbers. */
export const sendBatchSms: Action = (context) => {
  const { params } = context;
  const phoneJson = params.required('PhoneNumberJson');
  const signJson = params.required('SignNameJson');
  const code = templateCode(params);
  const phones = stringArray(phoneJson);
  if (!phones) {
    throw dysmsError('isv.INVALID_JSON_PARAM', 'PhoneNumberJson must be a JSON array of strings');
  }
  if (phones.length === 0) throw dysmsError('isv.INVALID_PARAMETERS', 'PhoneNumberJson is empty');
  const numbers = recipients(phones, MAX_BATCH_SMS_NUMBERS);
  const signs = sameLength('SignNameJson', stringArray(signJson), phones.length);
  if (signs.some((sign) => sign.trim() === '')) throw dysmsError('isv.SMS_SIGNATURE_ILLEGAL');
  const paramText = params.optional('TemplateParamJson');
  let values: Array<Record<string, string> | undefined> = phones.map(() => undefined);
  if (paramText !== undefined) {
    const parsed = parseJson(paramText);
    if (!Array.isArray(parsed) || !parsed.every(isStringRecord)) {
      throw dysmsError('isv.INVALID_JSON_PARAM');
    }
    values = sameLength('TemplateParamJson', parsed, phones.length);
  }
  const extendText = params.optional('SmsUpExtendCodeJson');
  const extendCodes =
    extendText === undefined
      ? phones.map(() => undefined)
      : sameLength('SmsUpExtendCodeJson', stringArray(extendText), phones.length).map(extendCode);
  const out = outId(params);
  refuseByMagic(numbers);
  return accept(
    context,
    'SendBatchSms',
    code,
    out,
    numbers.map((recipient, i) => ({
      recipient,
      signName: signs[i] ?? '',
      values: values[i],
      smsUpExtendCode: extendCodes[i],
    })),
  );
};
