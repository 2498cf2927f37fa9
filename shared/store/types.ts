import type { DeliveryState } from '../delivery/state.ts';
import type { DeliveryReport, InboundMessage } from '../ports/push.ts';

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
  /** `not_sent`: a batch ran out of time before this message's request (never sent). */
  status: 'accepted' | 'rejected' | 'unknown' | 'not_sent';
  error?: { code: string; message: string } | undefined;
  /** When the provider answered (or the outcome became unknown). */
  submittedAt: string;
}

/** A message record with what the reports told about it, either of which may not exist yet. */
export interface StoredMessage {
  record?: MessageRecord | undefined;
  delivery?: DeliveryState | undefined;
}

/** Durable storage of messages, delivery reports and replies. Every write is durable on return. */
export interface MessageStore {
  /** Records submitted messages (all or error). */
  recordMessages(records: readonly MessageRecord[]): Promise<void>;
  /** Applies one report idempotently and monotonically; `changed` is false for a duplicate. */
  applyReport(report: DeliveryReport, receivedAt: string): Promise<{ changed: boolean }>;
  /** One message by our id (a single read). */
  getMessage(messageId: string): Promise<StoredMessage>;
  /** Stores a reply from a phone; `changed` is false when it was already stored. */
  recordInbound(message: InboundMessage, receivedAt: string): Promise<{ changed: boolean }>;
}
