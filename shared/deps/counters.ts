import { requireSetting } from '../config.ts';
import { parseRecipientLimit } from '../policy/recipientLimit.ts';
import { createRecipientCounters, type RecipientCounters } from '../store/recipientCounters.ts';
import { appConfig } from './config.ts';
import { documentClient } from './dynamo.ts';

let counters: RecipientCounters | undefined | null;

/**
 * The per-recipient counters (`SMS_RECIPIENT_LIMIT`, default 10/1h), built once per container;
 * undefined when the limit is `off`. A malformed value fails the sending calls, not the callback.
 */
export function recipientCounters(): RecipientCounters | undefined {
  if (counters !== undefined) return counters ?? undefined;
  const config = appConfig();
  const limit = parseRecipientLimit(config.recipientLimit);
  counters = limit
    ? createRecipientCounters({
        client: documentClient(),
        tableName: requireSetting(config.messagesTable, 'MESSAGES_TABLE'),
        limit,
      })
    : null;
  return counters ?? undefined;
}
