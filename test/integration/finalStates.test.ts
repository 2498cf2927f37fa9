import type { Handler } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMessagesTable, type LocalDynamo, startDynalite } from '../../local/dynamo.ts';
import { type LocalFunctionUrl, startFunctionUrl } from '../../local/functionUrl.ts';
import { type LocalSecretsManager, startLocalSecretsManager } from '../../local/secretsManager.ts';
import { type AlibabaSandbox, startAlibabaSandbox } from '../../sandbox/alibaba/server.ts';
import { type Sandbox, startSandbox } from '../../sandbox/huawei/server.ts';
import type { ReconcileResult } from '../../shared/core/reconcile.ts';
import { loadContainer } from '../helpers/container.ts';
import {
  getSms,
  pollSms,
  postJson,
  twoProviderEnv,
  twoProviderSecret,
} from '../helpers/twoProviders.ts';

/*
 * Every message reaches a final state (issue 9): an `unknown` submit is resolved by the report
 * that its request's correlation brings back, a per-request callback token speaks for its own
 * request only, and reconciliation (with an injected clock) asks both sandboxes' query APIs and
 * ends what no report will ever end.
 */

const SECRET_ID = 'sms-relay/test/final-states';
const TABLE = 'sms-relay-final-states-test';
const RECEIPT_TOKEN = 'receipt-token-final-states-0123';
const secret = twoProviderSecret(RECEIPT_TOKEN);
const otp = { templateId: 'demo-otp', templateParas: ['123456'] };
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

let dynamo: LocalDynamo;
let secrets: LocalSecretsManager;
let callback: LocalFunctionUrl;
let huawei: Sandbox;
let alibaba: AlibabaSandbox;
let handlers: Record<'sendSms' | 'statusCallback' | 'getMessage', Handler>;
let runReconcile: (now: Date) => Promise<ReconcileResult>;

async function loadHandlers(env: Record<string, string> = {}) {
  ({ handlers, runReconcile } = await loadContainer(
    twoProviderEnv(
      {
        secretsUrl: secrets.url,
        dynamoEndpoint: dynamo.endpoint,
        secretId: SECRET_ID,
        table: TABLE,
        huaweiUrl: huawei.url,
        alibabaUrl: alibaba.url,
      },
      {
        STATUS_CALLBACK_URL: callback.url,
        SMS_ROUTES: '+86=alibaba,+852=alibaba,*=huawei',
        HUAWEI_SMS_TIMEOUT_MS: '1500',
        ALIBABA_SMS_TIMEOUT_MS: '1500',
        ...env,
      },
    ),
  ));
}

const post = (body: unknown, remainingMs = 15_000) => postJson(handlers.sendSms, body, remainingMs);
const get = (messageId: string) => getSms(handlers.getMessage, messageId);

const until = (messageId: string, done: (status: string) => boolean) =>
  pollSms(handlers.getMessage, messageId, done);

/** The `statusCallback` URL the sandbox received with the n-th-from-last Huawei request. */
function callbackOf(request: { body: string } | undefined): string {
  return new URLSearchParams(request?.body ?? '').get('statusCallback') ?? '';
}

async function pushForm(url: string, fields: Record<string, string>) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
  });
  await res.arrayBuffer();
  return res.status;
}

beforeAll(async () => {
  dynamo = await startDynalite();
  await createMessagesTable(dynamo.endpoint, TABLE);
  secrets = await startLocalSecretsManager({ [SECRET_ID]: JSON.stringify(secret) });
  callback = await startFunctionUrl(
    async (event, context) => (await handlers.statusCallback(event, context, () => {})) as string,
  );
  huawei = await startSandbox({ deliveryDelayMs: 100 });
  alibaba = await startAlibabaSandbox({
    deliveryDelayMs: 100,
    pushRetryDelayMs: 50,
    receiptUrl: `${callback.url}alibaba?token=${RECEIPT_TOKEN}`,
  });
  await loadHandlers();
});
afterAll(async () => {
  await alibaba.close();
  await huawei.close();
  await callback.close();
  await secrets.close();
  await dynamo.close();
});

describe('an unknown submit, then its report', () => {
  it('Huawei: the number accepted but never answered ends delivered, both steps in its history', async () => {
    const answer = await post({ to: '+6590000997', ...otp });
    expect(answer.statusCode).toBe(504);
    const id = answer.body.error?.details?.[0]?.messageId ?? '';
    // The report came back to this call's URL with its correlation and the number.
    const view = await until(id, (status) => status !== 'unknown');
    expect(view).toMatchObject({ messageId: id, status: 'delivered', provider: 'huawei' });
    expect(view.history.map((h: { status: string }) => h.status)).toEqual(['unknown', 'delivered']);
  });

  it('Alibaba mainland and international: the hang number ends delivered through its receipt', async () => {
    for (const to of ['+8613800139000', '+85261230000']) {
      const answer = await post({ to, ...otp });
      expect(answer.statusCode).toBe(504);
      const id = answer.body.error?.details?.[0]?.messageId ?? '';
      const view = await until(id, (status) => status !== 'unknown');
      expect(view).toMatchObject({ status: 'delivered', provider: 'alibaba' });
      expect(view.history.map((h: { status: string }) => h.status)).toEqual([
        'unknown',
        'delivered',
      ]);
    }
  });
});

describe('per-request callback tokens', () => {
  it('a URL taken from request A cannot change any message of request B: 401, nothing stored', async () => {
    const quiet = await startSandbox({ deliveryDelayMs: 600_000 });
    try {
      await loadHandlers({ HUAWEI_SMS_ENDPOINT: quiet.url });
      const a = await post({ to: '+6591110001', ...otp });
      const urlA = callbackOf(quiet.requests.at(-1));
      const b = await post({ to: ['+6591110002', '+6591110003'], ...otp });
      const urlB = callbackOf(quiet.requests.at(-1));
      expect(urlA).toMatch(/[?&]c=sr[0-9a-f]{32}&token=/);
      expect(urlA).not.toBe(urlB);
      const idA = a.body.messages?.[0]?.messageId ?? '';
      const idB = b.body.messages?.[0]?.messageId ?? '';
      const viewB = (await get(idB)).body;
      const forged = {
        smsMsgId: viewB.providerMessageId,
        status: 'UNDELIV',
        to: '+6591110002',
        extend: 'x',
        total: '1',
        sequence: '1',
      };
      // A's URL, B's message: refused, and B is untouched.
      expect(await pushForm(urlA, forged)).toBe(401);
      expect((await get(idB)).body.status).toBe('accepted');
      // A's token with B's correlation: refused too.
      const correlationB = new URL(urlB).searchParams.get('c') ?? '';
      const swapped = new URL(urlA);
      swapped.searchParams.set('c', correlationB);
      expect(await pushForm(swapped.toString(), forged)).toBe(401);
      expect((await get(idB)).body.history).toHaveLength(1);
      // The application token does not stand in for a request's.
      const { appCallbackUrl } = await import('../../shared/huawei/callbackAuth.ts');
      const app = new URL(appCallbackUrl(callback.url, secret.huawei) ?? '');
      app.searchParams.set('c', correlationB);
      expect(await pushForm(app.toString(), forged)).toBe(401);
      expect((await get(idB)).body.status).toBe('accepted');
      // B's own URL: accepted and applied; A's own report on A's URL too.
      expect(await pushForm(urlB, forged)).toBe(200);
      expect((await get(idB)).body.status).toBe('failed');
      const viewA = (await get(idA)).body;
      expect(
        await pushForm(urlA, {
          smsMsgId: viewA.providerMessageId,
          status: 'DELIVRD',
          to: '+6591110001',
          extend: 'x',
        }),
      ).toBe(200);
      expect((await get(idA)).body.status).toBe('delivered');
    } finally {
      await quiet.close();
      await loadHandlers();
    }
  });

  it("a one-number call's URL is bound to that number: any other is 401, nothing stored, however the URL is edited", async () => {
    const quiet = await startSandbox({ deliveryDelayMs: 600_000 });
    try {
      await loadHandlers({ HUAWEI_SMS_ENDPOINT: quiet.url });
      const a = await post({ to: '+6591110011', ...otp });
      const urlA = new URL(callbackOf(quiet.requests.at(-1)));
      await post({ to: ['+6591110012', '+6591110013'], ...otp });
      const urlB = new URL(callbackOf(quiet.requests.at(-1)));
      // The tag, never the number, and only for a call to one number.
      expect(urlA.searchParams.get('rt')).toMatch(/^[\w-]{22}$/);
      expect(urlA.toString()).not.toContain('91110011');
      expect(urlB.searchParams.has('rt')).toBe(false);
      const correlationA = urlA.searchParams.get('c') ?? '';
      const { messageIdOf } = await import('../../shared/messageId.ts');
      const { createDocumentClient } = await import('../../shared/store/client.ts');
      const { QueryCommand } = await import('@aws-sdk/lib-dynamodb');
      const client = createDocumentClient({ endpoint: dynamo.endpoint });
      const itemsOf = async (id: string) =>
        (
          await client.send(
            new QueryCommand({
              TableName: TABLE,
              KeyConditionExpression: 'pk = :pk',
              ExpressionAttributeValues: { ':pk': `MSG#${id}` },
            }),
          )
        ).Items ?? [];
      const report = (to: string) => ({
        smsMsgId: `${correlationA}-forged`,
        status: 'UNDELIV',
        to,
        extend: 'x',
      });
      // A's URL as it is, another number: refused before anything is written.
      expect(await pushForm(urlA.toString(), report('+6591110019'))).toBe(401);
      expect(await itemsOf(messageIdOf(correlationA, '+6591110019'))).toEqual([]);
      // A's tag on B's URL (B's own token and correlation), B's number: refused.
      const moved = new URL(urlB);
      moved.searchParams.set('rt', urlA.searchParams.get('rt') ?? '');
      expect(await pushForm(moved.toString(), report('+6591110012'))).toBe(401);
      const idB = messageIdOf(urlB.searchParams.get('c') ?? '', '+6591110012');
      expect((await get(idB)).body.status).toBe('accepted');
      // A tag made up for B's multi-number URL: refused.
      moved.searchParams.set('rt', 'A'.repeat(22));
      expect(await pushForm(moved.toString(), report('+6591110012'))).toBe(401);
      // The tag taken off: A's URL is then checked against the store, which knows no such message.
      const stripped = new URL(urlA);
      stripped.searchParams.delete('rt');
      expect(await pushForm(stripped.toString(), report('+6591110019'))).toBe(401);
      expect(await itemsOf(messageIdOf(correlationA, '+6591110019'))).toEqual([]);
      // A's own number on A's URL: stored and applied.
      const idA = a.body.messages?.[0]?.messageId ?? '';
      expect(await pushForm(urlA.toString(), report('+6591110011'))).toBe(200);
      expect((await get(idA)).body.status).toBe('failed');
    } finally {
      await quiet.close();
      await loadHandlers();
    }
  });
});

describe('reconciliation (injected clock)', () => {
  it('asks Alibaba: a message whose receipt never comes is found delivered by the query APIs', async () => {
    const sent = await post({ to: ['+8613800139013', '+85261230013'], ...otp });
    const ids = (sent.body.messages ?? []).map((m) => m.messageId);
    expect(sent.body.messages?.map((m) => m.status)).toEqual(['accepted', 'accepted']);
    await new Promise((resolve) => setTimeout(resolve, 300)); // the sandbox's delivery delay
    // Not due yet: nothing is looked at.
    const early = await runReconcile(new Date(Date.now() + 5 * MINUTE));
    expect(early.examined).toBe(0);
    const run = await runReconcile(new Date(Date.now() + 20 * MINUTE));
    expect(run.resolved).toBeGreaterThanOrEqual(2);
    for (const id of ids) {
      const view = (await get(id)).body;
      expect(view.status).toBe('delivered');
      expect(view.history.map((h: { status: string }) => h.status)).toEqual([
        'accepted',
        'delivered',
      ]);
    }
    // Final messages are off the list: the next run looks at none of them again.
    const again = await runReconcile(new Date(Date.now() + 40 * MINUTE));
    expect(again.resolved).toBe(0);
  });

  it('resolves an unknown mainland submit with a reference by QuerySendDetails (OutId, number, time)', async () => {
    const answer = await post({ to: '+8613800139000', ...otp, reference: 'order-77' });
    expect(answer.statusCode).toBe(504);
    const id = answer.body.error?.details?.[0]?.messageId ?? '';
    await new Promise((resolve) => setTimeout(resolve, 300));
    // Its receipt carried the reference, not the correlation: only the query can tell.
    expect((await get(id)).body.status).toBe('unknown');
    await runReconcile(new Date(Date.now() + 20 * MINUTE));
    const view = (await get(id)).body;
    expect(view.status).toBe('delivered');
    expect(view.history.map((h: { status: string }) => h.status)).toEqual(['unknown', 'delivered']);
  });

  it('Huawei has no query API: a message never reported is rescheduled, then expired after 72 h + margin', async () => {
    const sent = await post({ to: '+6590001007', ...otp });
    const id = sent.body.messages?.[0]?.messageId ?? '';
    expect(sent.body.messages?.[0]?.status).toBe('accepted');
    const soon = await runReconcile(new Date(Date.now() + 20 * MINUTE));
    expect(soon.rescheduled).toBeGreaterThanOrEqual(1);
    expect((await get(id)).body.status).toBe('accepted');
    const late = await runReconcile(new Date(Date.now() + 79 * HOUR));
    expect(late.expired).toBeGreaterThanOrEqual(1);
    const view = (await get(id)).body;
    expect(view).toMatchObject({ status: 'expired', providerStatus: 'NO_REPORT' });
    expect(view.history.at(-1)).toMatchObject({
      status: 'expired',
      providerStatus: 'NO_REPORT',
      description: expect.stringContaining('no delivery report'),
    });
    // Done: off the list.
    const after = await runReconcile(new Date(Date.now() + 100 * HOUR));
    expect(after.expired).toBe(0);
  });

  it('an unknown submit nothing ever resolves ends expired, saying why', async () => {
    // International, with a reference: no MessageId to ask about, and a receipt without the
    // correlation. The sandbox's `reset` number is processed but answered with a reset.
    const quiet = await startAlibabaSandbox({ deliveryDelayMs: 600_000 });
    try {
      await loadHandlers({ ALIBABA_SMS_INTL_ENDPOINT: quiet.url });
      const answer = await post({ to: '+85261230001', ...otp, reference: 'order-78' });
      expect(answer.statusCode).toBe(504);
      const id = answer.body.error?.details?.[0]?.messageId ?? '';
      await runReconcile(new Date(Date.now() + 20 * MINUTE));
      expect((await get(id)).body.status).toBe('unknown');
      await runReconcile(new Date(Date.now() + 79 * HOUR));
      const view = (await get(id)).body;
      expect(view.status).toBe('expired');
      expect(view.history.map((h: { status: string }) => h.status)).toEqual(['unknown', 'expired']);
      expect(view.history.at(-1).description).toContain('never answered');
    } finally {
      await quiet.close();
      await loadHandlers();
    }
  });
});
