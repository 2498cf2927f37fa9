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
