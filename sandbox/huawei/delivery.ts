import { createHash } from 'node:crypto';
import { formatCreateTime } from './accept.ts';
import type { DeliveryOutcome } from './deliveryNumbers.ts';
import type { SandboxMessage } from './types.ts';
import {
  ACCEPTED,
  BLOCKLISTED,
  DELETED,
  DELIVERED,
  EXPIRED,
  EXPIRED_UNREPORTED,
  GATEWAY_UNMATCHED,
  MINUTE_LIMIT,
  OPERATOR_BLOCKLISTED,
  REJECTED,
  ROUTE_ERROR,
  UNDELIVERED,
  UNKNOWN,
  type Verdict,
} from './verdicts.ts';

/**
 * One status report as Huawei pushes it: every value a string (`total` and `sequence` too, in the
 * JSON batch as well), keys in the order they go on the wire.
 */
export type StatusReport = Readonly<Record<string, string>>;

/** A report and when to push it, counted from acceptance. */
export interface PlannedReport {
  afterMs: number;
  report: StatusReport;
}

/** Time between the parts of a two-part message, and between a report and its duplicate or straggler. */
export const FOLLOW_UP_MS = 300;
/** `slow` reports after this many delivery delays. */
export const SLOW_FACTOR = 5;

/** Outcomes of several reports, or of one at another time. */
type PlannedOutcome =
  | 'slow'
  | 'never'
  | 'two_part'
  | 'two_part_mixed'
  | 'duplicate'
  | 'out_of_order';
type SingleOutcome = Exclude<DeliveryOutcome, PlannedOutcome>;

/** The outcomes that are one report after the delivery delay, and what that report says. */
const SINGLE: Readonly<Record<SingleOutcome, Verdict>> = {
  delivered: DELIVERED,
  undelivered: UNDELIVERED,
  expired: EXPIRED,
  rejected: REJECTED,
  route_error: ROUTE_ERROR,
  minute_limit: MINUTE_LIMIT,
  blocklisted: BLOCKLISTED,
  operator_blocklisted: OPERATOR_BLOCKLISTED,
  deleted: DELETED,
  unknown: UNKNOWN,
  gateway_unmatched: GATEWAY_UNMATCHED,
  expired_unreported: EXPIRED_UNREPORTED,
};

/**
 * The reports an accepted message will get. `updateTime` is the acceptance time plus the moment
 * the event happens, so it is deterministic under an injected clock.
 */
export function planReports(
  message: SandboxMessage,
  outcome: DeliveryOutcome,
  deliveryDelayMs: number,
): PlannedReport[] {
  const d = deliveryDelayMs;
  const at = (eventMs: number, verdict: Verdict, total = 1, sequence = 1) =>
    statusReport(
      message,
      verdict,
      new Date(message.createdAt.getTime() + eventMs),
      total,
      sequence,
    );
  const single = (verdict: Verdict, afterMs = d): PlannedReport[] => [
    { afterMs, report: at(afterMs, verdict) },
  ];
  if (isSingle(outcome)) return single(SINGLE[outcome]);
  switch (outcome) {
    case 'slow':
      return single(DELIVERED, SLOW_FACTOR * d);
    case 'never':
      return [];
    case 'two_part':
    case 'two_part_mixed': {
      const second = outcome === 'two_part' ? DELIVERED : UNDELIVERED;
      return [
        { afterMs: d, report: at(d, DELIVERED, 2, 1) },
        { afterMs: d + FOLLOW_UP_MS, report: at(d + FOLLOW_UP_MS, second, 2, 2) },
      ];
    }
    case 'duplicate': {
      const report = at(d, DELIVERED);
      return [
        { afterMs: d, report },
        { afterMs: d + FOLLOW_UP_MS, report },
      ];
    }
    case 'out_of_order':
      // The ACCEPTD arrives last but carries a time at least a second (one tick of `updateTime`)
      // before the DELIVRD's, as a late intermediate report does.
      return [
        { afterMs: d, report: at(d, DELIVERED) },
        { afterMs: d + FOLLOW_UP_MS, report: at(Math.min(0, d - 1000), ACCEPTED) },
      ];
  }
}

function isSingle(outcome: DeliveryOutcome): outcome is SingleOutcome {
  return Object.hasOwn(SINGLE, outcome);
}

/**
 * Huawei: orgCode "is contained only in status reports of international SMSs"; a message to a
 * Chinese mainland number goes as Chinese mainland SMS (the guide's own DELIVRD example has none).
 */
function isInternational(to: string): boolean {
  return !to.startsWith('+86');
}

/**
 * Builds one report with its fields in a per-report shuffled order (Huawei's order varies).
 * `updateTime` is when the platform received the SMSC's report, so a report the platform makes
 * itself (source 1 or 3) has none: "When the Message & SMS platform does not receive the SMS
 * status report from the SMSC, the platform constructs a status report that does not contain the
 * updateTime parameter."
 */
export function statusReport(
  message: SandboxMessage,
  verdict: Verdict,
  updateTime: Date,
  total = 1,
  sequence = 1,
): StatusReport {
  const fromSmsc = verdict.source === '2';
  const fields: Array<[string, string]> = [
    ['smsMsgId', message.smsMsgId],
    ['status', verdict.status],
    ['source', verdict.source],
  ];
  if (fromSmsc) fields.push(['updateTime', formatCreateTime(updateTime)]);
  if (fromSmsc && verdict.orgCode !== undefined && isInternational(message.to)) {
    fields.push(['orgCode', verdict.orgCode]);
  }
  fields.push(['total', String(total)], ['sequence', String(sequence)]);
  if (verdict.statusDesc !== undefined) fields.push(['statusDesc', verdict.statusDesc]);
  if (message.extend !== undefined) {
    fields.push(['extend', message.extend], ['to', message.to]);
  }
  return Object.fromEntries(shuffle(fields, `${message.smsMsgId}|${verdict.status}|${sequence}`));
}

/** Fisher-Yates driven by SHA-256 of the seed: the same report always gets the same order. */
function shuffle<T>(items: T[], seed: string): T[] {
  const bytes = createHash('sha256').update(seed).digest();
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = (bytes[i % bytes.length] ?? 0) % (i + 1);
    const swap = out[i] as T;
    out[i] = out[j] as T;
    out[j] = swap;
  }
  return out;
}

/** Huawei's per-message push body. */
export function formBody(report: StatusReport): string {
  return new URLSearchParams(report).toString();
}

/** Huawei's batch push body. */
export function batchBody(reports: readonly StatusReport[]): string {
  return JSON.stringify({ statusReportList: reports });
}
