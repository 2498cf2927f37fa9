import { randomUUID } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import {
  DeleteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { applied, isConditionFailure, storeError } from './dynamoErrors.ts';

/*
 * The Idempotency-Key ledger (SPEC "Idempotency"), one item per caller and key:
 *   pk IDEM#<sha256 of scope and key>   sk IDEM
 *   fingerprint   the request's hash: another body under the key is a conflict
 *   state         in_progress (with leaseUntil, the claiming invocation's deadline) | done
 *   claim         a random token of the claiming attempt: only it completes or releases
 *   planned       the messageIds the attempt fixed before sending (to answer for it if it died)
 *   outcome       done: what the first request answered, gzipped JSON; a larger answer is in
 *                 items sk OUT#<claim>#<n> of 350 KB each, named by outcomeClaim and outcomeParts
 *   expiresAt     TTL: 24 h after the claim (in seconds)
 * The key and the scope are hashed by the caller: no API key or caller text is stored.
 */

const KEPT_SECONDS = 24 * 3_600;

/** What the first request with a key answered, kept to replay it. */
export type StoredOutcome =
  | { kind: 'ok'; body: unknown }
  | {
      kind: 'error';
      code: string;
      message: string;
      details?: unknown;
      retryAfterSeconds?: number | undefined;
    };

export type ClaimResult =
  | { kind: 'claimed'; claim: string }
  /** The key was claimed before by an attempt that died (its lease ran out): now ours. */
  | { kind: 'abandoned'; claim: string; planned: string[] }
  | { kind: 'replay'; outcome: StoredOutcome }
  | { kind: 'conflict' }
  | { kind: 'in_progress'; retryAfterSeconds: number };

export interface ClaimRequest {
  /** Hash of the caller's scope and key (the item's identity). */
  id: string;
  fingerprint: string;
  /** Epoch ms until which the claim holds (the invocation's own deadline). */
  leaseUntil: number;
  planned?: readonly string[] | undefined;
  now: number;
}

export interface IdempotencyLedger {
  claim(request: ClaimRequest): Promise<ClaimResult>;
  complete(id: string, claim: string, outcome: StoredOutcome): Promise<void>;
  release(id: string, claim: string): Promise<void>;
  /**
   * Names `planned` as the messages the key answers for, while `claim` holds it: a request that
   * took over the claim of a dead attempt that surely sent nothing, before it sends its own (a
   * takeover keeps naming the dead attempt's messages until then). False when `claim` no
   * longer holds the key (nothing was changed).
   */
  replan(id: string, claim: string, planned: readonly string[]): Promise<boolean>;
}

/** Gzipped answer bytes per item: well under DynamoDB's 400 KB item limit. */
const PART_BYTES = 350 * 1024;

/** A part's sort key: in the claim that wrote it, numbered so the keys sort in order. */
const partKey = (claim: string, index: number | '') =>
  `OUT#${claim}#${index === '' ? '' : String(index).padStart(4, '0')}`;

/** The DynamoDB ledger, on the messages table. */
export function createIdempotencyLedger(options: {
  client: DynamoDBDocumentClient;
  tableName: string;
}): IdempotencyLedger {
  const { client, tableName } = options;
  const key = (id: string) => ({ pk: `IDEM#${id}`, sk: 'IDEM' });

  /** The parts of a large answer, in order; throws when one is missing. */
  async function readParts(id: string, claim: string, count: number): Promise<Uint8Array> {
    const parts: Uint8Array[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await client.send(
        new QueryCommand({
          TableName: tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          ExpressionAttributeValues: { ':pk': `IDEM#${id}`, ':prefix': partKey(claim, '') },
          ConsistentRead: true,
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      for (const item of page.Items ?? []) parts.push(item.data as Uint8Array);
      start = page.LastEvaluatedKey;
    } while (start);
    if (parts.length !== count) throw new Error(`${parts.length} of ${count} answer parts found`);
    return Buffer.concat(parts);
  }

  async function read(id: string): Promise<Record<string, unknown> | undefined> {
    const found = await client.send(
      new GetCommand({ TableName: tableName, Key: key(id), ConsistentRead: true }),
    );
    return found.Item as Record<string, unknown> | undefined;
  }

  return {
    async claim(request) {
      const claim = randomUUID();
      const nowSeconds = Math.floor(request.now / 1000);
      try {
        await client.send(
          new PutCommand({
            TableName: tableName,
            Item: {
              ...key(request.id),
              fingerprint: request.fingerprint,
              state: 'in_progress',
              claim,
              leaseUntil: request.leaseUntil,
              ...(request.planned ? { planned: [...request.planned] } : {}),
              expiresAt: nowSeconds + KEPT_SECONDS,
            },
            // New, or expired (TTL deletes lazily).
            ConditionExpression: 'attribute_not_exists(pk) OR expiresAt < :nowSeconds',
            ExpressionAttributeValues: { ':nowSeconds': nowSeconds },
          }),
        );
        return { kind: 'claimed', claim };
      } catch (error) {
        if (!isConditionFailure(error)) throw storeError('claiming an idempotency key', error);
      }
      try {
        // Claimed by an attempt whose lease ran out (same body): a crashed attempt never blocks
        // its key for good. The claim changes hands but keeps naming that attempt's messages:
        // whatever happens to this request, the next one reads what the dead attempt did.
        const taken = await client.send(
          new UpdateCommand({
            TableName: tableName,
            Key: key(request.id),
            // Kept 24 h from the takeover, as from a claim: a key that expired while its new
            // owner still sends could be claimed afresh and sent again.
            UpdateExpression:
              'SET claim = :claim, leaseUntil = :leaseUntil, expiresAt = :expiresAt',
            ConditionExpression:
              '#state = :inProgress AND leaseUntil < :now AND fingerprint = :fingerprint AND expiresAt >= :nowSeconds',
            ExpressionAttributeNames: { '#state': 'state' },
            ExpressionAttributeValues: {
              ':claim': claim,
              ':leaseUntil': request.leaseUntil,
              ':inProgress': 'in_progress',
              ':now': request.now,
              ':fingerprint': request.fingerprint,
              ':nowSeconds': nowSeconds,
              ':expiresAt': nowSeconds + KEPT_SECONDS,
            },
            ReturnValues: 'ALL_OLD',
          }),
        );
        const old = taken.Attributes;
        return {
          kind: 'abandoned',
          claim,
          planned: Array.isArray(old?.planned) ? old.planned.map(String) : [],
        };
      } catch (error) {
        if (!isConditionFailure(error)) throw storeError('claiming an idempotency key', error);
      }
      let item: Record<string, unknown> | undefined;
      try {
        item = await read(request.id);
      } catch (error) {
        throw storeError('reading an idempotency key', error);
      }
      // Released between the two calls: the caller may simply try again.
      if (!item) return { kind: 'in_progress', retryAfterSeconds: 1 };
      if (item.fingerprint !== request.fingerprint) return { kind: 'conflict' };
      if (item.state === 'done' && item.outcome instanceof Uint8Array) {
        return {
          kind: 'replay',
          outcome: JSON.parse(gunzipSync(item.outcome).toString('utf8')) as StoredOutcome,
        };
      }
      if (item.state === 'done' && typeof item.outcomeClaim === 'string') {
        let parts: Uint8Array;
        try {
          parts = await readParts(request.id, item.outcomeClaim, Number(item.outcomeParts));
        } catch (error) {
          throw storeError("reading an idempotency key's answer", error);
        }
        return {
          kind: 'replay',
          outcome: JSON.parse(gunzipSync(parts).toString('utf8')) as StoredOutcome,
        };
      }
      const left = Number(item.leaseUntil) - request.now;
      return { kind: 'in_progress', retryAfterSeconds: Math.max(1, Math.ceil(left / 1000)) };
    },

    async complete(id, claim, outcome) {
      const packed = gzipSync(JSON.stringify(outcome));
      try {
        if (packed.length <= PART_BYTES) {
          await client.send(
            new UpdateCommand({
              TableName: tableName,
              Key: key(id),
              UpdateExpression: 'SET #state = :done, outcome = :outcome REMOVE leaseUntil, planned',
              ConditionExpression: 'claim = :claim',
              ExpressionAttributeNames: { '#state': 'state' },
              ExpressionAttributeValues: { ':done': 'done', ':outcome': packed, ':claim': claim },
            }),
          );
          return;
        }
        // A large answer (a 10,000-recipient batch) is more than one item holds (400 KB): its
        // parts go first, under this claim, then the key names them.
        const count = Math.ceil(packed.length / PART_BYTES);
        const expires = Math.floor(Date.now() / 1000) + KEPT_SECONDS;
        await Promise.all(
          Array.from({ length: count }, (_, i) =>
            client.send(
              new PutCommand({
                TableName: tableName,
                Item: {
                  pk: `IDEM#${id}`,
                  sk: partKey(claim, i),
                  data: packed.subarray(i * PART_BYTES, (i + 1) * PART_BYTES),
                  expiresAt: expires,
                },
              }),
            ),
          ),
        );
        await client.send(
          new UpdateCommand({
            TableName: tableName,
            Key: key(id),
            UpdateExpression:
              'SET #state = :done, outcomeClaim = :claim, outcomeParts = :parts REMOVE leaseUntil, planned',
            ConditionExpression: 'claim = :claim',
            ExpressionAttributeNames: { '#state': 'state' },
            ExpressionAttributeValues: { ':done': 'done', ':claim': claim, ':parts': count },
          }),
        );
      } catch (error) {
        // Taken over after this attempt's lease ran out: the other attempt answers for the key.
        if (isConditionFailure(error)) return;
        throw storeError('completing an idempotency key', error);
      }
    },

    replan(id, claim, planned) {
      return applied(
        () =>
          client.send(
            new UpdateCommand({
              TableName: tableName,
              Key: key(id),
              UpdateExpression: 'SET planned = :planned',
              ConditionExpression: 'claim = :claim AND #state = :inProgress',
              ExpressionAttributeNames: { '#state': 'state' },
              ExpressionAttributeValues: {
                ':planned': [...planned],
                ':claim': claim,
                ':inProgress': 'in_progress',
              },
            }),
          ),
        'naming the messages of an idempotency key',
      );
    },

    async release(id, claim) {
      // Taken over meanwhile: the other claim is not this one's to release.
      await applied(
        () =>
          client.send(
            new DeleteCommand({
              TableName: tableName,
              Key: key(id),
              ConditionExpression: 'claim = :claim',
              ExpressionAttributeValues: { ':claim': claim },
            }),
          ),
        'releasing an idempotency key',
      );
    },
  };
}
