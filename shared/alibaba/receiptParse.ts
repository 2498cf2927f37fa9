import * as z from 'zod/mini';
import { AppError } from '../errors.ts';
import { describeIssues } from '../http/issues.ts';
import { isCorrelation } from '../messageId.ts';
import type { DeliveryReport, Push, PushProblem } from '../ports/push.ts';
import { mainlandTrackingId, nationalFromReceipt } from './numbers.ts';
import { beijingToIso, rfc2822ToIso } from './times.ts';

/**
 * Alibaba's push batches are not documented as bounded, and a refused push is retried whole and
 * then dropped: the bound is far above any real push (the handler's 1 MiB body limit holds about
 * 4,000 receipts), so it only stops abuse.
 */
export const MAX_RECEIPTS_PER_PUSH = 10_000;

const text = (max: number) => z.string().check(z.minLength(1), z.maxLength(max));
/**
 * A descriptive field: absent, `null` or any string (cut to `max` when read). Being lenient
 * here never attaches a receipt to another message, and refusing would lose a genuine one.
 */
const optionalText = (_max: number) => z.nullish(z.string());
const numeric = z.nullish(z.union([z.string(), z.number()]));
const cut = (value: string | null | undefined, max: number) =>
  value ? value.slice(0, max) : undefined;

// Not strict: Alibaba may add fields; only these are read.
const mainlandSchema = z.object({
  phone_number: text(32),
  biz_id: text(100),
  success: z.union([z.boolean(), z.enum(['true', 'false'])]),
  err_code: optionalText(64),
  err_msg: optionalText(500),
  send_time: optionalText(40),
  report_time: optionalText(40),
  sms_size: numeric,
  out_id: optionalText(256),
});

const internationalSchema = z.object({
  MessageId: text(100),
  To: optionalText(32),
  Status: z.union([
    z.enum(['1', '2', '3', '6']),
    z.literal(1),
    z.literal(2),
    z.literal(3),
    z.literal(6),
  ]),
  ErrorCode: optionalText(64),
  ErrorDescription: optionalText(500),
  SendDate: optionalText(64),
  ReceiveDate: optionalText(64),
  TaskId: optionalText(256),
  SmsSize: numeric,
});

const INTERNATIONAL_STATUS = {
  '1': 'delivered',
  '2': 'failed',
  // Not in the push docs, but QueryMessage's "delivering": still on its way.
  '3': 'accepted',
  '6': 'expired',
} as const;

/** `OutId`/`TaskId` carry the call's correlation when the request had no reference. */
function correlationOf(id: string | null | undefined): { correlation?: string } {
  return isCorrelation(id ?? undefined) ? { correlation: id as string } : {};
}

function mainlandReport(fields: z.output<typeof mainlandSchema>): DeliveryReport {
  const success = fields.success === true || fields.success === 'true';
  const code = cut(fields.err_code, 64) || (success ? 'DELIVERED' : 'FAILED');
  return {
    provider: 'alibaba',
    providerMessageId: fields.biz_id,
    // The same string the client built at submit: BizId + national number.
    trackingId: mainlandTrackingId(fields.biz_id, nationalFromReceipt(fields.phone_number)),
    providerStatus: code,
    // A carrier's EXPIRED (validity period over) is its own outcome, as with Huawei.
    status: success ? 'delivered' : code === 'EXPIRED' ? 'expired' : 'failed',
    total: 1,
    sequence: 1,
    updatedAt: beijingToIso(fields.report_time ?? undefined),
    statusDesc: cut(fields.err_msg, 500),
    extend: cut(fields.out_id, 256),
    to: `+86${nationalFromReceipt(fields.phone_number)}`,
    ...correlationOf(fields.out_id),
  };
}

function internationalReport(fields: z.output<typeof internationalSchema>): DeliveryReport {
  const status = String(fields.Status) as keyof typeof INTERNATIONAL_STATUS;
  return {
    provider: 'alibaba',
    providerMessageId: fields.MessageId,
    trackingId: fields.MessageId,
    providerStatus: status,
    status: INTERNATIONAL_STATUS[status],
    total: 1,
    sequence: 1,
    updatedAt: rfc2822ToIso(fields.ReceiveDate ?? undefined),
    statusDesc: cut(fields.ErrorDescription, 500),
    orgCode: cut(fields.ErrorCode, 64),
    extend: cut(fields.TaskId, 256),
    to: fields.To ? `+${fields.To.trim().replace(/^\+/, '').slice(0, 31)}` : undefined,
    ...correlationOf(fields.TaskId),
  };
}

function problems(prefix: string, issues: Parameters<typeof describeIssues>[0]): PushProblem[] {
  return describeIssues(issues).map((d) => ({
    path: d.path === '(body)' ? prefix : `${prefix}.${d.path}`,
    message: d.message,
  }));
}

/** One receipt of either format, or why it cannot be read. */
function readEntry(entry: unknown, prefix: string): DeliveryReport | PushProblem[] {
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
    return [{ path: prefix, message: 'must be an object' }];
  }
  if ('biz_id' in entry || 'phone_number' in entry) {
    const result = mainlandSchema.safeParse(entry);
    return result.success ? mainlandReport(result.data) : problems(prefix, result.error.issues);
  }
  if ('MessageId' in entry || 'To' in entry) {
    const result = internationalSchema.safeParse(entry);
    return result.success
      ? internationalReport(result.data)
      : problems(prefix, result.error.issues);
  }
  return [{ path: prefix, message: 'is neither a mainland nor an international receipt' }];
}

/**
 * Reads a receipt push: a JSON array of mainland (snake_case) and/or international (PascalCase)
 * receipts. Invalid entries are listed, the valid ones still returned: one bad entry must not
 * lose the others. A body that is not such an array is an `invalid_request`.
 */
export function parseAlibabaReceipts(body: string): Push {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw new AppError('invalid_request', 'the body is not valid JSON');
  }
  if (!Array.isArray(json)) throw new AppError('invalid_request', 'the body must be a JSON array');
  if (json.length > MAX_RECEIPTS_PER_PUSH) {
    throw new AppError(
      'invalid_request',
      `more than ${MAX_RECEIPTS_PER_PUSH} receipts in one push`,
    );
  }
  const push: Push = { reports: [], inbound: [], invalid: [] };
  json.forEach((entry, index) => {
    const read = readEntry(entry, `[${index}]`);
    if (Array.isArray(read)) push.invalid.push(...read);
    else push.reports.push(read);
  });
  return push;
}
