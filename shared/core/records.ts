import { messageIdFor, messageIdOf, newMessageId } from '../messageId.ts';
import type { RecipientOutcome } from '../ports/provider.ts';
import type { MessageRecord } from '../store/types.ts';

/** One recipient in a `202` answer (SPEC "Sending" and "Batch"). */
export type MessageResult =
  | { messageId: string; to: string; status: 'accepted' | 'unknown' }
  | { messageId: string; to: string; status: 'rejected'; error: { code: string; message: string } }
  | {
      messageId: string;
      to: string;
      status: 'not_sent';
      error?: { code: string; message: string };
    };

/** What a recipient's submission outcome turns into: `not_sent` when its request never went out. */
export type SubmitOutcome = RecipientOutcome;

/** The fields of a record that come from the request, not from the provider's answer. */
export interface RecordContext {
  templateId: string;
  reference?: string | undefined;
  provider: string;
  submittedAt: string;
  /** The provider that surely did not send it, and why, when another one then did. */
  failedOver?: { from: string; code: string; at: string } | undefined;
}

/** A message's place in a provider call: its id, fixed before the call, and the call's correlation. */
export interface CallIdentity {
  messageId: string;
  correlation: string;
}

/** The identity of the message to `to` in the call `correlation`. */
export function identityIn(correlation: string, to: string): CallIdentity {
  return { messageId: messageIdOf(correlation, to), correlation };
}

/**
 * What is written before a provider call, for each of its messages: `unknown` (the provider may
 * take it from now on), so that whatever happens next, the message has a record that
 * reconciliation resolves.
 */
export function toIntent(
  to: string,
  identity: CallIdentity,
  context: RecordContext,
): MessageRecord {
  return {
    ...context,
    to,
    messageId: identity.messageId,
    correlation: identity.correlation,
    status: 'unknown',
    phase: 'sending',
  };
}

/**
 * The record of one message after its call (or of one refused before any: no identity, a fresh
 * id). A message that went into a call keeps the id its intent had.
 */
export function toRecord(
  outcome: SubmitOutcome,
  context: RecordContext,
  identity?: CallIdentity,
): MessageRecord {
  const base = {
    ...context,
    to: outcome.to,
    messageId: identity?.messageId ?? newMessageId(),
    ...(identity ? { correlation: identity.correlation } : {}),
  };
  switch (outcome.status) {
    case 'accepted':
      return {
        ...base,
        providerMessageId: outcome.providerMessageId,
        ...(outcome.trackingId ? { trackingId: outcome.trackingId } : {}),
        reportsAt: messageIdFor(context.provider, outcome.trackingId ?? outcome.providerMessageId),
        ...(outcome.appReports ? { appReports: true } : {}),
        status: 'accepted',
      };
    case 'rejected':
      return { ...base, status: 'rejected', error: outcome.error };
    case 'not_sent':
      return { ...base, status: 'not_sent', error: outcome.error };
    default:
      return { ...base, status: 'unknown' };
  }
}

/** The answer entry of a record. */
export function toResult({ messageId, to, status, error }: MessageRecord): MessageResult {
  switch (status) {
    case 'rejected':
      return { messageId, to, status, error: error ?? { code: 'unknown', message: 'rejected' } };
    case 'not_sent':
      return error ? { messageId, to, status, error } : { messageId, to, status };
    default:
      return { messageId, to, status };
  }
}
