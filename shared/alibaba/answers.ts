import type { RecipientOutcome } from '../ports/provider.ts';
import type { HttpResponse } from '../transport/sendOnce.ts';
import { mainlandTrackingId } from './numbers.ts';
import { readAnswer } from './response.ts';

/** A recipient as we know it (E.164) and as it went on the wire. */
export interface Addressed {
  to: string;
  wire: string;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** A JSON-array-of-strings string (`MessageIdList`, `FailedList`), or undefined. */
function stringList(value: unknown): string[] | undefined {
  if (Array.isArray(value)) return value.every((v) => typeof v === 'string') ? value : undefined;
  if (typeof value !== 'string') return undefined;
  try {
    return stringList(JSON.parse(value));
  } catch {
    return undefined;
  }
}

/**
 * SendSms / SendBatchSms: one answer for the whole request, one `BizId` for all its numbers.
 * A message is `BizId` + national number; accepted without a `BizId` it is untrackable: unknown.
 */
export function readBizIdAnswer(
  response: HttpResponse,
  recipients: readonly Addressed[],
): RecipientOutcome[] {
  const answer = readAnswer(response, '2017-05-25');
  if (!answer.ok)
    return recipients.map(({ to }) => ({ to, status: 'rejected', error: answer.error }));
  const bizId = text(answer.body.BizId);
  return recipients.map(
    ({ to, wire }): RecipientOutcome =>
      bizId
        ? {
            to,
            status: 'accepted',
            providerMessageId: bizId,
            trackingId: mainlandTrackingId(bizId, wire),
          }
        : { to, status: 'unknown' },
  );
}

/** SendMessageToGlobe: one number, one `MessageId`. */
export function readGlobeAnswer(response: HttpResponse, recipient: Addressed): RecipientOutcome {
  const answer = readAnswer(response, '2018-05-01');
  const { to } = recipient;
  if (!answer.ok) return { to, status: 'rejected', error: answer.error };
  const messageId = text(answer.body.MessageId);
  return messageId
    ? { to, status: 'accepted', providerMessageId: messageId }
    : { to, status: 'unknown' };
}

const FAILED = {
  code: 'FAILED_LIST',
  message: 'Alibaba listed this number as failed (no reason given); nothing was sent to it',
};

/**
 * BatchSendMessageToGlobe: numbers in `FailedList` are rejected; `MessageIdList` is matched to the
 * other numbers in order only when the counts agree (`SuccessCount` too, when given): otherwise
 * which id belongs to which number is a guess, and those numbers are unknown.
 */
export function readBatchGlobeAnswer(
  response: HttpResponse,
  recipients: readonly Addressed[],
): RecipientOutcome[] {
  const answer = readAnswer(response, '2018-05-01');
  if (!answer.ok)
    return recipients.map(({ to }) => ({ to, status: 'rejected', error: answer.error }));
  const failedList = answer.body.FailedList === undefined ? [] : stringList(answer.body.FailedList);
  const ids = stringList(answer.body.MessageIdList);
  if (!failedList) return recipients.map(({ to }) => ({ to, status: 'unknown' }));
  const failed = new Set(failedList.map((n) => n.replace(/^\+/, '')));
  const sent = recipients.filter(({ wire }) => !failed.has(wire));
  const successCount = Number(answer.body.SuccessCount ?? sent.length);
  const trusted =
    ids !== undefined &&
    ids.length === sent.length &&
    successCount === sent.length &&
    failed.size === recipients.length - sent.length &&
    ids.every((id) => id !== '');
  let next = 0;
  return recipients.map(({ to, wire }): RecipientOutcome => {
    if (failed.has(wire)) return { to, status: 'rejected', error: FAILED };
    const id = trusted ? ids[next++] : undefined;
    return id ? { to, status: 'accepted', providerMessageId: id } : { to, status: 'unknown' };
  });
}
