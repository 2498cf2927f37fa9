import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { BatchWriteCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import {
  type DeliveryState,
  foldReports,
  type ReceivedReport,
  reportKey,
} from '../delivery/state.ts';
import { StoreError } from '../errors.ts';
import { messageIdFor } from '../messageId.ts';
import type { DeliveryReport, InboundMessage } from '../ports/push.ts';
import { mapWithConcurrency } from '../util/pool.ts';
import type { MessageRecord, MessageStore, StoredMessage } from './types.ts';

/*
 * One table, every access by key (no Scan, no index):
 *   pk MSG#<messageId>      sk MESSAGE          what was submitted (written once, by sendSms)
 *   pk MSG#<messageId>      sk REPORT#<key>     one distinct report (written once, by statusCallback)
 *   pk MSG#<messageId>      sk DELIVERY         the earlier layout's folded state (read only)
 *   pk INBOUND#<p>#<id>     sk INBOUND          a reply from a phone
 *   pk OPTOUT#<E.164>       sk OPTOUT           an opted-out number (shared/store/optOuts.ts)
 * A report is one conditional put of its own item, keyed by what makes it distinct: storing it
 * needs no read, never conflicts with another report of the same message, and a duplicate is the
 * same item (its put changes nothing). The reports are folded by the pure state machine on read.
 * Nothing overwrites anything else, so a report that arrives before its message is recorded is
 * simply kept, and joins it when it is. Accepted messages' ids derive from the provider's tracking
 * id (messageIdFor), so a report finds its partition without a lookup.
 */
const MESSAGE = 'MESSAGE';
const DELIVERY = 'DELIVERY';
const REPORT = 'REPORT#';
const BATCH_SIZE = 25;
const MAX_BATCH_ATTEMPTS = 8;

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
      try {
        await client.send(
          new PutCommand({
            TableName: tableName,
            Item: {
              pk: messageKey(messageIdFor(report.provider, report.trackingId)),
              sk: `${REPORT}${reportKey(report)}`,
              report,
              receivedAt,
              expiresAt: expiresAt(receivedAt),
            },
            // The first arrival wins: a duplicate is the same item, and keeps its first time.
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        );
        return { changed: true };
      } catch (error) {
        if (isConditionFailure(error)) return { changed: false };
        throw storeError('storing a delivery report', error);
      }
    },

    async getMessage(messageId) {
      try {
        const found: StoredMessage = {};
        let legacy: DeliveryState | undefined;
        const reports: ReceivedReport[] = [];
        let start: Record<string, unknown> | undefined;
        do {
          const page = await client.send(
            new QueryCommand({
              TableName: tableName,
              KeyConditionExpression: 'pk = :pk',
              ExpressionAttributeValues: { ':pk': messageKey(messageId) },
              ConsistentRead: true,
              ...(start ? { ExclusiveStartKey: start } : {}),
            }),
          );
          for (const item of page.Items ?? []) {
            const sk = String(item.sk);
            if (sk === MESSAGE) found.record = item as MessageRecord;
            else if (sk === DELIVERY) legacy = item as DeliveryState;
            else if (sk.startsWith(REPORT)) reports.push(item as unknown as ReceivedReport);
          }
          start = page.LastEvaluatedKey;
        } while (start);
        const delivery = foldReports(legacy, reports);
        if (delivery) found.delivery = delivery;
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
