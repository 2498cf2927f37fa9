import { randomUUID } from 'node:crypto';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { StoreError } from '../errors.ts';
import { type RecipientLimit, windowOf } from '../policy/recipientLimit.ts';
import { mapWithConcurrency } from '../util/pool.ts';
import { isConditionFailure } from './dynamoErrors.ts';

/** Counter updates in flight at once for one request's numbers (one round trip for up to this). */
const CONCURRENCY = 64;

/** A unit taken for one number in one window, to give back if its message surely was not sent. */
export interface TakenUnit {
  number: string;
  window: number;
  /** Who holds it: one request (and occurrence of the number in it). */
  holder: string;
  /**
   * Taken by this call, not held by its holder before (a duplicate or replay of an idempotent
   * request finds its unit already held).
   */
  fresh: boolean;
}

/** What taking units for a request's numbers gave. */
export interface Taken {
  /** Per position of the numbers given: the unit taken, or how long until the number may be sent. */
  results: Array<{ unit: TakenUnit } | { overForSeconds: number }>;
}

/** Per-recipient counters (SPEC `SMS_RECIPIENT_LIMIT`). */
export interface RecipientCounters {
  /**
   * Takes one unit per number (a number listed twice takes two), atomically, in parallel, for
   * `holder`: the same holder taking the same number again takes nothing more (the concurrent
   * duplicates and replays of one idempotent request count once).
   */
  take(numbers: readonly string[], nowMs: number, holder?: string): Promise<Taken>;
  /** Gives units back: their messages surely never reached a provider. */
  giveBack(units: readonly TakenUnit[]): Promise<void>;
}

const key = (unit: TakenUnit) => ({ pk: `LIMIT#${unit.number}#${unit.window}`, sk: 'LIMIT' });

/**
 * Fixed-window counters in the messages table: `LIMIT#<number>#<window start>`, holding the set
 * of the holders of its units. One conditional `ADD` of the holder per message (no read; DynamoDB
 * serialises the updates of one item), expiring with TTL after their window. Over the limit is the
 * condition failing, so it cannot be raced past; a holder already in the set is taken as is.
 */
export function createRecipientCounters(options: {
  client: DynamoDBDocumentClient;
  tableName: string;
  limit: RecipientLimit;
}): RecipientCounters {
  const { client, tableName, limit } = options;
  const fail = (what: string, error: unknown) => {
    const name = (error as { name?: unknown } | null)?.name;
    return new StoreError(`${what} failed (${typeof name === 'string' ? name : 'error'})`, {
      cause: error,
    });
  };
  return {
    async take(numbers, nowMs, holder = randomUUID()) {
      const { start, leftSeconds } = windowOf(limit, nowMs);
      const seen = new Map<string, number>();
      const units = numbers.map((number) => {
        // A number listed twice in one request takes two units: one per occurrence.
        const occurrence = seen.get(number) ?? 0;
        seen.set(number, occurrence + 1);
        return { number, window: start, holder: `${holder}#${occurrence}`, fresh: true };
      });
      const results = await mapWithConcurrency(units, CONCURRENCY, async (unit) => {
        try {
          const { Attributes: before } = await client.send(
            new UpdateCommand({
              TableName: tableName,
              Key: key(unit),
              UpdateExpression: 'ADD holders :me SET expiresAt = :expires',
              ConditionExpression:
                'attribute_not_exists(holders) OR size(holders) < :limit OR contains(holders, :holder)',
              ExpressionAttributeValues: {
                ':me': new Set([unit.holder]),
                ':holder': unit.holder,
                ':limit': limit.count,
                // A day after the window ends: long enough for any give-back to find it.
                ':expires': start + limit.windowSeconds + 86_400,
              },
              // The set as it was: whether this holder held the unit already.
              ReturnValues: 'UPDATED_OLD',
            }),
          );
          const held = before?.holders as Set<string> | undefined;
          return { unit: { ...unit, fresh: !held?.has(unit.holder) } };
        } catch (error) {
          if (isConditionFailure(error)) return { overForSeconds: leftSeconds };
          throw fail('taking a recipient limit unit', error);
        }
      });
      return { results };
    },

    async giveBack(units) {
      await mapWithConcurrency(units, CONCURRENCY, async (unit) => {
        try {
          await client.send(
            new UpdateCommand({
              TableName: tableName,
              Key: key(unit),
              UpdateExpression: 'DELETE holders :me',
              ConditionExpression: 'attribute_exists(holders)',
              ExpressionAttributeValues: { ':me': new Set([unit.holder]) },
            }),
          );
        } catch (error) {
          if (!isConditionFailure(error)) throw fail('giving back a recipient limit unit', error);
        }
      });
    },
  };
}
