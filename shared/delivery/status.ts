/** Our status vocabulary (SPEC "Status"), and `not_sent` for a batch recipient never sent. */
export type MessageStatus =
  | 'accepted'
  | 'delivered'
  | 'failed'
  | 'expired'
  | 'rejected'
  | 'unknown'
  | 'not_sent';

/** Statuses no later report may replace. */
export type TerminalStatus = 'delivered' | 'failed' | 'expired';

export function isTerminal(status: MessageStatus): status is TerminalStatus {
  return status === 'delivered' || status === 'failed' || status === 'expired';
}

// Huawei report statuses that say the message is still on its way (or that nobody knows yet).
const IN_FLIGHT = new Set(['ACCEPTD', 'UNKNOWN', 'ENROUTE', 'PENDING']);

/**
 * Maps a Huawei report status to ours: `DELIVRD` is the only success, `EXPIRED` is its own
 * outcome, statuses still in flight stay `accepted`, and every other one (UNDELIV, REJECTD,
 * DELETED, RTE_ERR, MILIMIT, BLACK, MBBLACK, platform codes E2000xx, …) is a failure.
 */
export function statusFromHuawei(providerStatus: string): 'accepted' | TerminalStatus {
  if (providerStatus === 'DELIVRD') return 'delivered';
  if (providerStatus === 'EXPIRED') return 'expired';
  if (IN_FLIGHT.has(providerStatus)) return 'accepted';
  return 'failed';
}
