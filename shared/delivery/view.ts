import type { StoredMessage } from '../store/types.ts';
import { type HistoryEntry, partsSummary } from './state.ts';
import type { MessageStatus } from './status.ts';

/** `GET /sms/{messageId}` (SPEC "Status"). */
export interface MessageView {
  messageId: string;
  to: string;
  templateId: string;
  reference?: string;
  provider: string;
  providerMessageId?: string;
  status: MessageStatus;
  providerStatus?: string;
  acceptedAt?: string;
  updatedAt: string;
  parts?: { total: number; delivered: number };
  error?: { code: string; message: string };
  history: HistoryEntry[];
}

/**
 * Combines the submitted record and the delivery state into the public view; undefined when the
 * message was never recorded (a report kept for an unknown message is not a message yet).
 */
export function messageView(messageId: string, stored: StoredMessage): MessageView | undefined {
  const { record, delivery } = stored;
  if (!record) return undefined;
  const submitted: HistoryEntry = {
    status: record.status,
    ...(record.error ? { providerStatus: record.error.code } : {}),
    at: record.submittedAt,
  };
  const view: MessageView = {
    messageId,
    to: record.to,
    templateId: record.templateId,
    ...(record.reference ? { reference: record.reference } : {}),
    provider: record.provider,
    ...(record.providerMessageId ? { providerMessageId: record.providerMessageId } : {}),
    status: delivery?.status ?? record.status,
    ...(delivery?.providerStatus ? { providerStatus: delivery.providerStatus } : {}),
    ...(record.status === 'accepted' ? { acceptedAt: record.submittedAt } : {}),
    updatedAt:
      delivery && delivery.updatedAt > record.submittedAt ? delivery.updatedAt : record.submittedAt,
    // An `unknown` submit that a report resolved has parts like any accepted message.
    ...(record.status === 'accepted' || delivery
      ? { parts: delivery ? partsSummary(delivery) : { total: 1, delivered: 0 } }
      : {}),
    ...(record.error ? { error: record.error } : {}),
    history: [
      ...(record.failedOver
        ? [
            {
              status: 'not_sent' as const,
              providerStatus: record.failedOver.code,
              at: record.failedOver.at,
              description: `${record.failedOver.from} did not send it (${record.failedOver.code}); sent through ${record.provider}`,
            },
          ]
        : []),
      submitted,
      // In time order, the submission first: providers date reports to the whole second (and
      // their clocks drift), so a report can seem to precede the submission its message came
      // from; it is shown at the submission's time instead.
      ...(delivery?.history ?? []).map((entry) =>
        entry.at < record.submittedAt ? { ...entry, at: record.submittedAt } : entry,
      ),
    ],
  };
  return view;
}
