import type { DeliveryReport } from '../ports/push.ts';

// Huawei report statuses that say the message is still on its way (or that nobody knows yet).
const IN_FLIGHT = new Set(['ACCEPTD', 'UNKNOWN', 'ENROUTE', 'PENDING']);

/**
 * Maps a Huawei report status to ours: `DELIVRD` is the only success, `EXPIRED` is its own
 * outcome, statuses still in flight stay `accepted`, and every other one (UNDELIV, REJECTD,
 * DELETED, RTE_ERR, MILIMIT, BLACK, MBBLACK, platform codes E2000xx, …) is a failure.
 */
export function statusFromHuawei(providerStatus: string): DeliveryReport['status'] {
  if (providerStatus === 'DELIVRD') return 'delivered';
  if (providerStatus === 'EXPIRED') return 'expired';
  if (IN_FLIGHT.has(providerStatus)) return 'accepted';
  return 'failed';
}
