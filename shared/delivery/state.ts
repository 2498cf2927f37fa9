import type { DeliveryReport } from '../ports/push.ts';
import { isTerminal, type MessageStatus } from './status.ts';

export type { DeliveryReport } from '../ports/push.ts';

/** One entry of a message's status history. */
export interface HistoryEntry {
  status: MessageStatus;
  /** The provider's own status; absent for the submission entry of an accepted message. */
  providerStatus?: string;
  at: string;
  part?: number;
  description?: string;
}

interface PartState {
  status: MessageStatus;
  providerStatus: string;
  at: string;
}

/** Everything the reports have told about one message. */
export interface DeliveryState {
  status: MessageStatus;
  providerStatus: string;
  total: number;
  parts: Record<string, PartState>;
  history: HistoryEntry[];
  /** Keys of the reports already applied: a duplicate changes nothing. */
  seen: string[];
  updatedAt: string;
}

/** Bounds that keep the record far below DynamoDB's item size limit whatever a sender does. */
const MAX_HISTORY = 100;

function reportKey(report: DeliveryReport): string {
  return `${report.sequence}/${report.total}|${report.providerStatus}|${report.updatedAt ?? ''}`;
}

function messageStatus(
  parts: Record<string, PartState>,
  total: number,
): { status: MessageStatus; providerStatus?: string } {
  const all = Object.values(parts);
  const failed =
    all.find((part) => part.status === 'failed') ?? all.find((part) => part.status === 'expired');
  if (failed) return { status: failed.status, providerStatus: failed.providerStatus };
  const delivered = all.filter((part) => part.status === 'delivered').length;
  if (delivered >= total) {
    const last = all
      .filter((part) => part.status === 'delivered')
      .sort((a, b) => (a.at < b.at ? 1 : -1))[0];
    return { status: 'delivered', ...(last ? { providerStatus: last.providerStatus } : {}) };
  }
  return { status: 'accepted' };
}

/**
 * Applies a report: idempotent (a report already seen changes nothing) and monotonic (a terminal
 * status, of a part or of the message, is never replaced by a non-terminal one). A long SMS is
 * delivered when every part is; one failed part fails it. Pure: `receivedAt` is a parameter.
 */
export function applyReport(
  previous: DeliveryState | undefined,
  report: DeliveryReport,
  receivedAt: string,
): { state: DeliveryState; changed: boolean } {
  const key = reportKey(report);
  if (previous?.seen.includes(key)) return { state: previous, changed: false };

  const at = report.updatedAt ?? receivedAt;
  const reported = report.status;
  const parts = { ...previous?.parts };
  const part = parts[String(report.sequence)];
  // A late report never undoes a part's final status; it still enters the history.
  if (!part || (!isTerminal(part.status) && (isTerminal(reported) || part.at <= at))) {
    parts[String(report.sequence)] = {
      status: reported,
      providerStatus: report.providerStatus,
      at,
    };
  }
  const total = Math.max(previous?.total ?? 1, report.total);
  const computed = messageStatus(parts, total);
  const keepPrevious = previous && isTerminal(previous.status) && !isTerminal(computed.status);
  const status = keepPrevious ? previous.status : computed.status;
  const providerStatus = keepPrevious
    ? previous.providerStatus
    : (computed.providerStatus ??
      parts[String(report.sequence)]?.providerStatus ??
      report.providerStatus);

  const entry: HistoryEntry = {
    status: reported,
    providerStatus: report.providerStatus,
    at,
    ...(total > 1 ? { part: report.sequence } : {}),
    ...(report.statusDesc ? { description: report.statusDesc } : {}),
  };
  const history = [...(previous?.history ?? []), entry]
    .sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0))
    .slice(-MAX_HISTORY);
  return {
    changed: true,
    state: {
      status,
      providerStatus,
      total,
      parts,
      history,
      seen: [...(previous?.seen ?? []), key].slice(-MAX_HISTORY),
      updatedAt: receivedAt,
    },
  };
}

/** Delivered parts out of all parts, for `GET /sms/{id}`. */
export function partsSummary(state: DeliveryState): { total: number; delivered: number } {
  return {
    total: state.total,
    delivered: Object.values(state.parts).filter((part) => part.status === 'delivered').length,
  };
}
