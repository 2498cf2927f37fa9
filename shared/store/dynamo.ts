import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { BatchWriteCommand, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { applyReport, type DeliveryState } from '../delivery/state.ts';
import { StoreError } from '../errors.ts';
import { messageIdFor } from '../messageId.ts';
import type { DeliveryReport, InboundMessage } from '../ports/push.ts';
import { mapWithConcurrency } from '../util/pool.ts';
import type { MessageRecord, MessageStore, StoredMessage } from './types.ts';

/*
 * One table, every access by key (no Scan, no index):
 *   pk MSG#<messageId>      sk MESSAGE   what was submitted (written once, by sendSms)
 *   pk MSG#<messageId>      sk DELIVERY  what the reports said (versioned, by statusCallback)
 *   pk INBOUND#<p>#<id>     sk INBOUND   a reply from a phone
 * The two halves of a message never overwrite each other, so a report that arrives before the
 * message is recorded is simply kept, and joins it when it is. Accepted messages' ids derive from
 * the provider's id (messageIdFor), so a report finds its partition without a lookup.
 */
const MESSAGE = 'MESSAGE';
const DELIVERY = 'DELIVERY';
const BATCH_SIZE = 25;
const MAX_BATCH_ATTEMPTS = 8;
const MAX_UPDATE_ATTEMPTS = 10;

export interface DynamoStoreOptions {
  /** A document client that removes undefined values (see `createDocumentClient`). */
  client: DynamoDBDocumentClient;
  tableName: string;
  /** Records expire (TTL attribute `expiresAt`) this many days after their last write. */
  retentionDays: number;
  sleep?: (ms: number) => Promise<void>;
}

const messageKey = (messageId: string) => `MSG#${messageId}`;

function isConditionFailure(error: unknown): boolean {
  return (error as { name?: unknown } | null)?.name === 'ConditionalCheckFailedException';
}

function storeError(what: string, error: unknown): StoreError {
  const name = (error as { name?: unknown } | null)?.name;
  return new StoreError(`${what} failed (${typeof name === 'string' ? name : 'error'})`, {
    cause: error,
  });
}

/** The DynamoDB implementation of MessageStore, given its client and table. */
export function createDynamoStore(options: DynamoStoreOptions): MessageStore {
  const { client, tableName } = options;
  const sleep =
    options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const expiresAt = (from: string) =>
    Math.floor(Date.parse(from) / 1000) + options.retentionDays * 86_400;

  async function batchPut(items: Record<string, unknown>[]): Promise<void> {
    let pending = items.map((Item) => ({ PutRequest: { Item } }));
    for (let attempt = 1; pending.length > 0; attempt++) {
      if (attempt > MAX_BATCH_ATTEMPTS)
        throw new StoreError(`${pending.length} records stayed unprocessed`);
      if (attempt > 1) await sleep(Math.random() * Math.min(1_000, 25 * 2 ** attempt));
      const result = await client.send(
        new BatchWriteCommand({ RequestItems: { [tableName]: pending } }),
      );
      pending = (result.UnprocessedItems?.[tableName] ?? []) as typeof pending;
    }
  }

  return {
    async recordMessages(records) {
      const items = records.map((record) => ({
        pk: messageKey(record.messageId),
        sk: MESSAGE,
        ...record,
        expiresAt: expiresAt(record.submittedAt),
      }));
      const batches: Record<string, unknown>[][] = [];
      for (let i = 0; i < items.length; i += BATCH_SIZE)
        batches.push(items.slice(i, i + BATCH_SIZE));
      try {
        await mapWithConcurrency(batches, 4, batchPut);
      } catch (error) {
        throw error instanceof StoreError ? error : storeError('recording messages', error);
      }
    },

    async applyReport(report: DeliveryReport, receivedAt: string) {
      const key = {
        pk: messageKey(messageIdFor(report.provider, report.trackingId)),
        sk: DELIVERY,
      };
      try {
        for (let attempt = 1; attempt <= MAX_UPDATE_ATTEMPTS; attempt++) {
          const current = await client.send(
            new GetCommand({ TableName: tableName, Key: key, ConsistentRead: true }),
          );
          const item = current.Item as (DeliveryState & { version: number }) | undefined;
          const { state, changed } = applyReport(item, report, receivedAt);
          if (!changed) return { changed: false };
          const version = (item?.version ?? 0) + 1;
          try {
            await client.send(
              new PutCommand({
                TableName: tableName,
                Item: {
                  ...key,
                  provider: report.provider,
                  providerMessageId: report.providerMessageId,
                  ...state,
                  version,
                  expiresAt: expiresAt(receivedAt),
                },
                // Optimistic concurrency: two reports for one message (two parts) may race.
                ConditionExpression: item ? 'version = :seen' : 'attribute_not_exists(pk)',
                ...(item ? { ExpressionAttributeValues: { ':seen': item.version } } : {}),
              }),
            );
            return { changed: true };
          } catch (error) {
            if (!isConditionFailure(error)) throw error;
          }
        }
        throw new StoreError('delivery report kept conflicting with concurrent writes');
      } catch (error) {
        throw error instanceof StoreError ? error : storeError('storing a delivery report', error);
      }
    },

    async getMessage(messageId) {
      try {
        const result = await client.send(
          new QueryCommand({
            TableName: tableName,
            KeyConditionExpression: 'pk = :pk',
            ExpressionAttributeValues: { ':pk': messageKey(messageId) },
            ConsistentRead: true,
          }),
        );
        const found: StoredMessage = {};
        for (const item of result.Items ?? []) {
          if (item.sk === MESSAGE) found.record = item as MessageRecord;
          else if (item.sk === DELIVERY) found.delivery = item as DeliveryState;
        }
        return found;
      } catch (error) {
        throw storeError('reading a message', error);
      }
    },

    async recordInbound(message: InboundMessage, receivedAt: string) {
      try {
        await client.send(
          new PutCommand({
            TableName: tableName,
            Item: {
              pk: `INBOUND#${message.provider}#${message.providerMessageId}`,
              sk: 'INBOUND',
              ...message,
              receivedAt,
              expiresAt: expiresAt(receivedAt),
            },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        );
        return { changed: true };
      } catch (error) {
        if (isConditionFailure(error)) return { changed: false };
        throw storeError('storing a reply', error);
      }
    },
  };
}
