import { BatchGetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { StoreError } from '../errors.ts';
import { mapWithConcurrency } from '../util/pool.ts';

/** Tries of one batch request and of what DynamoDB leaves unprocessed of it. */
const MAX_BATCH_ATTEMPTS = 8;

/**
 * Sends a BatchWriteItem or BatchGetItem of `first`, then what it left unprocessed, with capped
 * jittered backoff (as DynamoDB asks), until nothing is left. `send` returns what is left; after
 * the last try a StoreError names how many `what` stayed unprocessed.
 */
export async function untilProcessed<T>(
  first: T[],
  send: (pending: T[]) => Promise<T[]>,
  what: string,
  sleep: (ms: number) => Promise<void>,
): Promise<void> {
  let pending = first;
  for (let attempt = 1; pending.length > 0; attempt++) {
    if (attempt > MAX_BATCH_ATTEMPTS)
      throw new StoreError(`${pending.length} ${what} stayed unprocessed`);
    if (attempt > 1) await sleep(Math.random() * Math.min(1_000, 25 * 2 ** attempt));
    pending = await send(pending);
  }
}

/** Keys per BatchGetItem (its limit). */
const BATCH_KEYS = 100;

/**
 * Reads `keys` with consistent BatchGetItems of at most 100 keys (`concurrency` at once), each
 * retried for what it leaves unprocessed: the items found, with `attribute` (or each of several)
 * only. The keys must be distinct (BatchGetItem refuses a request that names one twice).
 */
export async function consistentBatchGet(
  client: DynamoDBDocumentClient,
  options: {
    tableName: string;
    keys: readonly Record<string, unknown>[];
    attribute: string | readonly string[];
    concurrency: number;
    what: string;
    sleep: (ms: number) => Promise<void>;
  },
): Promise<Record<string, unknown>[]> {
  const { tableName } = options;
  const attributes =
    typeof options.attribute === 'string' ? [options.attribute] : options.attribute;
  const names = Object.fromEntries(attributes.map((name, i) => [`#a${i}`, name]));
  const projection = Object.keys(names).join(', ');
  const batches: Record<string, unknown>[][] = [];
  for (let i = 0; i < options.keys.length; i += BATCH_KEYS)
    batches.push(options.keys.slice(i, i + BATCH_KEYS));
  const found: Record<string, unknown>[] = [];
  await mapWithConcurrency(batches, options.concurrency, (keys) =>
    untilProcessed(
      keys,
      async (pending) => {
        const result = await client.send(
          new BatchGetCommand({
            RequestItems: {
              [tableName]: {
                Keys: pending,
                ConsistentRead: true,
                ProjectionExpression: projection,
                ExpressionAttributeNames: names,
              },
            },
          }),
        );
        found.push(...(result.Responses?.[tableName] ?? []));
        return result.UnprocessedKeys?.[tableName]?.Keys ?? [];
      },
      options.what,
      options.sleep,
    ),
  );
  return found;
}
