import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DeleteCommand, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { applied, storeError } from './dynamoErrors.ts';
import { consistentBatchGet } from './unprocessed.ts';

/*
 * In the messages table, one item per opted-out number, addressed by the number alone:
 *   pk OPTOUT#<E.164>   sk OPTOUT   number, since (ISO 8601), source (`reply:<provider>`, `api`)
 * No TTL: an opt-out lasts until START or DELETE removes the item. Opting back in deletes it, so
 * "is this number opted out" is "does its item exist", which a batch read answers for 100 numbers
 * in one round trip.
 */
const SK = 'OPTOUT';

/** A number that is opted out: since when, and who said so. */
export interface OptOut {
  number: string;
  since: string;
  /** `reply:<provider>` for a STOP reply, `api` for `PUT /opt-outs/{number}`. */
  source: string;
}

/** The numbers that must not be sent to. Every write is durable on return. */
export interface OptOutStore {
  /** Which of `numbers` are opted out: consistent reads, one BatchGetItem per 100 numbers. */
  optedOut(numbers: readonly string[]): Promise<Set<string>>;
  /** The opt-out of one number (a consistent read), undefined when it is not opted out. */
  get(number: string): Promise<OptOut | undefined>;
  /**
   * Opts a number out. Idempotent: a number already opted out keeps its first `since` and
   * `source` (`changed` false), so a repeated STOP never moves the date.
   */
  put(number: string, entry: { since: string; source: string }): Promise<{ changed: boolean }>;
  /**
   * Opts a number back in; false when it was not opted out. With `notAfter`, only an opt-out
   * whose `since` is not later is removed: a START never undoes a STOP sent after it.
   */
  remove(number: string, options?: { notAfter?: string }): Promise<boolean>;
}

export interface DynamoOptOutStoreOptions {
  /** A document client that removes undefined values (see `createDocumentClient`). */
  client: DynamoDBDocumentClient;
  tableName: string;
  sleep?: (ms: number) => Promise<void>;
}

const keyOf = (number: string) => ({ pk: `OPTOUT#${number}`, sk: SK });

/** The DynamoDB implementation of OptOutStore, in the messages table. */
export function createDynamoOptOutStore(options: DynamoOptOutStoreOptions): OptOutStore {
  const { client, tableName } = options;
  const sleep =
    options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));

  return {
    async optedOut(numbers) {
      // BatchGetItem refuses a request that names one key twice.
      const unique = [...new Set(numbers)];
      try {
        // A 10,000-number batch is 100 reads: in parallel, they stay one round trip or two.
        const found = await consistentBatchGet(client, {
          tableName,
          keys: unique.map(keyOf),
          attribute: 'number',
          concurrency: 16,
          what: 'opt-out reads',
          sleep,
        });
        return new Set(found.map((item) => String(item.number)));
      } catch (error) {
        throw storeError('reading opt-outs', error);
      }
    },

    async get(number) {
      try {
        const { Item } = await client.send(
          new GetCommand({ TableName: tableName, Key: keyOf(number), ConsistentRead: true }),
        );
        if (!Item) return undefined;
        return {
          number: String(Item.number),
          since: String(Item.since),
          source: String(Item.source),
        };
      } catch (error) {
        throw storeError('reading an opt-out', error);
      }
    },

    async put(number, entry) {
      const changed = await applied(
        () =>
          client.send(
            new PutCommand({
              TableName: tableName,
              Item: { ...keyOf(number), number, since: entry.since, source: entry.source },
              ConditionExpression: 'attribute_not_exists(pk)',
            }),
          ),
        'storing an opt-out',
      );
      return { changed };
    },

    async remove(number, removeOptions = {}) {
      const { notAfter } = removeOptions;
      return applied(
        () =>
          client.send(
            new DeleteCommand({
              TableName: tableName,
              Key: keyOf(number),
              // ISO 8601 UTC times of one format compare as strings.
              ConditionExpression:
                notAfter === undefined
                  ? 'attribute_exists(pk)'
                  : 'attribute_exists(pk) AND #since <= :notAfter',
              ...(notAfter === undefined
                ? {}
                : {
                    ExpressionAttributeNames: { '#since': 'since' },
                    ExpressionAttributeValues: { ':notAfter': notAfter },
                  }),
            }),
          ),
        'removing an opt-out',
      );
    },
  };
}
