import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { Handler } from 'aws-lambda';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createMessagesTable, type LocalDynamo, startDynalite } from '../../local/dynamo.ts';
import { type LocalFunctionUrl, startFunctionUrl } from '../../local/functionUrl.ts';
import { type LocalSecretsManager, startLocalSecretsManager } from '../../local/secretsManager.ts';
import { callbackToken } from '../../shared/huawei/callbackAuth.ts';
import { messageIdFor } from '../../shared/messageId.ts';
import { createDocumentClient } from '../../shared/store/client.ts';
import { createDynamoStore } from '../../shared/store/dynamo.ts';
import { mapWithConcurrency } from '../../shared/util/pool.ts';
import { type FaultProxy, startFaultProxy } from '../helpers/faultProxy.ts';
import { getSms } from '../helpers/twoProviders.ts';

const SECRET_ID = 'sms-relay/test/reports';
const TABLE = 'sms-relay-reports-test';
const secret = { appKey: 'k', appSecret: 'reports-secret', sender: 'isms1' };
const TOKEN = callbackToken(secret);

let dynamo: LocalDynamo;
let proxy: FaultProxy;
let secrets: LocalSecretsManager;
let callback: LocalFunctionUrl;
let handlers: { statusCallback: Handler; getMessage: Handler };
let counter = 0;

async function loadHandlers() {
  vi.resetModules();
  Object.assign(process.env, {
    AWS_REGION: 'ap-southeast-1',
    AWS_ACCESS_KEY_ID: 'dummy',
    AWS_SECRET_ACCESS_KEY: 'dummy',
    AWS_ENDPOINT_URL_SECRETS_MANAGER: secrets.url,
    AWS_ENDPOINT_URL_DYNAMODB: proxy.url,
    SMS_SECRET_ID: SECRET_ID,
    MESSAGES_TABLE: TABLE,
    POWERTOOLS_LOG_LEVEL: 'SILENT',
  });
  handlers = {
    statusCallback: (await import('../../functions/statusCallback.ts')).handler as Handler,
    getMessage: (await import('../../functions/getMessage.ts')).handler as Handler,
  };
}

/** A recorded, accepted message, as sendSms writes it. */
async function message(): Promise<{ smsMsgId: string; messageId: string }> {
  const smsMsgId = `rw-${Date.now()}-${counter++}_1`;
  const messageId = messageIdFor('huawei', smsMsgId);
  const store = createDynamoStore({
    client: createDocumentClient({ endpoint: dynamo.endpoint }),
    tableName: TABLE,
    retentionDays: 90,
  });
  await store.recordMessages([
    {
      messageId,
      to: '+6591234567',
      templateId: 't',
      provider: 'huawei',
      providerMessageId: smsMsgId,
      status: 'accepted',
      submittedAt: '2026-12-01T00:00:00.000Z',
    },
  ]);
  return { smsMsgId, messageId };
}

const minute = (m: number) =>
  new Date(Date.UTC(2026, 11, 1, 0, 0) + m * 1000).toISOString().replace('.000', '');

function batch(reports: object[]) {
  return fetch(`${callback.url}?token=${TOKEN}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ statusReportList: reports }),
  });
}

async function view(messageId: string) {
  return (await getSms(handlers.getMessage, messageId)).body;
}

/** A 7-part SMS: ACCEPTD and DELIVRD for every part (14 reports). */
const parts = (smsMsgId: string, total: number, at = 0) =>
  Array.from({ length: total }, (_, i) => [
    {
      smsMsgId,
      status: 'ACCEPTD',
      total: String(total),
      sequence: String(i + 1),
      updateTime: minute(at + i),
    },
    {
      smsMsgId,
      status: 'DELIVRD',
      total: String(total),
      sequence: String(i + 1),
      updateTime: minute(at + 100 + i),
    },
  ]).flat();

beforeAll(async () => {
  dynamo = await startDynalite();
  await createMessagesTable(dynamo.endpoint, TABLE);
  proxy = await startFaultProxy(dynamo.endpoint);
  secrets = await startLocalSecretsManager({ [SECRET_ID]: JSON.stringify(secret) });
  callback = await startFunctionUrl(
    async (event, context) => (await handlers.statusCallback(event, context, () => {})) as string,
  );
  await loadHandlers();
});
afterAll(async () => {
  await callback.close();
  await secrets.close();
  await proxy.close();
  await dynamo.close();
});
beforeEach(() => {
  proxy.failNext(0);
  proxy.failMatching(undefined);
});

describe('reports are writes: no read, no conflict, a duplicate is the same write', () => {
  it('stores one push of 50 reports for one message, every time', async () => {
    for (let run = 0; run < 5; run++) {
      const { smsMsgId, messageId } = await message();
      const res = await batch(parts(smsMsgId, 25));
      expect(res.status).toBe(200);
      const got = await view(messageId);
      expect(got).toMatchObject({ status: 'delivered', parts: { total: 25, delivered: 25 } });
      expect(got.history).toHaveLength(51);
    }
  });

  it('takes 50 parallel pushes for one message, all 200, the final state right', async () => {
    const { smsMsgId, messageId } = await message();
    const reports = parts(smsMsgId, 25);
    const statuses = await Promise.all(reports.map(async (r) => (await batch([r])).status));
    expect(statuses.every((s) => s === 200)).toBe(true);
    expect(await view(messageId)).toMatchObject({
      status: 'delivered',
      parts: { total: 25, delivered: 25 },
    });
  });

  it('keeps 1,000 distinct reports in the history, and 500 pushes of 150 distinct ones without a duplicate', async () => {
    const first = await message();
    const thousand = Array.from({ length: 1_000 }, (_, i) => ({
      smsMsgId: first.smsMsgId,
      status: 'ACCEPTD',
      updateTime: minute(i),
    }));
    for (let i = 0; i < thousand.length; i += 50)
      expect((await batch(thousand.slice(i, i + 50))).status).toBe(200);
    expect((await view(first.messageId)).history).toHaveLength(1_001);

    const second = await message();
    const distinct = Array.from({ length: 150 }, (_, i) => ({
      smsMsgId: second.smsMsgId,
      status: i === 149 ? 'DELIVRD' : 'ACCEPTD',
      updateTime: minute(i),
    }));
    const answers = await mapWithConcurrency(
      Array.from({ length: 500 }, (_, i) => i),
      20,
      async (i) => (await batch([distinct[i % 150] as object])).status,
    );
    expect(answers.filter((s) => s >= 500)).toEqual([]);
    const got = await view(second.messageId);
    expect(got.history).toHaveLength(151);
    const keys = got.history
      .slice(1)
      .map((h: { at: string; providerStatus: string }) => `${h.at}|${h.providerStatus}`);
    expect(new Set(keys).size).toBe(150);
    expect(got.status).toBe('delivered');
  }, 60_000);

  it('bounds a message: more than 255 parts is a 400 naming the entry, nothing stored', async () => {
    const { smsMsgId, messageId } = await message();
    const res = await batch([
      { smsMsgId, status: 'DELIVRD', total: '256', sequence: '1' },
      { smsMsgId, status: 'ACCEPTD', total: '1', sequence: '1', updateTime: minute(1) },
    ]);
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({
      error: {
        message: '1 report(s) are invalid; 1 valid one(s) were stored',
        details: [{ path: 'statusReportList[0].total', message: expect.stringContaining('255') }],
      },
    });
    // Two problems of one entry are one invalid report.
    const twice = await batch([{ total: '1', sequence: '1' }]);
    const refused = (await twice.json()) as { error: { message: string; details: unknown[] } };
    expect(refused.error.details).toHaveLength(2);
    expect(refused.error.message).toBe('1 report(s) are invalid; 0 valid one(s) were stored');
    const got = await view(messageId);
    expect(got.history.map((h: { providerStatus?: string }) => h.providerStatus)).toEqual([
      undefined,
      'ACCEPTD',
    ]);
  });

  it('still accepts and applies genuine reports after 5,000 forged part reports', async () => {
    const { smsMsgId, messageId } = await message();
    const forged = Array.from({ length: 5_000 }, (_, i) => ({
      smsMsgId,
      status: 'ACCEPTD',
      total: '255',
      sequence: String((i % 255) + 1),
      updateTime: minute(i),
    }));
    await mapWithConcurrency(
      Array.from({ length: 100 }, (_, i) => forged.slice(i * 50, i * 50 + 50)),
      8,
      async (chunk) => expect((await batch(chunk)).status).toBe(200),
    );
    const genuine = Array.from({ length: 255 }, (_, i) => ({
      smsMsgId,
      status: 'DELIVRD',
      total: '255',
      sequence: String(i + 1),
      updateTime: minute(10_000 + i),
    }));
    for (let i = 0; i < genuine.length; i += 50)
      expect((await batch(genuine.slice(i, i + 50))).status).toBe(200);
    const got = await view(messageId);
    expect(got).toMatchObject({ status: 'delivered', parts: { total: 255, delivered: 255 } });
    expect(got.history).toHaveLength(5_256);
  }, 120_000);

  it('stores everything exactly once after a store fault in the middle of a push and the retry', async () => {
    const { smsMsgId, messageId } = await message();
    // 60 reports: written in three BatchWriteItems (25, 25, 10). The one holding parts 14 and 15
    // fails (through the SDK's own retries); the other two are stored.
    const reports = parts(smsMsgId, 30);
    proxy.failMatching(/PutRequest[\s\S]*"REPORT#1[45]\/30\|/);
    const failed = await batch(reports);
    expect(failed.status).toBe(503);
    expect((await view(messageId)).history).toHaveLength(1 + 35);
    proxy.failMatching(undefined);
    expect((await batch(reports)).status).toBe(200);
    const once = await view(messageId);
    expect((await batch(reports)).status).toBe(200); // and a third time: nothing changes
    const got = await view(messageId);
    expect(got).toEqual(once);
    expect(got).toMatchObject({ status: 'delivered', parts: { total: 30, delivered: 30 } });
    expect(got.history).toHaveLength(61);
  });
});

describe('existing data', () => {
  it('reads a message whose reports the earlier layout folded into one item, and folds new ones onto it', async () => {
    const { smsMsgId, messageId } = await message();
    const client = createDocumentClient({ endpoint: dynamo.endpoint });
    await client.send(
      new PutCommand({
        TableName: TABLE,
        Item: {
          pk: `MSG#${messageId}`,
          sk: 'DELIVERY',
          provider: 'huawei',
          providerMessageId: smsMsgId,
          status: 'accepted',
          providerStatus: 'ACCEPTD',
          total: 2,
          parts: { '1': { status: 'delivered', providerStatus: 'DELIVRD', at: minute(5) } },
          history: [{ status: 'delivered', providerStatus: 'DELIVRD', at: minute(5), part: 1 }],
          // As the earlier layout wrote it: report times normalised to ISO with milliseconds.
          seen: [`1/2|DELIVRD|${new Date(minute(5)).toISOString()}`],
          updatedAt: minute(6),
          version: 1,
        },
      }),
    );
    expect(await view(messageId)).toMatchObject({
      status: 'accepted',
      parts: { total: 2, delivered: 1 },
    });
    // A retry of the report the old item already holds changes nothing; part 2 completes it.
    await batch([
      { smsMsgId, status: 'DELIVRD', total: '2', sequence: '1', updateTime: minute(5) },
      { smsMsgId, status: 'DELIVRD', total: '2', sequence: '2', updateTime: minute(7) },
    ]);
    const got = await view(messageId);
    expect(got).toMatchObject({ status: 'delivered', parts: { total: 2, delivered: 2 } });
    expect(got.history).toHaveLength(3);
  });
});
