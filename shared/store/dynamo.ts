import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import {
  BatchWriteCommand,
  DeleteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import {
  type DeliveryState,
  foldReports,
  type ReceivedReport,
  reportKey,
} from '../delivery/state.ts';
import { StoreError } from '../errors.ts';
import { messageIdFor, messageIdOf } from '../messageId.ts';
import type { DeliveryReport, InboundMessage } from '../ports/push.ts';
import { mapWithConcurrency } from '../util/pool.ts';
import { applied, storeError } from './dynamoErrors.ts';
import type { ApplyOptions, MessageRecord, MessageStore, StoredMessage } from './types.ts';
import { consistentBatchGet, untilProcessed } from './unprocessed.ts';

/** A request of a BatchWriteItem. */
type BatchRequest =
  | { PutRequest: { Item: Record<string, unknown> } }
  | { DeleteRequest: { Key: Record<string, unknown> } };

/** A stored record without the table's own attributes. */
function stripIndex(item: Record<string, unknown>): MessageRecord {
  const { pk: _pk, sk: _sk, dueShard: _shard, dueAt: _due, expiresAt: _exp, ...record } = item;
  return record as unknown as MessageRecord;
}

/*
 * One table; every access by key, or by the sparse `due` index (no Scan):
 *   pk MSG#<messageId>      sk MESSAGE          what was submitted: the intent before the provider
 *                                               call, then its outcome (written by the senders)
 *   pk MSG#<messageId>      sk REPORT#<key>     one distinct report (written once, by statusCallback
 *                                               or reconcile)
 *   pk MSG#<messageId>      sk DELIVERY         the earliest layout's folded state (read only)
 *   pk INBOUND#<p>#<id>     sk INBOUND          a reply from a phone
 *   pk OPTOUT#<E.164>       sk OPTOUT           an opted-out number (shared/store/optOuts.ts)
 *   pk LIMIT#<E.164>#<w>    sk LIMIT            a recipient's counter (recipientCounters.ts)
 * A message's id is fixed before the provider call from the call's correlation and the number
 * (messageIdOf); its reports bring both back, so they find its partition with no lookup. Reports
 * that come back with only the provider's id (records of the layout before correlations, Alibaba
 * receipts of a request whose `OutId` carried the caller's reference) land in the partition that id
 * names (messageIdFor), which such a record names as `reportsAt`.
 * A report is its own item, keyed by what makes it distinct: storing it needs no read of its
 * message, never conflicts with another report of the same message, and a duplicate is the same
 * item. Alone in its push it is one conditional put (a duplicate's changes nothing); a push of
 * several reads their items in one BatchGetItem and writes the new ones 25 per BatchWriteItem.
 * The reports are folded by the pure state machine on read.
 * Messages that may still change (unknown, accepted) carry `dueShard`/`dueAt`, the keys of the
 * sparse `due` index that reconciliation reads; it removes them once they are final.
 */
const MESSAGE = 'MESSAGE';
const DELIVERY = 'DELIVERY';
const REPORT = 'REPORT#';
/** In a provider id's partition: its message was sent without a callback URL (app reports). */
const APP_REPORTS = 'APPREPORTS';
const BATCH_SIZE = 25;
/** Reports of one push written at once, when each is its own put. */
const REPORT_WRITES = 25;
/**
 * A push of this many reports or more is stored with batched reads and writes (3 requests for
 * Huawei's 50, against 51 conditional puts and a read); fewer, each is one conditional put.
 */
const BATCHED_FROM = 2;

/** One report of a push and where it goes. */
interface ReportEntry {
  report: DeliveryReport;
  messageId: string;
  sk: string;
}
/** The sparse index of messages reconciliation has to look at, and its spread of partitions. */
export const DUE_INDEX = 'due';
export const DUE_SHARDS = 8;

export interface DynamoStoreOptions {
  /** A document client that removes undefined values (see `createDocumentClient`). */
  client: DynamoDBDocumentClient;
  tableName: string;
  /** Records expire (TTL attribute `expiresAt`) this many days after their last write. */
  retentionDays: number;
  /** A message that may still change is first due for reconciliation this long after [15 min]. */
  firstCheckAfterMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

const messageKey = (messageId: string) => `MSG#${messageId}`;

/** The `due` index partition of a message: spread so no partition takes every send. */
function dueShard(messageId: string): string {
  return `DUE#${Number.parseInt(messageId.slice(0, 2), 16) % DUE_SHARDS}`;
}

/** The partition a report belongs to: its call's message when it says which, else its id's. */
export function reportPartition(report: DeliveryReport): string {
  return report.correlation !== undefined && report.to !== undefined
    ? messageIdOf(report.correlation, report.to)
    : messageIdFor(report.provider, report.trackingId);
}

interface Cursor {
  shard: number;
  key?: Record<string, unknown> | undefined;
}

function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify(cursor)).toString('base64url');
}

function decodeCursor(value: string | undefined): Cursor {
  if (!value) return { shard: 0 };
  const parsed = JSON.parse(Buffer.from(value, 'base64url').toString('utf8')) as Cursor;
  return { shard: Number(parsed.shard) || 0, key: parsed.key };
}

/** The DynamoDB implementation of MessageStore, given its client and table. */
export function createDynamoStore(options: DynamoStoreOptions): MessageStore {
  const { client, tableName } = options;
  const sleep =
    options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const expiresAt = (from: string) =>
    Math.floor(Date.parse(from) / 1000) + options.retentionDays * 86_400;
  const firstCheckAfterMs = options.firstCheckAfterMs ?? 15 * 60_000;

  /**
   * Which of `messageIds` are recorded as `kind` says: their records (`message`), or the marker of
   * a message sent without a callback URL (`appReports`; else a record of the layout before
   * correlations in that partition, looked for only where no marker is). One consistent
   * BatchGetItem per 100 ids.
   */
  async function findRecorded(
    messageIds: readonly string[],
    kind: 'message' | 'appReports',
  ): Promise<Set<string>> {
    const sk = kind === 'message' ? MESSAGE : APP_REPORTS;
    const items = await consistentBatchGet(client, {
      tableName,
      keys: messageIds.map((id) => ({ pk: messageKey(id), sk })),
      attribute: 'pk',
      concurrency: 4,
      what: 'reads',
      sleep,
    });
    const found = new Set(items.map((item) => String(item.pk).slice('MSG#'.length)));
    if (kind === 'appReports') await addLegacyRecords(messageIds, found);
    return found;
  }

  /**
   * Adds to `found` those of `messageIds` it lacks that hold a record of the layout before
   * correlations in their partition (a message of that layout has no marker): one GetItem each.
   */
  async function addLegacyRecords(
    messageIds: readonly string[],
    found: Set<string>,
  ): Promise<void> {
    const missing = messageIds.filter((id) => !found.has(id));
    await mapWithConcurrency(missing, 8, async (id) => {
      const answer = await client.send(
        new GetCommand({
          TableName: tableName,
          Key: { pk: messageKey(id), sk: MESSAGE },
          ProjectionExpression: 'pk',
          ConsistentRead: true,
        }),
      );
      if (answer.Item) found.add(id);
    });
  }

  /**
   * The reports of a push of several, stored with batched requests: one consistent read of every
   * report's item and of every check's record (100 keys a request), then the reports not stored
   * yet. A duplicate, in the push or stored before, is not written again. A report with the
   * provider's time goes in a BatchWriteItem (25 a request), unconditional: a duplicate that
   * races it (read before, written after) writes the same report again, with only its receive
   * time (and expiry) different, and nothing a message shows depends on those. One without it
   * takes its time from its arrival: a conditional put, so the first stored stays. A report to a
   * per-request URL whose message is not recorded is not written at all (and removed, if an
   * earlier try of the push left it).
   */
  async function storeBatched(
    entries: readonly ReportEntry[],
    itemOf: (entry: ReportEntry) => Record<string, unknown>,
    putOne: (entry: ReportEntry) => Promise<boolean>,
    mustExist: ApplyOptions['mustExist'],
  ): Promise<Array<{ changed: boolean; found?: boolean }>> {
    const keyOf = (entry: ReportEntry) => `${messageKey(entry.messageId)} ${entry.sk}`;
    const firstOf = new Map<string, number>();
    entries.forEach((entry, index) => {
      if (!firstOf.has(keyOf(entry))) firstOf.set(keyOf(entry), index);
    });
    const distinct = [...firstOf.values()].map((index) => entries[index] as ReportEntry);
    const messageIds = [...new Set(distinct.map((entry) => entry.messageId))];
    const checkSk = mustExist === 'message' ? MESSAGE : APP_REPORTS;
    let stored: Set<string>;
    let known: Set<string> | undefined;
    try {
      const items = await consistentBatchGet(client, {
        tableName,
        keys: [
          ...distinct.map((entry) => ({ pk: messageKey(entry.messageId), sk: entry.sk })),
          ...(mustExist ? messageIds.map((id) => ({ pk: messageKey(id), sk: checkSk })) : []),
        ],
        attribute: ['pk', 'sk'],
        concurrency: 4,
        what: 'reads',
        sleep,
      });
      stored = new Set(items.map((item) => `${item.pk} ${item.sk}`));
      if (mustExist) {
        known = new Set(
          items
            .filter((item) => item.sk === checkSk)
            .map((item) => String(item.pk).slice('MSG#'.length)),
        );
        if (mustExist === 'appReports') await addLegacyRecords(messageIds, known);
      }
    } catch (error) {
      throw error instanceof StoreError ? error : storeError('reading delivery reports', error);
    }
    const writes: BatchRequest[] = [];
    const timeless: ReportEntry[] = [];
    for (const entry of distinct) {
      const found = known === undefined || known.has(entry.messageId);
      const already = stored.has(keyOf(entry));
      // No genuine report lives where no record is (the intent is written before the call).
      if (mustExist === 'message' && !found) {
        if (already)
          writes.push({
            DeleteRequest: { Key: { pk: messageKey(entry.messageId), sk: entry.sk } },
          });
      } else if (already) continue;
      else if (entry.report.updatedAt === undefined) timeless.push(entry);
      else writes.push({ PutRequest: { Item: itemOf(entry) } });
    }
    const batches: BatchRequest[][] = [];
    for (let i = 0; i < writes.length; i += BATCH_SIZE)
      batches.push(writes.slice(i, i + BATCH_SIZE));
    const lost = new Set<string>();
    try {
      await Promise.all([
        mapWithConcurrency(batches, 4, (batch) => batchWrite(batch, 'reports')),
        mapWithConcurrency(timeless, REPORT_WRITES, async (entry) => {
          if (!(await putOne(entry))) lost.add(keyOf(entry));
        }),
      ]);
    } catch (error) {
      throw error instanceof StoreError ? error : storeError('storing delivery reports', error);
    }
    return entries.map((entry, index) => {
      const key = keyOf(entry);
      const found = known === undefined || known.has(entry.messageId);
      // A report of an application-token push whose message is unknown is kept aside, inert.
      const changed = found && firstOf.get(key) === index && !stored.has(key) && !lost.has(key);
      return mustExist ? { changed, found } : { changed };
    });
  }
  const due = (record: MessageRecord) =>
    record.status === 'accepted' || record.status === 'unknown'
      ? {
          dueShard: dueShard(record.messageId),
          dueAt: new Date(Date.parse(record.submittedAt) + firstCheckAfterMs).toISOString(),
        }
      : {};

  /** One BatchWriteItem of `requests` (puts or deletes), and of whatever it leaves unprocessed. */
  async function batchWrite(requests: BatchRequest[], what: string): Promise<void> {
    await untilProcessed(
      requests,
      async (pending) => {
        const result = await client.send(
          new BatchWriteCommand({ RequestItems: { [tableName]: pending } }),
        );
        return (result.UnprocessedItems?.[tableName] ?? []) as BatchRequest[];
      },
      what,
      sleep,
    );
  }

  async function batchPut(items: Record<string, unknown>[]): Promise<void> {
    await batchWrite(
      items.map((Item) => ({ PutRequest: { Item } })),
      'records',
    );
  }

  async function queryPartition(messageId: string): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
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
      items.push(...((page.Items ?? []) as Record<string, unknown>[]));
      start = page.LastEvaluatedKey;
    } while (start);
    return items;
  }

  const store: MessageStore = {
    async recordMessages(records) {
      // A message sent without a callback URL: its reports come to the application's URL with
      // only the provider's id, so the partition they land in says it may take them. The
      // markers go first: reports race the records.
      const items: Record<string, unknown>[] = records.flatMap((record) =>
        record.appReports && record.reportsAt && record.reportsAt !== record.messageId
          ? [
              {
                pk: messageKey(record.reportsAt),
                sk: APP_REPORTS,
                messageId: record.messageId,
                expiresAt: expiresAt(record.submittedAt),
              },
            ]
          : [],
      );
      for (const record of records)
        items.push({
          pk: messageKey(record.messageId),
          sk: MESSAGE,
          ...record,
          ...due(record),
          expiresAt: expiresAt(record.submittedAt),
        });
      const batches: Record<string, unknown>[][] = [];
      for (let i = 0; i < items.length; i += BATCH_SIZE)
        batches.push(items.slice(i, i + BATCH_SIZE));
      try {
        await mapWithConcurrency(batches, 4, batchPut);
      } catch (error) {
        throw error instanceof StoreError ? error : storeError('recording messages', error);
      }
    },

    async discardMessages(messageIds) {
      const batches: string[][] = [];
      for (let i = 0; i < messageIds.length; i += BATCH_SIZE)
        batches.push(messageIds.slice(i, i + BATCH_SIZE));
      try {
        await mapWithConcurrency(batches, 4, (ids) =>
          batchWrite(
            ids.map((id) => ({ DeleteRequest: { Key: { pk: messageKey(id), sk: MESSAGE } } })),
            'deletes',
          ),
        );
      } catch (error) {
        throw error instanceof StoreError ? error : storeError('discarding records', error);
      }
    },

    async applyReport(report: DeliveryReport, receivedAt: string, applyOptions?: ApplyOptions) {
      const [result] = await store.applyReports([report], receivedAt, applyOptions);
      return result ?? { changed: false };
    },

    async applyReports(
      reports: readonly DeliveryReport[],
      receivedAt: string,
      applyOptions?: ApplyOptions,
    ) {
      const entries: ReportEntry[] = reports.map((report) => ({
        report,
        messageId: applyOptions?.messageId ?? reportPartition(report),
        sk: `${REPORT}${reportKey(report)}`,
      }));
      const itemOf = ({ report, messageId, sk }: ReportEntry) => ({
        pk: messageKey(messageId),
        sk,
        report,
        receivedAt,
        ...(applyOptions?.by ? { by: applyOptions.by } : {}),
        expiresAt: expiresAt(receivedAt),
      });
      const mustExist = applyOptions?.mustExist;
      const put = (entry: ReportEntry) =>
        applied(
          () =>
            client.send(
              new PutCommand({
                TableName: tableName,
                Item: itemOf(entry),
                // The first arrival wins: a duplicate is the same item, and keeps its first time.
                ConditionExpression: 'attribute_not_exists(pk)',
              }),
            ),
          'storing a delivery report',
        );
      if (entries.length >= BATCHED_FROM) return storeBatched(entries, itemOf, put, mustExist);
      const writes = mapWithConcurrency(entries, REPORT_WRITES, put);
      if (!mustExist) return (await writes).map((changed) => ({ changed }));
      // The check runs beside the writes, not before them: one round trip, and one read for a
      // whole push. A per-request report's record (its intent) was written before the provider
      // call, so a genuine one always finds it; an application-token report's marker is written
      // once the provider has answered.
      const [changed, known] = await Promise.all([
        writes,
        findRecorded([...new Set(entries.map((entry) => entry.messageId))], mustExist).catch(
          (error: unknown) => {
            throw storeError("checking a report's message", error);
          },
        ),
      ]);
      return await Promise.all(
        entries.map(async (entry, index) => {
          if (known.has(entry.messageId)) return { changed: changed[index] === true, found: true };
          // A report with the application token can beat its message's record (and marker):
          // the provider's id is known only once the provider answers. It is kept aside, inert
          // (it lands in its provider id's partition, which getMessage folds only into a message
          // sent without a callback URL), never lost; the push is still refused.
          if (mustExist === 'appReports') return { changed: false, found: false };
          // No genuine report lives where no record is (the intent is written before the call):
          // removed, whoever wrote it (this push, or an earlier try of it that failed midway).
          try {
            await client.send(
              new DeleteCommand({
                TableName: tableName,
                Key: { pk: messageKey(entry.messageId), sk: entry.sk },
              }),
            );
          } catch (error) {
            throw storeError('removing a refused report', error);
          }
          return { changed: false, found: false };
        }),
      );
    },

    async getMessage(messageId) {
      try {
        const found: StoredMessage = {};
        let legacy: DeliveryState | undefined;
        const reports: ReceivedReport[] = [];
        for (const item of await queryPartition(messageId)) {
          const sk = String(item.sk);
          if (sk === MESSAGE) found.record = stripIndex(item);
          else if (sk === DELIVERY) legacy = item as unknown as DeliveryState;
          else if (sk.startsWith(REPORT)) reports.push(item as unknown as ReceivedReport);
        }
        const other = found.record?.reportsAt;
        if (other && other !== messageId) {
          // Reports that came back with only the provider's id. The application token vouches
          // only for messages sent without a per-request URL; a record in that partition is
          // another message (the layout before correlations).
          const trustsApp = found.record?.appReports === true;
          for (const item of await queryPartition(other)) {
            if (!String(item.sk).startsWith(REPORT) || (item.by === 'app' && !trustsApp)) continue;
            reports.push(item as unknown as ReceivedReport);
          }
        }
        const delivery = foldReports(legacy, reports);
        if (delivery) found.delivery = delivery;
        return found;
      } catch (error) {
        throw storeError('reading a message', error);
      }
    },

    async recordInbound(message: InboundMessage, receivedAt: string) {
      const changed = await applied(
        () =>
          client.send(
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
          ),
        'storing a reply',
      );
      return { changed };
    },

    async listDue(now, { limit, cursor }) {
      const position = decodeCursor(cursor);
      const messageIds: string[] = [];
      try {
        for (let shard = position.shard; shard < DUE_SHARDS; shard++) {
          let start = shard === position.shard ? position.key : undefined;
          do {
            const page = await client.send(
              new QueryCommand({
                TableName: tableName,
                IndexName: DUE_INDEX,
                KeyConditionExpression: 'dueShard = :shard AND dueAt <= :now',
                ExpressionAttributeValues: { ':shard': `DUE#${shard}`, ':now': now },
                Limit: limit - messageIds.length,
                ...(start ? { ExclusiveStartKey: start } : {}),
              }),
            );
            for (const item of page.Items ?? []) messageIds.push(String(item.pk).slice(4));
            start = page.LastEvaluatedKey;
            if (messageIds.length >= limit)
              return {
                messageIds,
                cursor: start
                  ? encodeCursor({ shard, key: start })
                  : shard + 1 < DUE_SHARDS
                    ? encodeCursor({ shard: shard + 1 })
                    : undefined,
              };
          } while (start);
        }
        return { messageIds };
      } catch (error) {
        throw storeError('listing messages to reconcile', error);
      }
    },

    async scheduleCheck(messageId, next) {
      // A message no longer there has nothing to schedule.
      await applied(
        () =>
          client.send(
            new UpdateCommand({
              TableName: tableName,
              Key: { pk: messageKey(messageId), sk: MESSAGE },
              ...(next
                ? {
                    UpdateExpression: 'SET dueAt = :next, dueShard = :shard',
                    ExpressionAttributeValues: { ':next': next, ':shard': dueShard(messageId) },
                  }
                : { UpdateExpression: 'REMOVE dueAt, dueShard' }),
              ConditionExpression: 'attribute_exists(pk)',
            }),
          ),
        'scheduling a reconciliation',
      );
    },
  };
  return store;
}
