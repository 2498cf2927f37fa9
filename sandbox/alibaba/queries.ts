/** The query APIs, answered from what the sandbox sent: QuerySendDetails (2017-05-25), QueryMessage (2018-05-01). */
import type { Action } from './context.ts';
import { VERSION_2017 } from './dysms2017.ts';
import { VERSION_2018 } from './globe2018.ts';
import { numberDetail, parseDysmsNumber } from './numbers.ts';
import type { Params } from './params.ts';
import { dysmsError, dysmsReply, globeError, globeReply } from './replies.ts';
import { formatBeijing, formatBeijingDay, formatGlobeDate, parseBeijingDay } from './time.ts';
import type { AlibabaMessage } from './types.ts';

/** QuerySendDetails: records of the last 30 days. */
const QUERY_DAYS = 30;

/** A positive integer parameter within bounds, or `isv.INVALID_PARAMETERS`. */
function integer(params: Params, name: string, min: number, max: number): number {
  const text = params.required(name);
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < min || value > max) {
    throw dysmsError('isv.INVALID_PARAMETERS', `${name} must be an integer from ${min} to ${max}`);
  }
  return value;
}

/** `SendStatus`: 1 waiting for the receipt, 2 failed, 3 delivered. */
function sendStatus(message: AlibabaMessage): number {
  if (!message.result) return 1;
  return message.result.state === 'delivered' ? 3 : 2;
}

/**
 * QuerySendDetails: one number's messages of one (Beijing) day, optionally of one `BizId`, newest
 * first, paged.
 */
export const querySendDetails: Action = (context) => {
  const { params, now, state } = context;
  const phone = params.required('PhoneNumber');
  const sendDate = params.required('SendDate');
  const recipient = parseDysmsNumber(phone);
  if (!recipient) throw dysmsError('isv.MOBILE_NUMBER_ILLEGAL');
  const day = parseBeijingDay(sendDate);
  const today = parseBeijingDay(formatBeijingDay(now));
  if (!day || !today) throw dysmsError('isv.INVALID_PARAMETERS', 'SendDate must be yyyyMMdd');
  const age = (today.getTime() - day.getTime()) / 86_400_000;
  if (age < 0 || age >= QUERY_DAYS) {
    throw dysmsError('isv.INVALID_PARAMETERS', 'SendDate must be within the last 30 days');
  }
  const pageSize = integer(params, 'PageSize', 1, 50);
  const currentPage = integer(params, 'CurrentPage', 1, Number.MAX_SAFE_INTEGER);
  const bizId = params.optional('BizId');

  const matching = [...state.messages.values()]
    .filter(
      (m) =>
        m.version === VERSION_2017 &&
        m.number === recipient.number &&
        formatBeijingDay(m.sentAt) === sendDate &&
        (bizId === undefined || m.bizId === bizId),
    )
    .reverse()
    .sort((a, b) => b.sentAt.getTime() - a.sentAt.getTime());
  const page = matching.slice((currentPage - 1) * pageSize, currentPage * pageSize);
  const details = page.map((m) => ({
    PhoneNum: m.phoneNumber,
    SendStatus: sendStatus(m),
    ...(m.result ? { ErrCode: m.result.code } : {}),
    TemplateCode: m.templateCode,
    Content: m.content,
    SendDate: formatBeijing(m.sentAt),
    ...(m.result ? { ReceiveDate: formatBeijing(m.result.at) } : {}),
    ...(m.outId !== undefined ? { OutId: m.outId } : {}),
  }));
  return {
    reply: dysmsReply('OK', 'OK', {
      TotalCount: String(matching.length),
      SmsSendDetailDTOs: { SmsSendDetailDTO: details },
    }),
    accepted: [],
  };
};

/** `Status`: 1 delivered, 2 failed (expired included), 3 still delivering. */
function status(message: AlibabaMessage): string {
  if (!message.result) return '3';
  return message.result.state === 'delivered' ? '1' : '2';
}

/** QueryMessage: one message by `MessageId`. */
export const queryMessage: Action = (context) => {
  const id = context.params.required('MessageId');
  const message = context.state.messages.get(id);
  if (!message || message.version !== VERSION_2018) throw globeError('DATA_NOT_EXIST');
  const { result } = message;
  return {
    reply: globeReply('OK', 'OK', {
      MessageId: id,
      Status: status(message),
      ...(result ? { ErrorCode: result.code, ErrorDescription: result.description } : {}),
      SendDate: formatGlobeDate(message.sentAt),
      ...(result ? { ReceiveDate: formatGlobeDate(result.at) } : {}),
      To: message.number,
      Message: message.content,
      NumberDetail: numberDetail(message.number),
    }),
    accepted: [],
  };
};
