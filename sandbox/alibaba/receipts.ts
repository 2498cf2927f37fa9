import { formatBeijing, formatGlobeDate } from './time.ts';
import type { AlibabaMessage, DeliveryResult } from './types.ts';

/** Time between a receipt and its duplicate. */
export const FOLLOW_UP_MS = 300;

/** A receipt as pushed: an object of one of the two formats, keys in wire order. */
export type Receipt = Readonly<Record<string, string | boolean>>;

/**
 * The outcome of a message once the carrier answered. Mainland codes are carrier receipt codes
 * (`DELIVERED`, `MN:0001` unknown number, `EXPIRED`), international ones SMPP-style states.
 */
export function resultOf(message: AlibabaMessage, at: Date): DeliveryResult {
  const mainland = message.version === '2017-05-25';
  switch (message.outcome) {
    case 'undelivered':
      return mainland
        ? { state: 'failed', code: 'MN:0001', description: '空号', at }
        : {
            state: 'failed',
            code: 'UNDELIV',
            description: 'The message could not be delivered to the handset.',
            at,
          };
    case 'expired':
      return mainland
        ? { state: 'expired', code: 'EXPIRED', description: '短信超过有效期', at }
        : {
            state: 'expired',
            code: 'EXPIRED',
            description: 'The validity period ended before the message was delivered.',
            at,
          };
    default:
      return mainland
        ? { state: 'delivered', code: 'DELIVERED', description: '用户接收成功', at }
        : { state: 'delivered', code: 'DELIVERED', description: 'success', at };
  }
}

/**
 * A 2017-05-25 receipt (`SmsReport`, snake_case): Beijing times without zone, `sms_size` the billed
 * parts, `out_id` only when the request had an `OutId`.
 */
export function mainlandReceipt(message: AlibabaMessage, result: DeliveryResult): Receipt {
  return {
    phone_number: message.phoneNumber,
    send_time: formatBeijing(message.sentAt),
    report_time: formatBeijing(result.at),
    success: result.state === 'delivered',
    err_code: result.code,
    err_msg: result.description,
    sms_size: String(message.parts),
    biz_id: message.bizId ?? '',
    ...(message.outId !== undefined ? { out_id: message.outId } : {}),
  };
}

/** International `Status`: 1 delivered, 2 failed, 6 expired (validity period passed). */
const GLOBE_STATUS = { delivered: '1', failed: '2', expired: '6' } as const;

/**
 * A 2018-05-01 receipt (PascalCase): `+0800` dates, `Status` 1/2/6, `ErrorCode` `success` when
 * delivered (QueryMessage says `DELIVERED` for the same message, as Alibaba's do), `TaskId` only
 * when the request had one.
 */
export function internationalReceipt(message: AlibabaMessage, result: DeliveryResult): Receipt {
  const delivered = result.state === 'delivered';
  return {
    To: message.number,
    SendDate: formatGlobeDate(message.sentAt),
    ReceiveDate: formatGlobeDate(result.at),
    Status: GLOBE_STATUS[result.state],
    ErrorCode: delivered ? 'success' : result.code,
    ErrorDescription: result.description,
    ...(message.taskId !== undefined ? { TaskId: message.taskId } : {}),
    SmsSize: String(message.parts),
    MessageId: message.messageId ?? '',
  };
}

/** Whether a receiver's answer is Alibaba's acknowledgement: HTTP 200 and JSON whose `code` is the number 0. */
export function acknowledges(status: number, text: string): boolean {
  if (status !== 200) return false;
  try {
    const body: unknown = JSON.parse(text);
    return typeof body === 'object' && body !== null && (body as { code?: unknown }).code === 0;
  } catch {
    return false;
  }
}
