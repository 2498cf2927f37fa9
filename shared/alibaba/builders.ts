import type { ApiVersion } from './response.ts';

/** One RPC call before signing: the action, its version, and its parameters by location. */
export interface AlibabaRequest {
  action:
    | 'SendSms'
    | 'SendBatchSms'
    | 'QuerySendDetails'
    | 'SendMessageToGlobe'
    | 'BatchSendMessageToGlobe'
    | 'QueryMessage';
  version: ApiVersion;
  query: Record<string, string>;
  /** `application/x-www-form-urlencoded` body parameters (SendBatchSms only). */
  form?: Record<string, string> | undefined;
}

/** Alibaba's documented request limits. */
export const MAX_SEND_SMS_NUMBERS = 1_000;
export const MAX_SEND_BATCH_SMS_NUMBERS = 100;
export const MAX_BATCH_GLOBE_NUMBERS = 1_000;

function optional(name: string, value: string | undefined): Record<string, string> {
  return value === undefined || value === '' ? {} : { [name]: value };
}

function within(what: string, count: number, max: number): void {
  if (count < 1 || count > max) throw new RangeError(`${what}: 1 to ${max} numbers, got ${count}`);
}

function idParam(name: string, value: string | undefined, max: number): Record<string, string> {
  if (value !== undefined && value.length > max) {
    throw new RangeError(`${name} is longer than ${max} characters`);
  }
  return optional(name, value);
}

/** SendSms: one template to up to 1,000 national mainland numbers. */
export function buildSendSms(params: {
  phoneNumbers: readonly string[];
  signName: string;
  templateCode: string;
  templateParam?: Readonly<Record<string, string>> | undefined;
  outId?: string | undefined;
}): AlibabaRequest {
  within('SendSms', params.phoneNumbers.length, MAX_SEND_SMS_NUMBERS);
  const hasParams = params.templateParam && Object.keys(params.templateParam).length > 0;
  return {
    action: 'SendSms',
    version: '2017-05-25',
    query: {
      PhoneNumbers: params.phoneNumbers.join(','),
      SignName: params.signName,
      TemplateCode: params.templateCode,
      ...(hasParams ? { TemplateParam: JSON.stringify(params.templateParam) } : {}),
      ...idParam('OutId', params.outId, 255),
    },
  };
}

/** SendBatchSms: per-number sign names and parameters in a form body; one template per request. */
export function buildSendBatchSms(params: {
  templateCode: string;
  phoneNumbers: readonly string[];
  signNames: readonly string[];
  templateParams: ReadonlyArray<Readonly<Record<string, string>>>;
  outId?: string | undefined;
}): AlibabaRequest {
  within('SendBatchSms', params.phoneNumbers.length, MAX_SEND_BATCH_SMS_NUMBERS);
  const n = params.phoneNumbers.length;
  if (params.signNames.length !== n || params.templateParams.length !== n) {
    throw new RangeError('SendBatchSms: one sign name and one parameter object per number');
  }
  // A template without variables takes no TemplateParamJson at all.
  const hasParams = params.templateParams.some((p) => Object.keys(p).length > 0);
  return {
    action: 'SendBatchSms',
    version: '2017-05-25',
    query: { TemplateCode: params.templateCode, ...idParam('OutId', params.outId, 255) },
    form: {
      PhoneNumberJson: JSON.stringify(params.phoneNumbers),
      SignNameJson: JSON.stringify(params.signNames),
      ...(hasParams ? { TemplateParamJson: JSON.stringify(params.templateParams) } : {}),
    },
  };
}

/** QuerySendDetails: one national number's messages of one Beijing day (`yyyyMMdd`). */
export function buildQuerySendDetails(params: {
  phoneNumber: string;
  sendDate: string;
  bizId?: string | undefined;
  pageSize?: number | undefined;
  currentPage?: number | undefined;
}): AlibabaRequest {
  if (!/^\d{8}$/.test(params.sendDate)) throw new RangeError('SendDate must be yyyyMMdd');
  const pageSize = params.pageSize ?? 50;
  const currentPage = params.currentPage ?? 1;
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 50) {
    throw new RangeError('PageSize must be 1 to 50');
  }
  if (!Number.isInteger(currentPage) || currentPage < 1) {
    throw new RangeError('CurrentPage must be 1 or more');
  }
  return {
    action: 'QuerySendDetails',
    version: '2017-05-25',
    query: {
      PhoneNumber: params.phoneNumber,
      SendDate: params.sendDate,
      PageSize: String(pageSize),
      CurrentPage: String(currentPage),
      ...optional('BizId', params.bizId),
    },
  };
}

/** SendMessageToGlobe: one free text to one number (country code + number, no `+`). */
export function buildSendMessageToGlobe(params: {
  to: string;
  message: string;
  from?: string | undefined;
  taskId?: string | undefined;
  type?: 'OTP' | 'NOTIFY' | 'MKT' | undefined;
  validityPeriod?: number | undefined;
}): AlibabaRequest {
  if (!/^\d{5,20}$/.test(params.to)) throw new RangeError('To must be digits without +');
  return {
    action: 'SendMessageToGlobe',
    version: '2018-05-01',
    query: {
      To: params.to,
      Message: params.message,
      ...optional('From', params.from),
      ...idParam('TaskId', params.taskId, 255),
      ...optional('Type', params.type),
      ...optional('ValidityPeriod', params.validityPeriod?.toString()),
    },
  };
}

/** BatchSendMessageToGlobe: one text per number, both as JSON-array strings. */
export function buildBatchSendMessageToGlobe(params: {
  to: readonly string[];
  messages: readonly string[];
  from?: string | undefined;
  taskId?: string | undefined;
  type?: 'NOTIFY' | 'MKT' | undefined;
}): AlibabaRequest {
  within('BatchSendMessageToGlobe', params.to.length, MAX_BATCH_GLOBE_NUMBERS);
  if (params.messages.length !== params.to.length) {
    throw new RangeError('BatchSendMessageToGlobe: one message per number');
  }
  return {
    action: 'BatchSendMessageToGlobe',
    version: '2018-05-01',
    query: {
      To: JSON.stringify(params.to),
      Message: JSON.stringify(params.messages),
      ...optional('From', params.from),
      ...idParam('TaskId', params.taskId, 255),
      ...optional('Type', params.type),
    },
  };
}

/** QueryMessage: the status of one 2018 message. */
export function buildQueryMessage(params: { messageId: string }): AlibabaRequest {
  if (params.messageId === '') throw new RangeError('MessageId must not be empty');
  return { action: 'QueryMessage', version: '2018-05-01', query: { MessageId: params.messageId } };
}
