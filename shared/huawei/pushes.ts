import * as z from 'zod/mini';
import { AppError } from '../errors.ts';
import { describeIssues } from '../http/issues.ts';
import { type DeliveryReport, MAX_PARTS, type Push, type PushProblem } from '../ports/push.ts';
import { statusFromHuawei } from './status.ts';

/** Huawei sends at most 50 reports per batch push; a little slack, then refuse as abuse. */
export const MAX_REPORTS_PER_PUSH = 500;

const text = (max: number) => z.string().check(z.minLength(1), z.maxLength(max));
const count = z.optional(
  z.pipe(
    z.union([z.string().check(z.regex(/^\d{1,3}$/)), z.number().check(z.int())]),
    z.transform((value) => Number(value)),
  ),
);
const optionalText = (max: number) => z.optional(z.string().check(z.maxLength(max)));

// Not strict: Huawei may add fields; only the ones below are read.
const reportSchema = z.object({
  smsMsgId: text(100),
  status: text(32),
  total: count,
  sequence: count,
  updateTime: optionalText(40),
  statusDesc: optionalText(500),
  orgCode: optionalText(64),
  source: optionalText(8),
  extend: optionalText(128),
  to: optionalText(32),
});

const uplinkSchema = z.object({
  smsMsgId: text(100),
  from: text(32),
  to: text(32),
  body: z.string().check(z.maxLength(2000)),
  createTime: optionalText(40),
});

const UTC_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,3})?Z$/;

/**
 * Huawei's `yyyy-MM-ddTHH:mm:ssZ` (UTC) to ISO 8601; undefined when absent or not exactly that.
 * `new Date()` alone would roll 2026-11-31 over to December, read "Dec 1 2026" or "12", and read
 * a time without a zone in the machine's own zone: a wrong provider time instead of none.
 */
export function isoTime(value: string | undefined): string | undefined {
  const m = value ? UTC_TIME.exec(value) : null;
  if (!m) return undefined;
  const date = new Date(value as string);
  // A date that does not round-trip (2026-02-30, 24:00:00) is not a date.
  const iso = Number.isNaN(date.getTime()) ? '' : date.toISOString();
  return iso.slice(0, 19) === (value as string).slice(0, 19) ? iso : undefined;
}

function toReport(
  fields: z.output<typeof reportSchema>,
): DeliveryReport | { field: 'total' | 'sequence'; message: string } {
  const total = fields.total ?? 1;
  const sequence = fields.sequence ?? 1;
  if (total < 1 || total > MAX_PARTS)
    return { field: 'total', message: `must be between 1 and ${MAX_PARTS}` };
  if (sequence < 1 || sequence > total)
    return { field: 'sequence', message: 'must be between 1 and total' };
  return {
    provider: 'huawei',
    providerMessageId: fields.smsMsgId,
    trackingId: fields.smsMsgId,
    providerStatus: fields.status,
    status: statusFromHuawei(fields.status),
    total,
    sequence,
    updatedAt: isoTime(fields.updateTime),
    statusDesc: fields.statusDesc || undefined,
    orgCode: fields.orgCode || undefined,
    source: fields.source || undefined,
    extend: fields.extend || undefined,
    to: fields.to ? `+${fields.to.trim().replace(/^\+/, '')}` : undefined,
  };
}

function parseReports(entries: readonly unknown[], prefix: string): Push {
  const reports: DeliveryReport[] = [];
  const invalid: PushProblem[] = [];
  entries.forEach((entry, index) => {
    const path = prefix === '' ? '' : `${prefix}[${index}]`;
    const result = reportSchema.safeParse(entry);
    if (!result.success) {
      for (const detail of describeIssues(result.error.issues)) {
        invalid.push({
          path: path ? `${path}.${detail.path}` : detail.path,
          message: detail.message,
        });
      }
      return;
    }
    const report = toReport(result.data);
    if ('field' in report)
      invalid.push({
        path: path ? `${path}.${report.field}` : report.field,
        message: report.message,
      });
    else reports.push(report);
  });
  return { reports, invalid, inbound: [] };
}

/** A push whose body cannot be read at all: a `400` naming why. */
function unreadable(message: string): AppError {
  return new AppError('invalid_request', message);
}

/**
 * Reads a push from Huawei: a per-message status report (form), a batch of reports (JSON
 * `statusReportList`) or an uplink reply (form with `from` and `body`). Invalid entries of a
 * batch are listed, the valid ones still returned: one bad entry must not lose the others.
 */
export function parseHuaweiPush(contentType: string | undefined, body: string): Push {
  const type = (contentType ?? '').split(';')[0]?.trim().toLowerCase();
  if (type === 'application/json') {
    let json: unknown;
    try {
      json = JSON.parse(body);
    } catch {
      throw unreadable('the body is not valid JSON');
    }
    const list = (json as { statusReportList?: unknown } | null)?.statusReportList;
    if (list !== undefined && !Array.isArray(list))
      throw unreadable('statusReportList must be an array of reports');
    if (Array.isArray(list)) {
      if (list.length > MAX_REPORTS_PER_PUSH) {
        throw unreadable(`statusReportList holds more than ${MAX_REPORTS_PER_PUSH} reports`);
      }
      return parseReports(list, 'statusReportList');
    }
    return parseReports([json], '');
  }
  if (type === 'application/x-www-form-urlencoded') {
    const fields = Object.fromEntries(new URLSearchParams(body));
    if (fields.status === undefined && fields.body !== undefined) {
      const result = uplinkSchema.safeParse(fields);
      if (!result.success) {
        throw unreadable(
          `invalid uplink: ${describeIssues(result.error.issues)
            .map((d) => `${d.path} ${d.message}`)
            .join('; ')}`,
        );
      }
      const { smsMsgId, from, to, body: message, createTime } = result.data;
      return {
        reports: [],
        invalid: [],
        inbound: [
          {
            provider: 'huawei',
            providerMessageId: smsMsgId,
            from,
            to,
            body: message,
            createdAt: isoTime(createTime),
          },
        ],
      };
    }
    return parseReports([fields], '');
  }
  throw unreadable('Content-Type must be application/x-www-form-urlencoded or application/json');
}
