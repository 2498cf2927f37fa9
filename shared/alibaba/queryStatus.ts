import type { QueriedStatus, QueryTarget } from '../ports/provider.ts';
import type { Deadline } from '../util/deadline.ts';
import type { AlibabaCall } from './caller.ts';
import { isMainland, mainlandNational } from './numbers.ts';
import { type MessageDetail, queryMessage, querySendDetails, type SendDetail } from './queries.ts';

/**
 * Calls per second the query APIs get from one reconciliation: QueryMessage allows 300 per
 * account; a third of it leaves room for anything else the account runs.
 */
export const ALIBABA_QUERY_RATE = 100;
/** QuerySendDetails pages (50 messages each) read for one number's day before giving up. */
const MAX_PAGES = 4;
const PAGE_SIZE = 50;
/** A message sent before its record's time (clock skew), or this long after it, is another one. */
const EARLY_MS = 5 * 60_000;
const LATE_MS = 10 * 60_000;
const HOUR_MS = 3_600_000;

function fromDetail(detail: SendDetail, bizId: string | undefined): QueriedStatus {
  return {
    status: detail.status,
    providerStatus: detail.errCode ?? String(detail.sendStatus),
    ...(bizId ? { providerMessageId: bizId } : {}),
    ...(detail.status !== 'accepted' && detail.receiveDate
      ? { updatedAt: detail.receiveDate }
      : {}),
  };
}

function fromMessage(detail: MessageDetail): QueriedStatus {
  return {
    status: detail.status,
    providerStatus: String(detail.statusCode),
    providerMessageId: detail.messageId,
    ...(detail.status !== 'accepted' && detail.receiveDate
      ? { updatedAt: detail.receiveDate }
      : {}),
    ...(detail.errorDescription && detail.status === 'failed'
      ? { description: detail.errorDescription }
      : {}),
  };
}

/**
 * What Alibaba knows of one message: QueryMessage by `MessageId` (2018-05-01), QuerySendDetails
 * by number and day (2017-05-25), with the `BizId` when the submit's answer gave one, else by the
 * `OutId` the request carried and the time it was sent (an `unknown` submit). Undefined when
 * Alibaba knows nothing of it, or it cannot be asked (an international submit never answered has
 * no `MessageId` to ask about).
 */
export async function queryAlibabaStatus(
  call: AlibabaCall,
  target: QueryTarget,
  deadline: Deadline,
): Promise<QueriedStatus | undefined> {
  if (!isMainland(target.to)) {
    if (!target.providerMessageId) return undefined;
    return fromMessage(await queryMessage(call, target.providerMessageId, deadline));
  }
  const national = mainlandNational(target.to);
  if (!national) return undefined;
  const bizId = target.trackingId?.split(':')[0] ?? target.providerMessageId;
  const outId = target.reference ?? target.correlation;
  const sentAt = Date.parse(target.submittedAt);
  // The Beijing day of the submit, and the next one when it was sent just before midnight.
  const days = [new Date(sentAt)];
  if (new Date(sentAt + 8 * HOUR_MS).getUTCHours() === 23) days.push(new Date(sentAt + HOUR_MS));
  for (const day of days) {
    for (let page = 1; page <= MAX_PAGES; page++) {
      const answer = await querySendDetails(
        call,
        { to: target.to, sendDate: day, bizId, pageSize: PAGE_SIZE, currentPage: page },
        deadline,
      );
      const match = answer.details.find((detail) => {
        if (detail.phoneNumber.replace(/^(\+?86|0086)/, '') !== national) return false;
        if (bizId) return true;
        if (outId === undefined || detail.outId !== outId) return false;
        const at = detail.sendDate ? Date.parse(detail.sendDate) : Number.NaN;
        return Number.isFinite(at) && at >= sentAt - EARLY_MS && at <= sentAt + LATE_MS;
      });
      if (match) return fromDetail(match, bizId);
      if (page * PAGE_SIZE >= answer.totalCount) break;
    }
  }
  return undefined;
}
