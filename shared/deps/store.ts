import { requireSetting } from '../config.ts';
import { createDynamoStore } from '../store/dynamo.ts';
import type { MessageStore } from '../store/types.ts';
import { appConfig } from './config.ts';
import { documentClient } from './dynamo.ts';

let store: MessageStore | undefined;

/** The DynamoDB message store, one client per container (AWS_ENDPOINT_URL_DYNAMODB honoured). */
export function messageStore(): MessageStore {
  if (store) return store;
  const config = appConfig();
  store = createDynamoStore({
    client: documentClient(),
    tableName: requireSetting(config.messagesTable, 'MESSAGES_TABLE'),
    retentionDays: config.retentionDays,
    firstCheckAfterMs: config.reconcileAfterMs,
  });
  return store;
}
