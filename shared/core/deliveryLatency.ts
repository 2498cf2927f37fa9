import type { DeliveryState } from '../delivery/state.ts';
import type { TerminalStatus } from '../delivery/status.ts';
import type { MetricsPort } from '../ports/metrics.ts';
import type { MessageRecord } from '../store/types.ts';

/**
 * When the reports made a message final (provider time where it gave one): its last part's
 * delivery for `delivered`; the first part that failed (or expired) it otherwise.
 */
export function finalAt(delivery: DeliveryState): string | undefined {
  const times = Object.values(delivery.parts)
    .filter((part) => part.status === delivery.status)
    .map((part) => part.at)
    .sort();
  const at = delivery.status === 'delivered' ? times.at(-1) : times[0];
  return at ?? (delivery.updatedAt || undefined);
}

/**
 * `DeliveryLatency`: accepted -> final, for a message its provider accepted, by `provider` and
 * `status` and by `status` alone (the dashboard's p50/p95). A provider clock slightly behind ours
 * reads as 0, never negative.
 */
export function timeDelivery(
  metrics: MetricsPort | undefined,
  record: MessageRecord,
  status: TerminalStatus,
  at: string | undefined,
): void {
  if (!metrics || record.status !== 'accepted' || at === undefined) return;
  const ms = Date.parse(at) - Date.parse(record.submittedAt);
  if (!Number.isFinite(ms)) return;
  metrics.duration(
    'DeliveryLatency',
    Math.max(0, ms),
    { provider: record.provider, status },
    { status },
  );
}
