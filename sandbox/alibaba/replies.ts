import { randomUUID } from 'node:crypto';
import type { Reply } from '../common/http.ts';

export type { Reply };

/** Where the real gateway lives, for `HostId` when a request carries no Host. */
export const DEFAULT_HOST = 'dysmsapi.aliyuncs.com';

/** An upper-case UUID, the shape of Alibaba's `RequestId`. */
export function newRequestId(): string {
  return randomUUID().toUpperCase();
}

/**
 * A gateway error (HTTP 4xx/5xx): `{RequestId, HostId, Code, Message, Recommend}`, the shape of
 * Alibaba's POP gateway for authentication, routing, missing parameters, throttling, outages.
 */
export function gatewayError(status: number, code: string, message: string, host: string): Reply {
  const requestId = newRequestId();
  return {
    status,
    body: {
      RequestId: requestId,
      HostId: host === '' ? DEFAULT_HOST : host,
      Code: code,
      Message: message,
      Recommend: `https://api.aliyun.com/troubleshoot?q=${encodeURIComponent(code)}&product=Dysmsapi&requestId=${requestId}`,
    },
  };
}

/** A 2017-05-25 answer (HTTP 200): `{Code, Message, RequestId}` plus any fields of a success. */
export function dysmsReply(code: string, message: string, extra: object = {}): Reply {
  return {
    status: 200,
    body: { Code: code, Message: message, ...extra, RequestId: newRequestId() },
  };
}

/** A 2018-05-01 answer (HTTP 200): `{ResponseCode, ResponseDescription, RequestId}` plus fields. */
export function globeReply(code: string, description: string, extra: object = {}): Reply {
  return {
    status: 200,
    body: {
      ResponseCode: code,
      ResponseDescription: description,
      ...extra,
      RequestId: newRequestId(),
    },
  };
}

/**
 * Thrown by parameter checks to end a request with an answer; caught in exactly one place (the
 * handler), so the checks read top to bottom.
 */
export class Refused extends Error {
  readonly reply: Reply;
  constructor(reply: Reply) {
    super('refused');
    this.name = 'Refused';
    this.reply = reply;
  }
}

/** Whether something thrown is a `Refused` (by name: bundling can duplicate classes). */
export function isRefused(thrown: unknown): thrown is Refused {
  return thrown instanceof Error && thrown.name === 'Refused' && 'reply' in thrown;
}

/** POP's answer for a required parameter that is absent or empty. */
export function missingParameter(name: string, host: string): Refused {
  return new Refused(
    gatewayError(400, `Missing${name}`, `${name} is mandatory for this action.`, host),
  );
}

/** The business codes the sandbox answers with, and Alibaba's own texts for them. */
export const DYSMS_MESSAGES: Readonly<Record<string, string>> = {
  'isv.MOBILE_NUMBER_ILLEGAL': '非法手机号',
  'isv.MOBILE_COUNT_OVER_LIMIT': '手机号码数量超过限制',
  'isv.SMS_TEMPLATE_ILLEGAL': '该账号下找不到对应模板',
  'isv.SMS_SIGNATURE_ILLEGAL': '该账号下找不到对应签名',
  'isv.INVALID_JSON_PARAM': 'JSON参数不合法，只接受字符串值',
  'isv.INVALID_PARAMETERS': '参数异常',
  'isv.EXTEND_CODE_ERROR': '扩展码使用错误',
  'isv.BUSINESS_LIMIT_CONTROL': '触发分钟级流控Permits:1',
  'isv.AMOUNT_NOT_ENOUGH': '账户余额不足',
};

/** A 2017-05-25 business refusal with Alibaba's text for the code (and our detail after it). */
export function dysmsError(code: string, detail?: string): Refused {
  const text = DYSMS_MESSAGES[code] ?? code;
  return new Refused(dysmsReply(code, detail ? `${text}: ${detail}` : text));
}

/** The 2018-05-01 business codes (no `isv.` prefix there) and their descriptions. */
export const GLOBE_DESCRIPTIONS: Readonly<Record<string, string>> = {
  MOBILE_NUMBER_ILLEGAL: 'The mobile phone number is invalid.',
  MOBILE_COUNT_OVER_LIMIT: 'The number of mobile phone numbers exceeds 1,000.',
  DOMESTIC_NUMBER_NOT_SUPPORTED:
    'SendMessageToGlobe cannot send messages to the Chinese mainland: use SendSms.',
  INVALID_PARAMETERS: 'The parameters are invalid.',
  INVALID_JSON_PARAM: 'The JSON parameter is empty or cannot be parsed.',
  INVALID_SENDERID: 'The sender ID is invalid or unapproved.',
  BUSINESS_LIMIT_CONTROL: 'The sending frequency limit for this number was reached.',
  AMOUNT_NOT_ENOUGH: 'The account balance or resource plan is insufficient.',
  DATA_NOT_EXIST: 'The queried message record does not exist.',
};

/** A 2018-05-01 business refusal. */
export function globeError(code: string, detail?: string): Refused {
  const text = GLOBE_DESCRIPTIONS[code] ?? code;
  return new Refused(globeReply(code, detail ? `${text} ${detail}` : text));
}
