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

/** A stored report and when it first arrived. */
export interface ReceivedReport {
  report: DeliveryReport;
  receivedAt: string;
}

/**
 * What makes a report distinct: a duplicate (a provider's retry, a merged push) has the same key,
 * so it is the same stored item and changes nothing.
 */
export function reportKey(report: DeliveryReport): string {
  return `${report.sequence}/${report.total}|${report.providerStatus}|${report.updatedAt ?? ''}`;
}

const byTime = (a: { at: string }, b: { at: string }) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0);

function messageStatus(
  parts: Record<string, PartState>,
  total: number,
): { status: MessageStatus; providerStatus?: string } {
  const all = Object.values(parts);
  const failed =
    all.find((part) => part.status === 'failed') ?? all.find((part) => part.status === 'expired');
  if (failed) return { status: failed.status, providerStatus: failed.providerStatus };
  const delivered = all.filter((part) => part.status === 'delivered');
  if (delivered.length >= total) {
    const last = [...delivered].sort(byTime).at(-1);
    return { status: 'delivered', ...(last ? { providerStatus: last.providerStatus } : {}) };
  }
  return { status: 'accepted' };
}

const emptyState = (): DeliveryState => ({
  status: 'accepted',
  providerStatus: '',
  total: 1,
  parts: {},
  history: [],
  seen: [],
  updatedAt: '',
});

/** Applies one report in place (no dedupe: callers do it); history is appended, sorted later. */
function applyOne(state: DeliveryState, report: DeliveryReport, receivedAt: string): void {
  const at = report.updatedAt ?? receivedAt;
  const reported = report.status;
  const key = String(report.sequence);
  const part = state.parts[key];
  // A late report never undoes a part's final status; it still enters the history.
  if (!part || (!isTerminal(part.status) && (isTerminal(reported) || part.at <= at))) {
    state.parts[key] = { status: reported, providerStatus: report.providerStatus, at };
  }
  const previous = state.status;
  state.total = Math.max(state.total, report.total);
  const computed = messageStatus(state.parts, state.total);
  if (!(isTerminal(previous) && !isTerminal(computed.status))) {
    state.status = computed.status;
    state.providerStatus =
      computed.providerStatus ?? state.parts[key]?.providerStatus ?? report.providerStatus;
  }
  state.history.push({
    status: reported,
    providerStatus: report.providerStatus,
    at,
    ...(state.total > 1 ? { part: report.sequence } : {}),
    ...(report.statusDesc ? { description: report.statusDesc } : {}),
  });
  state.seen.push(reportKey(report));
  // The time of the last event (the provider's where it gives one), not of its arrival: what a
  // message shows never depends on which of a report's duplicates was stored.
  if (at > state.updatedAt) state.updatedAt = at;
}

function copy(state: DeliveryState | undefined): DeliveryState {
  if (!state) return emptyState();
  return {
    ...state,
    parts: { ...state.parts },
    history: [...state.history],
    seen: [...state.seen],
  };
}

function finish(state: DeliveryState): DeliveryState {
  // Stable: entries of one instant keep the order they were applied in.
  state.history.sort(byTime);
  return state;
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
  if (previous?.seen.includes(reportKey(report))) return { state: previous, changed: false };
  const state = copy(previous);
  applyOne(state, report, receivedAt);
  return { state: finish(state), changed: true };
}

/**
 * Folds a message's stored reports, in provider time order (`updatedAt`, else arrival), onto an
 * initial state (the delivery item of the earlier, single-item layout, if any). Every distinct
 * report enters the history, none twice; no cap drops any. Pure and order-independent: the same
 * reports give the same state whatever order they arrived or were read in.
 */
export function foldReports(
  initial: DeliveryState | undefined,
  reports: readonly ReceivedReport[],
): DeliveryState | undefined {
  if (!initial && reports.length === 0) return undefined;
  const state = copy(initial);
  const seen = new Set(state.seen);
  const ordered = reports
    .map((entry) => ({
      ...entry,
      at: entry.report.updatedAt ?? entry.receivedAt,
      key: reportKey(entry.report),
    }))
    .sort((a, b) => byTime(a, b) || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  for (const { report, receivedAt, key } of ordered) {
    if (seen.has(key)) continue;
    seen.add(key);
    applyOne(state, report, receivedAt);
  }
  return finish(state);
}

/** Delivered parts out of all parts, for `GET /sms/{id}`. */
export function partsSummary(state: DeliveryState): { total: number; delivered: number } {
  return {
    total: state.total,
    delivered: Object.values(state.parts).filter((part) => part.status === 'delivered').length,
  };
}
