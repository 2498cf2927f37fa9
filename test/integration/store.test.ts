import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  availableBackends,
  createMessagesTable,
  type LocalDynamo,
  startLocalDynamo,
} from '../../local/dynamo.ts';
import type { DeliveryReport } from '../../shared/delivery/state.ts';
import { messageView } from '../../shared/delivery/view.ts';
import { statusFromHuawei } from '../../shared/huawei/status.ts';
import { messageIdFor, messageIdOf, newCorrelation } from '../../shared/messageId.ts';
import { createDocumentClient } from '../../shared/store/client.ts';
import { createDynamoStore } from '../../shared/store/dynamo.ts';
import { type MessageRecord, type MessageStore, StoreError } from '../../shared/store/types.ts';

const TABLE = 'sms-relay-test-messages';
let counter = 0;
const uniqueId = () => `store-test-${Date.now()}-${counter++}`;

function accepted(providerMessageId: string, extra: Partial<MessageRecord> = {}): MessageRecord {
  return {
    messageId: messageIdFor('huawei', providerMessageId),
    to: '+6591234567',
    templateId: 'tpl',
    reference: 'order-42',
    provider: 'huawei',
    providerMessageId,
    status: 'accepted',
    submittedAt: '2026-11-22T10:00:00.000Z',
    ...extra,
  };
}

function report(
  providerMessageId: string,
  providerStatus: string,
  extra: Partial<DeliveryReport> = {},
): DeliveryReport {
  return {
    provider: 'huawei',
    providerMessageId,
    trackingId: providerMessageId,
    providerStatus,
    status: statusFromHuawei(providerStatus),
    total: 1,
    sequence: 1,
    updatedAt: '2026-11-22T10:00:05.000Z',
    ...extra,
  };
}

describe.each(availableBackends())('DynamoDB store on %s', (kind) => {
  let dynamo: LocalDynamo;
  let client: DynamoDBDocumentClient;
  let store: MessageStore;
  const view = async (record: MessageRecord) =>
    messageView(record.messageId, await store.getMessage(record.messageId));

  beforeAll(async () => {
    dynamo = await startLocalDynamo(kind);
    await createMessagesTable(dynamo.endpoint, TABLE);
    client = createDocumentClient({
      endpoint: dynamo.endpoint,
      region: 'ap-southeast-1',
      credentials: { accessKeyId: 'l', secretAccessKey: 'l' },
    });
    store = createDynamoStore({ client, tableName: TABLE, retentionDays: 90 });
  }, 60_000);
  afterAll(async () => {
    client?.destroy();
    await dynamo?.close();
  });

  it('records messages and reads one back in a single query, with a TTL', async () => {
    const record = accepted(uniqueId());
    await store.recordMessages([record]);
    expect(await view(record)).toMatchObject({
      messageId: record.messageId,
      status: 'accepted',
      acceptedAt: record.submittedAt,
      parts: { total: 1, delivered: 0 },
      history: [{ status: 'accepted', at: record.submittedAt }],
    });
    const raw = await client.send(
      new GetCommand({ TableName: TABLE, Key: { pk: `MSG#${record.messageId}`, sk: 'MESSAGE' } }),
    );
    expect(raw.Item?.expiresAt).toBe(
      Math.floor(Date.parse(record.submittedAt) / 1000) + 90 * 86_400,
    );
  });

  it('records 500 messages in batches, every one readable', async () => {
    const records = Array.from({ length: 500 }, () => accepted(uniqueId()));
    await store.recordMessages(records);
    const views = await Promise.all(records.filter((_, i) => i % 50 === 0).map(view));
    expect(views.every((v) => v?.status === 'accepted')).toBe(true);
  });

  it('applies a report: delivered, with provider status, parts and history', async () => {
    const record = accepted(uniqueId());
    await store.recordMessages([record]);
    expect(
      await store.applyReport(
        report(record.providerMessageId ?? '', 'DELIVRD'),
        '2026-11-22T10:00:06.000Z',
      ),
    ).toEqual({ changed: true });
    expect(await view(record)).toMatchObject({
      status: 'delivered',
      providerStatus: 'DELIVRD',
      // The latest event's time, the provider's: not its arrival (10:00:06).
      updatedAt: '2026-11-22T10:00:05.000Z',
      parts: { total: 1, delivered: 1 },
      history: [
        { status: 'accepted' },
        { status: 'delivered', providerStatus: 'DELIVRD', at: '2026-11-22T10:00:05.000Z' },
      ],
    });
  });

  it('changes nothing for a duplicate and keeps terminal statuses against late reports', async () => {
    const record = accepted(uniqueId());
    const id = record.providerMessageId ?? '';
    await store.recordMessages([record]);
    await store.applyReport(report(id, 'DELIVRD'), '2026-11-22T10:00:06.000Z');
    expect(await store.applyReport(report(id, 'DELIVRD'), '2026-11-22T10:00:07.000Z')).toEqual({
      changed: false,
    });
    await store.applyReport(
      report(id, 'ACCEPTD', { updatedAt: '2026-11-22T10:00:01.000Z' }),
      '2026-11-22T10:00:08.000Z',
    );
    const result = await view(record);
    expect(result?.status).toBe('delivered');
    expect(result?.history.map((h) => h.providerStatus)).toEqual([undefined, 'ACCEPTD', 'DELIVRD']);
  });

  it('tracks a two-part message, even when both parts are reported at the same moment', async () => {
    const record = accepted(uniqueId());
    const id = record.providerMessageId ?? '';
    await store.recordMessages([record]);
    const results = await Promise.all([
      store.applyReport(
        report(id, 'DELIVRD', { total: 2, sequence: 1 }),
        '2026-11-22T10:00:06.000Z',
      ),
      store.applyReport(
        report(id, 'DELIVRD', { total: 2, sequence: 2 }),
        '2026-11-22T10:00:06.000Z',
      ),
    ]);
    expect(results).toEqual([{ changed: true }, { changed: true }]);
    expect(await view(record)).toMatchObject({
      status: 'delivered',
      parts: { total: 2, delivered: 2 },
    });
  });

  it('stores 50 reports of one batch concurrently, none lost', async () => {
    const records = Array.from({ length: 50 }, () => accepted(uniqueId()));
    await store.recordMessages(records);
    await Promise.all(
      records.map((r) =>
        store.applyReport(report(r.providerMessageId ?? '', 'DELIVRD'), '2026-11-22T10:00:06.000Z'),
      ),
    );
    const views = await Promise.all(records.map(view));
    expect(views.filter((v) => v?.status === 'delivered')).toHaveLength(50);
  });

  it('keeps a report for a message not known yet and joins it when the message is recorded', async () => {
    const record = accepted(uniqueId());
    await store.applyReport(
      report(record.providerMessageId ?? '', 'DELIVRD'),
      '2026-11-22T10:00:06.000Z',
    );
    expect(await view(record)).toBeUndefined();
    expect((await store.getMessage(record.messageId)).delivery?.status).toBe('delivered');
    await store.recordMessages([record]);
    expect(await view(record)).toMatchObject({ status: 'delivered' });
  });

  it('keeps an application-token report that beats its record aside, and folds it in once a message sent without a callback URL is recorded', async () => {
    const providerMessageId = uniqueId();
    const record = accepted(providerMessageId, {
      messageId: `${messageIdFor('huawei', providerMessageId).slice(0, -4)}beef`,
      reportsAt: messageIdFor('huawei', providerMessageId),
      appReports: true,
    });
    const early = await store.applyReport(
      report(providerMessageId, 'DELIVRD'),
      '2026-11-22T10:00:06.000Z',
      { by: 'app', mustExist: 'appReports' },
    );
    expect(early).toEqual({ changed: false, found: false });
    await store.recordMessages([record]);
    expect(await view(record)).toMatchObject({ status: 'delivered' });
    // Once the marker is there, the next one is taken at once.
    const late = await store.applyReport(
      report(providerMessageId, 'DELIVRD', { updatedAt: '2026-11-22T10:00:07.000Z' }),
      '2026-11-22T10:00:08.000Z',
      { by: 'app', mustExist: 'appReports' },
    );
    expect(late).toEqual({ changed: true, found: true });
  });

  it('checks a push of reports for 150 messages in one read per 100: duplicates, a foreign one and a record of the earlier layout', async () => {
    const ids = Array.from({ length: 150 }, () => uniqueId());
    const legacy = uniqueId();
    // Messages sent without a callback URL (each leaves its marker), and one recorded in the
    // layout before correlations (its record in its provider id's partition, no marker).
    await store.recordMessages([
      ...ids.map((id) =>
        accepted(id, {
          messageId: `${messageIdFor('huawei', id).slice(0, -4)}cafe`,
          reportsAt: messageIdFor('huawei', id),
          appReports: true,
        }),
      ),
      accepted(legacy),
    ]);
    const foreign = uniqueId();
    const reports = [...ids, ...ids.slice(0, 10), legacy, foreign].map((id) =>
      report(id, 'DELIVRD'),
    );
    const results = await store.applyReports(reports, '2026-11-22T10:00:06.000Z', {
      by: 'app',
      mustExist: 'appReports',
    });
    expect(results.slice(0, 150).every((r) => r.found === true && r.changed)).toBe(true);
    // The same report twice in one push: one write, found both times.
    expect(results.slice(150, 160).every((r) => r.found === true)).toBe(true);
    expect(results.slice(150, 160).filter((r) => r.changed)).toHaveLength(0);
    expect(results[160]).toEqual({ changed: true, found: true });
    expect(results[161]).toEqual({ changed: false, found: false });
  });

  it('stores a push of 50 reports in 3 requests: a duplicate keeps its first arrival, and nothing is written for a number outside a per-request call', async () => {
    const sent: string[] = [];
    const counted = new Proxy(client, {
      get(target, property, receiver) {
        if (property !== 'send') return Reflect.get(target, property, receiver);
        return (command: Parameters<typeof client.send>[0]) => {
          sent.push(command.constructor.name);
          return target.send(command);
        };
      },
    });
    const batched = createDynamoStore({ client: counted, tableName: TABLE, retentionDays: 90 });
    const correlation = newCorrelation();
    const numbers = Array.from({ length: 50 }, (_, i) => `+6592${String(i).padStart(6, '0')}`);
    // The call's intents, recorded before the provider call: all but the last number's.
    await store.recordMessages(
      numbers.slice(0, 49).map((to) => ({
        ...accepted(uniqueId()),
        messageId: messageIdOf(correlation, to),
        to,
        correlation,
      })),
    );
    const reportTo = (to: string, providerStatus = 'DELIVRD') =>
      report(uniqueId(), providerStatus, { correlation, to });
    const reports = numbers.map((to) => reportTo(to));
    /** The stored item of the DELIVRD report for `to`, if any. */
    const deliveredItem = async (to: string) =>
      (
        await client.send(
          new GetCommand({
            TableName: TABLE,
            Key: {
              pk: `MSG#${messageIdOf(correlation, to)}`,
              sk: 'REPORT#1/1|DELIVRD|2026-11-22T10:00:05.000Z',
            },
          }),
        )
      ).Item;
    const first = await batched.applyReports(reports, '2026-11-22T10:00:06.000Z', {
      by: 'request',
      mustExist: 'message',
    });
    // One read of the 50 reports' items and 50 records (100 keys), two writes of 25 and 24.
    expect(sent).toEqual(['BatchGetCommand', 'BatchWriteCommand', 'BatchWriteCommand']);
    expect(first.slice(0, 49).every((r) => r.changed && r.found === true)).toBe(true);
    expect(first[49]).toEqual({ changed: false, found: false });
    expect(await deliveredItem(numbers[49] ?? '')).toBeUndefined();

    // The provider pushes them again an hour later, with one new report: only that is written.
    sent.length = 0;
    const again = await batched.applyReports(
      [...reports.slice(0, 49), reportTo(numbers[0] ?? '', 'ACCEPTD')],
      '2026-11-22T11:00:06.000Z',
      { by: 'request', mustExist: 'message' },
    );
    expect(sent).toEqual(['BatchGetCommand', 'BatchWriteCommand']);
    expect(again.slice(0, 49).every((r) => !r.changed && r.found === true)).toBe(true);
    expect(again[49]).toEqual({ changed: true, found: true });
    // The first arrival is kept: the resend was not written.
    expect((await deliveredItem(numbers[1] ?? ''))?.receivedAt).toBe('2026-11-22T10:00:06.000Z');
  });

  it('shows the same message whichever of two racing duplicate pushes is stored last (each read before the other wrote)', async () => {
    let hold: Promise<void> | undefined;
    const held = new Proxy(client, {
      get(target, property, receiver) {
        if (property !== 'send') return Reflect.get(target, property, receiver);
        return async (command: Parameters<typeof client.send>[0]) => {
          const name = command.constructor.name;
          if (hold && (name === 'BatchWriteCommand' || name === 'PutCommand')) await hold;
          return target.send(command);
        };
      },
    });
    const slow = createDynamoStore({ client: held, tableName: TABLE, retentionDays: 90 });
    const record = accepted(uniqueId());
    await store.recordMessages([record]);
    const id = record.providerMessageId ?? '';
    // Two parts: part 1 with the provider's time, part 2 without (its time is its arrival).
    const reports = [
      report(id, 'DELIVRD', { total: 2, sequence: 1 }),
      report(id, 'DELIVRD', { total: 2, sequence: 2, updatedAt: undefined }),
    ];
    let release = () => {};
    hold = new Promise<void>((resolve) => {
      release = resolve;
    });
    // A arrives first and reads; its writes wait. B, the provider's resend, then reads and writes.
    const first = slow.applyReports(reports, '2026-11-22T10:00:06.000Z');
    await new Promise((resolve) => setTimeout(resolve, 200));
    hold = undefined;
    expect(await store.applyReports(reports, '2026-11-22T10:00:09.000Z')).toEqual([
      { changed: true },
      { changed: true },
    ]);
    const seen = await view(record);
    expect(seen).toMatchObject({ status: 'delivered', parts: { total: 2, delivered: 2 } });
    release();
    await first;
    expect(await view(record)).toEqual(seen);
    // A third push, after both: nothing is written, nothing changes.
    expect(await store.applyReports(reports, '2026-11-22T10:00:12.000Z')).toEqual([
      { changed: false },
      { changed: false },
    ]);
    expect(await view(record)).toEqual(seen);
  });

  it('removes a report an earlier try of a per-request push left for a message outside its call, writing nothing for it', async () => {
    const correlation = newCorrelation();
    const [mine, other] = ['+6592000001', '+6592000002'];
    await store.recordMessages([
      { ...accepted(uniqueId()), messageId: messageIdOf(correlation, mine), to: mine, correlation },
    ]);
    const reports = [mine, other].map((to) => report(uniqueId(), 'DELIVRD', { correlation, to }));
    const leftKey = {
      pk: `MSG#${messageIdOf(correlation, other)}`,
      sk: 'REPORT#1/1|DELIVRD|2026-11-22T10:00:05.000Z',
    };
    await client.send(new PutCommand({ TableName: TABLE, Item: { ...leftKey, report: {} } }));
    const results = await store.applyReports(reports, '2026-11-22T10:00:06.000Z', {
      by: 'request',
      mustExist: 'message',
    });
    expect(results).toEqual([
      { changed: true, found: true },
      { changed: false, found: false },
    ]);
    expect((await client.send(new GetCommand({ TableName: TABLE, Key: leftKey }))).Item).toBe(
      undefined,
    );
  });

  it('stores a reply from a phone once', async () => {
    const message = {
      provider: 'huawei',
      providerMessageId: uniqueId(),
      from: '+6591234567',
      to: 'isms1',
      body: 'STOP',
    };
    expect(await store.recordInbound(message, '2026-11-22T10:00:00.000Z')).toEqual({
      changed: true,
    });
    expect(await store.recordInbound(message, '2026-11-22T10:00:01.000Z')).toEqual({
      changed: false,
    });
  });

  it('reports a store failure as StoreError, and a retry after it stores the report once', async () => {
    const record = accepted(uniqueId());
    await store.recordMessages([record]);
    let failures = 1;
    const flaky = new Proxy(client, {
      get(target, property, receiver) {
        if (property !== 'send') return Reflect.get(target, property, receiver);
        return (command: Parameters<typeof client.send>[0]) => {
          if (command.constructor.name === 'PutCommand' && failures-- > 0) {
            return Promise.reject(
              Object.assign(new Error('boom'), { name: 'InternalServerError' }),
            );
          }
          return target.send(command);
        };
      },
    });
    const flakyStore = createDynamoStore({ client: flaky, tableName: TABLE, retentionDays: 90 });
    const delivered = report(record.providerMessageId ?? '', 'DELIVRD');
    await expect(
      flakyStore.applyReport(delivered, '2026-11-22T10:00:06.000Z'),
    ).rejects.toBeInstanceOf(StoreError);
    expect((await store.getMessage(record.messageId)).delivery).toBeUndefined();
    expect(await flakyStore.applyReport(delivered, '2026-11-22T10:00:07.000Z')).toEqual({
      changed: true,
    });
    expect(await flakyStore.applyReport(delivered, '2026-11-22T10:00:08.000Z')).toEqual({
      changed: false,
    });
    expect((await view(record))?.history).toHaveLength(2);
  });
});
