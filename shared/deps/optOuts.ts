import { requireSetting } from '../config.ts';
import { createDynamoOptOutStore, type OptOutStore } from '../store/optOuts.ts';
import { appConfig } from './config.ts';
import { documentClient } from './dynamo.ts';

let store: OptOutStore | undefined;

/** The DynamoDB opt-out store, one client per container (AWS_ENDPOINT_URL_DYNAMODB honoured). */
export function optOutStore(): OptOutStore {
  if (store) return store;
  store = createDynamoOptOutStore({
    client: documentClient(),
    tableName: requireSetting(appConfig().messagesTable, 'MESSAGES_TABLE'),
  });
  return store;
}
