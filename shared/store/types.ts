import type { DeliveryState } from '../delivery/state.ts';
import type { DeliveryReport, InboundMessage, PushAuthority } from '../ports/push.ts';

export { StoreError } from '../errors.ts';

/** What the service knows of a message when it is submitted. */
export interface MessageRecord {
  messageId: string;
  to: string;
  templateId: string;
  reference?: string | undefined;
  provider: string;
  providerMessageId?: string | undefined;
  /** What the provider's reports bring back, when it is not `providerMessageId`. */
  trackingId?: string | undefined;
  /**
   * The correlation of the provider call that carried it (absent in records written before
   * correlations, and for messages that never reached a provider): with `to`, it is the id.
   */
  correlation?: string | undefined;
  /**
   * The other partition its reports may land in: the one the provider's id names, for reports
   * that come back without the call's correlation (a receipt whose `OutId` carried the caller's
   * reference, a batch report, a signed push to the application's URL).
   */
  reportsAt?: string | undefined;
  /**
   * Reports the application-level token vouched for may speak for it (no per-request callback
   * URL went with it); otherwise only its call's token, a provider's signature or the account's.
   */
  appReports?: true | undefined;
  /**
   * `unknown` is also what is written before the provider call (`phase: 'sending'`): a crash
   * during the call leaves a record that reconciliation resolves. `not_sent`: the request
   * carrying it surely never reached the provider.
   */
  status: 'accepted' | 'rejected' | 'unknown' | 'not_sent';
  /** `sending`: the intent written before the provider call, not yet its outcome. */
  phase?: 'sending' | undefined;
  error?: { code: string; message: string } | undefined;
  /** SMS_FAILOVER: the provider that surely did not send it, and why (`provider` then did). */
  failedOver?: { from: string; code: string; at: string } | undefined;
  /** When the provider answered (or the outcome became unknown, or the intent was written). */
  submittedAt: string;
}

/** A message record with what the reports told about it, either of which may not exist yet. */
export interface StoredMessage {
  record?: MessageRecord | undefined;
  delivery?: DeliveryState | undefined;
}

/** How a report to apply was authenticated, and whether its message must already exist. */
export interface ApplyOptions {
  by?: PushAuthority | 'reconcile' | undefined;
  /**
   * What must be recorded for the report to be kept; otherwise nothing is stored and `found` is
   * false. `message`: its message (a per-request token vouches for its call's messages only).
   * `appReports`: a message sent without a callback URL, whose reports come to the application's
   * URL (the application token vouches for those only, never in place of a per-request token).
   */
  mustExist?: 'message' | 'appReports' | undefined;
  /** The message it is about, when the caller knows (reconciliation); else what it carries says. */
  messageId?: string | undefined;
}

/** A page of messages due for reconciliation. */
export interface DuePage {
  messageIds: string[];
  /** Where the next page starts; undefined after the last. */
  cursor?: string | undefined;
}

/** Durable storage of messages, delivery reports and replies. Every write is durable on return. */
export interface MessageStore {
  /** Records messages (all or error): intents before the call, outcomes after it. */
  recordMessages(records: readonly MessageRecord[]): Promise<void>;
  /** Removes records written for a call that did not happen (intents of a replayed request). */
  discardMessages(messageIds: readonly string[]): Promise<void>;
  /**
   * Applies one report idempotently (one item per distinct report, no read); `changed` is false
   * for a duplicate, `found` false when `mustExist` and its message is not recorded.
   */
  applyReport(
    report: DeliveryReport,
    receivedAt: string,
    options?: ApplyOptions,
  ): Promise<{ changed: boolean; found?: boolean }>;
  /**
   * Applies the reports of one push, as `applyReport` each, with one read for all their checks
   * when `mustExist`: results in the reports' order.
   */
  applyReports(
    reports: readonly DeliveryReport[],
    receivedAt: string,
    options?: ApplyOptions,
  ): Promise<Array<{ changed: boolean; found?: boolean }>>;
  /** One message by our id, its reports folded. */
  getMessage(messageId: string): Promise<StoredMessage>;
  /** Stores a reply from a phone; `changed` is false when it was already stored. */
  recordInbound(message: InboundMessage, receivedAt: string): Promise<{ changed: boolean }>;
  /** Messages not known final whose next check is due at `now` or before (an index, no scan). */
  listDue(now: string, options: { limit: number; cursor?: string | undefined }): Promise<DuePage>;
  /** When to check a message again; `undefined` takes it off the list (it is final). */
  scheduleCheck(messageId: string, next: string | undefined): Promise<void>;
}
