import { ProviderError } from '../errors.ts';
import type { HttpResponse } from '../transport/sendOnce.ts';
import type { Deadline } from '../util/deadline.ts';
import { buildQueryMessage, buildQuerySendDetails } from './builders.ts';
import type { AlibabaCall } from './caller.ts';
import { mainlandNational } from './numbers.ts';
import { type ApiVersion, readAnswer } from './response.ts';
import { beijingDay, beijingToIso, rfc2822ToIso } from './times.ts';

/** Our status for a status Alibaba reports when asked. */
export type QueriedStatus = 'accepted' | 'delivered' | 'failed';

/** One message of QuerySendDetails (message text left out: it may hold a code). */
export interface SendDetail {
  phoneNumber: string;
  /** 1 waiting for the receipt, 2 failed, 3 delivered. */
  sendStatus: 1 | 2 | 3;
  status: QueriedStatus;
  errCode?: string | undefined;
  templateCode?: string | undefined;
  outId?: string | undefined;
  /** ISO 8601, from Beijing time. */
  sendDate?: string | undefined;
  receiveDate?: string | undefined;
}

/** One page of QuerySendDetails. */
export interface SendDetailsPage {
  totalCount: number;
  details: SendDetail[];
  /** Entries that could not be read (left out of `details`). */
  unreadable: number;
}

/** QueryMessage's answer for one 2018 message. */
export interface MessageDetail {
  messageId: string;
  /** 1 delivered, 2 failed, 3 delivering. */
  statusCode: 1 | 2 | 3;
  status: QueriedStatus;
  errorCode?: string | undefined;
  errorDescription?: string | undefined;
  to?: string | undefined;
  sendDate?: string | undefined;
  receiveDate?: string | undefined;
}

const SEND_STATUS: Record<string, QueriedStatus> = {
  '1': 'accepted',
  '2': 'failed',
  '3': 'delivered',
};
const MESSAGE_STATUS: Record<string, QueriedStatus> = {
  '1': 'delivered',
  '2': 'failed',
  '3': 'accepted',
};

function lookup(table: Record<string, QueriedStatus>, key: string | undefined) {
  return key !== undefined && Object.hasOwn(table, key) ? table[key] : undefined;
}

function str(value: unknown): string | undefined {
  if (typeof value === 'number') return String(value);
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** A query's body; a refusal of the query is a ProviderError (there is no recipient to reject). */
function queryBody(response: HttpResponse, version: ApiVersion): Record<string, unknown> {
  const answer = readAnswer(response, version);
  if (answer.ok) return answer.body;
  const code = answer.error.code === 'rate_limited' ? 'rate_limited' : 'provider_rejected';
  throw new ProviderError(code, answer.error.message, { providerCode: answer.error.code });
}

/** QuerySendDetails: what Alibaba knows of one +86 number's messages on one Beijing day. */
export function querySendDetails(
  call: AlibabaCall,
  params: {
    to: string;
    sendDate: Date;
    bizId?: string | undefined;
    pageSize?: number;
    currentPage?: number;
  },
  deadline: Deadline,
): Promise<SendDetailsPage> {
  const phoneNumber = mainlandNational(params.to);
  if (!phoneNumber) throw new RangeError('QuerySendDetails takes a +86 mobile number');
  const request = buildQuerySendDetails({
    phoneNumber,
    sendDate: beijingDay(params.sendDate),
    bizId: params.bizId,
    pageSize: params.pageSize,
    currentPage: params.currentPage,
  });
  return call(request, (response) => readSendDetails(queryBody(response, '2017-05-25')), deadline);
}

/** Reads `SmsSendDetailDTOs.SmsSendDetailDTO[]` (`TotalCount` is a string). */
export function readSendDetails(body: Record<string, unknown>): SendDetailsPage {
  const wrapper = body.SmsSendDetailDTOs as { SmsSendDetailDTO?: unknown } | undefined;
  const raw = Array.isArray(wrapper?.SmsSendDetailDTO) ? wrapper.SmsSendDetailDTO : [];
  const details: SendDetail[] = [];
  for (const item of raw as Array<Record<string, unknown> | null>) {
    const sendStatus = str(item?.SendStatus);
    const phoneNumber = str(item?.PhoneNum);
    const status = lookup(SEND_STATUS, sendStatus);
    if (!item || !phoneNumber || !status) continue;
    details.push({
      phoneNumber,
      sendStatus: Number(sendStatus) as 1 | 2 | 3,
      status,
      errCode: str(item.ErrCode),
      templateCode: str(item.TemplateCode),
      outId: str(item.OutId),
      sendDate: beijingToIso(str(item.SendDate)),
      receiveDate: beijingToIso(str(item.ReceiveDate)),
    });
  }
  const total = Number(str(body.TotalCount) ?? details.length);
  return {
    totalCount: Number.isFinite(total) ? total : details.length,
    details,
    unreadable: raw.length - details.length,
  };
}

/** QueryMessage: the status of one 2018 message. */
export function queryMessage(
  call: AlibabaCall,
  messageId: string,
  deadline: Deadline,
): Promise<MessageDetail> {
  return call(
    buildQueryMessage({ messageId }),
    (response) => readMessageDetail(messageId, queryBody(response, '2018-05-01')),
    deadline,
  );
}

/** Reads QueryMessage's fields; a missing or unknown `Status` cannot be read: outcome unknown. */
export function readMessageDetail(messageId: string, body: Record<string, unknown>): MessageDetail {
  const code = str(body.Status);
  const status = lookup(MESSAGE_STATUS, code);
  if (!status) {
    throw new ProviderError(
      'provider_timeout',
      'Alibaba answered QueryMessage without a readable Status',
      {
        outcome: 'unknown',
      },
    );
  }
  return {
    messageId: str(body.MessageId) ?? messageId,
    statusCode: Number(code) as 1 | 2 | 3,
    status,
    errorCode: str(body.ErrorCode),
    errorDescription: str(body.ErrorDescription),
    to: str(body.To),
    sendDate: rfc2822ToIso(str(body.SendDate)),
    receiveDate: rfc2822ToIso(str(body.ReceiveDate)),
  };
}
