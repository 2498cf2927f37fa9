/**
 * What a status report says, and who says it. Huawei's `source` (developer guide, "Receiving
 * Status Reports"): `1` the SMS platform made the report itself, `2` the operator's SMSC returned
 * it, `3` the Huawei (cloud) platform made it. Which statuses come from whom follows Huawei's
 * "SMS Status Error Codes" table: DELIVRD, EXPIRED, DELETED, UNKNOWN, REJECTD, MILIMIT, BLACK and
 * MBBLACK from the supplier (SMSC), the `E2000xx` codes from the Huawei platform.
 */
export interface Verdict {
  status: string;
  source: '1' | '2' | '3';
  /**
   * The SMSC's own code, passed through unchanged: only an SMSC's report has one, and Huawei puts
   * it in reports of international SMS only.
   */
  orgCode?: string;
  statusDesc?: string;
}

export const DELIVERED: Verdict = { status: 'DELIVRD', source: '2', orgCode: '000' };
export const ACCEPTED: Verdict = { status: 'ACCEPTD', source: '2', orgCode: '000' };

export const UNDELIVERED: Verdict = {
  status: 'UNDELIV',
  source: '2',
  orgCode: 'DB:0108',
  statusDesc: 'The message could not be delivered to the handset.',
};
export const EXPIRED: Verdict = {
  status: 'EXPIRED',
  source: '2',
  orgCode: 'EXPIRED',
  statusDesc: 'The validity period ended before the message was delivered.',
};
export const REJECTED: Verdict = {
  status: 'REJECTD',
  source: '2',
  orgCode: 'REJECTD',
  statusDesc: 'The operator rejected the message.',
};

/** The guide's own failed report, field for field: RTE_ERR carrying orgCode E200027, source 2. */
export const ROUTE_ERROR: Verdict = { status: 'RTE_ERR', source: '2', orgCode: 'E200027' };
export const MINUTE_LIMIT: Verdict = {
  status: 'MILIMIT',
  source: '2',
  orgCode: 'MILIMIT',
  statusDesc: 'Too many messages were sent to this number within one minute.',
};
export const BLOCKLISTED: Verdict = {
  status: 'BLACK',
  source: '2',
  orgCode: 'BLACK',
  statusDesc: 'The number is on a blocklist: it opted out or complained.',
};
export const OPERATOR_BLOCKLISTED: Verdict = {
  status: 'MBBLACK',
  source: '2',
  orgCode: 'MBBLACK',
  statusDesc: "The number is on the operator's blocklist.",
};
export const DELETED: Verdict = {
  status: 'DELETED',
  source: '2',
  orgCode: 'DELETED',
  statusDesc: 'The message was deleted.',
};
/** Not an end: the relay keeps such a message in flight. */
export const UNKNOWN: Verdict = {
  status: 'UNKNOWN',
  source: '2',
  orgCode: 'UNKNOWN',
  statusDesc: 'The status of the message is unknown.',
};
/** A Huawei platform code as the status: the message never reached an SMSC. */
export const GATEWAY_UNMATCHED: Verdict = {
  status: 'E200027',
  source: '3',
  statusDesc: 'Failed to match the gateway.',
};
/**
 * What the SMS platform reports itself when no SMSC report came within 72 hours (Huawei's EXPIRED
 * row: "does not receive a status report from the SMSGW within 72 hours after sending").
 */
export const EXPIRED_UNREPORTED: Verdict = {
  status: 'EXPIRED',
  source: '1',
  statusDesc: 'No status report came from the SMSC within 72 hours.',
};
