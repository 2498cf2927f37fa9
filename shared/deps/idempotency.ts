import { requireSetting } from '../config.ts';
import { createIdempotencyLedger, type IdempotencyLedger } from '../store/idempotency.ts';
import { appConfig } from './config.ts';
import { documentClient } from './dynamo.ts';

let ledger: IdempotencyLedger | undefined;

/** The Idempotency-Key ledger on the messages table, one per container. */
export function idempotencyLedger(): IdempotencyLedger {
  ledger ??= createIdempotencyLedger({
    client: documentClient(),
    tableName: requireSetting(appConfig().messagesTable, 'MESSAGES_TABLE'),
  });
  return ledger;
}
