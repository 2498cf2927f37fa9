/** One template sent to a list of numbers (Huawei `batchSendSms`). */
export interface BatchSendSmsParams {
  from: string;
  to: readonly string[];
  templateId: string;
  templateParas?: readonly string[] | undefined;
  statusCallback?: string | undefined;
  extend?: string | undefined;
  signature?: string | undefined;
}

/** One group of `batchSendDiffSms`. */
export interface SmsContent {
  to: readonly string[];
  templateId: string;
  templateParas?: readonly string[] | undefined;
  signature?: string | undefined;
}

/** Several templates in one request (Huawei `batchSendDiffSms`). */
export interface BatchSendDiffSmsParams {
  from: string;
  statusCallback?: string | undefined;
  extend?: string | undefined;
  smsContent: readonly SmsContent[];
}

/** A request body ready to sign and send. */
export interface BuiltRequest {
  path: string;
  contentType: string;
  body: string;
}

export const BATCH_SEND_SMS_PATH = '/sms/batchSendSms/v1';
export const BATCH_SEND_DIFF_SMS_PATH = '/sms/batchSendDiffSms/v1';

/**
 * Form body for `batchSendSms`. `templateParas` travels as a JSON array serialised into one string
 * (`["123456","5"]`); the callback field is `statusCallback` (Huawei's Node sample misspells it).
 */
export function buildBatchSendSms(params: BatchSendSmsParams): BuiltRequest {
  const form = new URLSearchParams();
  form.set('from', params.from);
  form.set('to', params.to.join(','));
  form.set('templateId', params.templateId);
  if (params.templateParas && params.templateParas.length > 0) {
    form.set('templateParas', JSON.stringify(params.templateParas));
  }
  if (params.statusCallback) form.set('statusCallback', params.statusCallback);
  if (params.extend) form.set('extend', params.extend);
  if (params.signature) form.set('signature', params.signature);
  return {
    path: BATCH_SEND_SMS_PATH,
    contentType: 'application/x-www-form-urlencoded',
    body: form.toString(),
  };
}

/** JSON body for `batchSendDiffSms`; here `templateParas` is a real array. */
export function buildBatchSendDiffSms(params: BatchSendDiffSmsParams): BuiltRequest {
  const body = {
    from: params.from,
    ...(params.statusCallback ? { statusCallback: params.statusCallback } : {}),
    ...(params.extend ? { extend: params.extend } : {}),
    smsContent: params.smsContent.map((content) => ({
      to: content.to,
      templateId: content.templateId,
      ...(content.templateParas && content.templateParas.length > 0
        ? { templateParas: content.templateParas }
        : {}),
      ...(content.signature ? { signature: content.signature } : {}),
    })),
  };
  return {
    path: BATCH_SEND_DIFF_SMS_PATH,
    contentType: 'application/json',
    body: JSON.stringify(body),
  };
}
