import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { BatchGetCommand, DeleteCommand, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { StoreError } from '../errors.ts';
import { mapWithConcurrency } from '../util/pool.ts';
import { isConditionFailure, storeError } from './dynamoErrors.ts';

/*
 * In the messages table, one item per opted-out number, addressed by the number alone:
 *   pk OPTOUT#<E.164>   sk OPTOUT   number, since (ISO 8601), source (`reply:<provider>`, `api`)
 * No TTL: an opt-out lasts until START or DELETE removes the item. Opting back in deletes it, so
 * "is this number opted out" is "does its item exist", which a batch read answers for 100 numbers
 * in one round trip.
 */
const SK = 'OPTOUT';
/** BatchGetItem's limit per call. */
const BATCH_KEYS = 100;
const MAX_BATCH_ATTEMPTS = 8;

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

  async function batchGet(numbers: string[]): Promise<string[]> {
    const found: string[] = [];
    let pending: Record<string, unknown>[] = numbers.map(keyOf);
    for (let attempt = 1; pending.length > 0; attempt++) {
      if (attempt > MAX_BATCH_ATTEMPTS)
        throw new StoreError(`${pending.length} opt-out reads stayed unprocessed`);
      if (attempt > 1) await sleep(Math.random() * Math.min(1_000, 25 * 2 ** attempt));
      const result = await client.send(
        new BatchGetCommand({
          RequestItems: {
            [tableName]: {
              Keys: pending,
              ConsistentRead: true,
              ProjectionExpression: '#n',
              ExpressionAttributeNames: { '#n': 'number' },
            },
          },
        }),
      );
      for (const item of result.Responses?.[tableName] ?? []) found.push(String(item.number));
      pending = result.UnprocessedKeys?.[tableName]?.Keys ?? [];
    }
    return found;
  }

  return {
    async optedOut(numbers) {
      // BatchGetItem refuses a request that names one key twice.
      const unique = [...new Set(numbers)];
      const batches: string[][] = [];
      for (let i = 0; i < unique.length; i += BATCH_KEYS)
        batches.push(unique.slice(i, i + BATCH_KEYS));
      try {
        // A 10,000-number batch is 100 reads: in parallel, they stay one round trip or two.
        const found = await mapWithConcurrency(batches, 16, batchGet);
        return new Set(found.flat());
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
      try {
        await client.send(
          new PutCommand({
            TableName: tableName,
            Item: { ...keyOf(number), number, since: entry.since, source: entry.source },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        );
        return { changed: true };
      } catch (error) {
        if (isConditionFailure(error)) return { changed: false };
        throw storeError('storing an opt-out', error);
      }
    },

    async remove(number, removeOptions = {}) {
      const { notAfter } = removeOptions;
      try {
        await client.send(
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
        );
        return true;
      } catch (error) {
        if (isConditionFailure(error)) return false;
        throw storeError('removing an opt-out', error);
      }
    },
  };
}
