import { messageIdFor, newMessageId } from '../messageId.ts';
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
}

/**
 * The record of one submitted message. An accepted message's id derives from the provider's id
 * (so its reports find it); the others get a fresh id.
 */
export function toRecord(outcome: SubmitOutcome, context: RecordContext): MessageRecord {
  const base = { ...context, to: outcome.to };
  switch (outcome.status) {
    case 'accepted':
      return {
        ...base,
        messageId: messageIdFor(context.provider, outcome.trackingId ?? outcome.providerMessageId),
        providerMessageId: outcome.providerMessageId,
        ...(outcome.trackingId ? { trackingId: outcome.trackingId } : {}),
        status: 'accepted',
      };
    case 'rejected':
      return { ...base, messageId: newMessageId(), status: 'rejected', error: outcome.error };
    case 'not_sent':
      return { ...base, messageId: newMessageId(), status: 'not_sent', error: outcome.error };
    default:
      return { ...base, messageId: newMessageId(), status: 'unknown' };
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
