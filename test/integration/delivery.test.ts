import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { Handler } from 'aws-lambda';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createMessagesTable, type LocalDynamo, startDynalite } from '../../local/dynamo.ts';
import { type LocalFunctionUrl, startFunctionUrl } from '../../local/functionUrl.ts';
import { type LocalSecretsManager, startLocalSecretsManager } from '../../local/secretsManager.ts';
import {
  LOCAL_APP_KEY,
  LOCAL_APP_SECRET,
  LOCAL_SENDER,
  pushUplink,
  type Sandbox,
  type SandboxOptions,
  startSandbox,
} from '../../sandbox/huawei/server.ts';
import { signAkSk } from '../../shared/huawei/signer.ts';
import { createDocumentClient } from '../../shared/store/client.ts';
import { type FaultProxy, startFaultProxy } from '../helpers/faultProxy.ts';
import { apiEvent, lambdaContext, parseAnswer } from '../helpers/lambda.ts';
import { getSms } from '../helpers/twoProviders.ts';

const SECRET_ID = 'sms-relay/test/huawei';
const TABLE = 'sms-relay-delivery-test';
const PUSH_KEY = { ak: 'PushAk0123', sk: 'push-secret-0123456789' };
const baseSecret = { appKey: LOCAL_APP_KEY, appSecret: LOCAL_APP_SECRET, sender: LOCAL_SENDER };

let dynamo: LocalDynamo;
let proxy: FaultProxy;
let secrets: LocalSecretsManager;
let callback: LocalFunctionUrl;
let sandbox: Sandbox | undefined;
let handlers: { sendSms: Handler; statusCallback: Handler; getMessage: Handler };

/** Loads the three real handlers as one fresh container set, with the test environment. */
async function loadHandlers(env: Record<string, string>): Promise<typeof handlers> {
  vi.resetModules();
  Object.assign(process.env, {
    AWS_REGION: 'ap-southeast-1',
    AWS_ACCESS_KEY_ID: 'dummy',
    AWS_SECRET_ACCESS_KEY: 'dummy',
    AWS_ENDPOINT_URL_SECRETS_MANAGER: secrets.url,
    AWS_ENDPOINT_URL_DYNAMODB: proxy.url,
    SMS_SECRET_ID: SECRET_ID,
    MESSAGES_TABLE: TABLE,
    HUAWEI_SMS_AUTH: 'aksk',
    // These tests send to the same numbers many times; the limit has tests of its own.
    SMS_RECIPIENT_LIMIT: 'off',
    ...env,
  });
  return {
    sendSms: (await import('../../functions/sendSms.ts')).handler as Handler,
    statusCallback: (await import('../../functions/statusCallback.ts')).handler as Handler,
    getMessage: (await import('../../functions/getMessage.ts')).handler as Handler,
  };
}

/** A sandbox pushing to the callback, and the handlers wired to both. */
async function stack(
  options: { secret?: object; sandbox?: SandboxOptions; callbackPath?: string | null } = {},
) {
  await sandbox?.close();
  sandbox = await startSandbox({ deliveryDelayMs: 50, pushRetryDelayMs: 50, ...options.sandbox });
  secrets.secrets.set(SECRET_ID, JSON.stringify(options.secret ?? baseSecret));
  const statusCallbackUrl =
    options.callbackPath === null ? '' : `${callback.url}${options.callbackPath ?? 'sms/report'}`;
  handlers = await loadHandlers({
    HUAWEI_SMS_ENDPOINT: sandbox.url,
    STATUS_CALLBACK_URL: statusCallbackUrl,
  });
  return sandbox;
}

async function send(body: unknown) {
  const answer = parseAnswer(
    await handlers.sendSms(apiEvent({ body: JSON.stringify(body) }), lambdaContext(), () => {}),
  );
  expect(answer.statusCode).toBe(202);
  return answer.body.messages ?? [];
}

async function get(messageId: string) {
  return getSms(handlers.getMessage, messageId);
}

/**
 * Posts a form report signed as Huawei signs pushes with `key`; `sent` replaces the body after
 * signing (an alteration in transit). fetch sets Host itself, to exactly the signed host:port.
 */
function postSignedPush(
  url: string,
  body: string,
  key: { ak: string; sk: string },
  sent = body,
): Promise<Response> {
  const contentType = { 'Content-Type': 'application/x-www-form-urlencoded' };
  const signed = signAkSk(
    { method: 'POST', url, headers: contentType, body },
    { appKey: key.ak, appSecret: key.sk },
    new Date(),
  );
  const { Host: _host, ...headers } = signed.headers;
  return fetch(url, { method: 'POST', headers, body: sent });
}

const template = { templateId: '8ff55eac1d0b478ab3c06c3c6a492300', templateParas: ['123456'] };

beforeAll(async () => {
  dynamo = await startDynalite();
  await createMessagesTable(dynamo.endpoint, TABLE);
  proxy = await startFaultProxy(dynamo.endpoint);
  secrets = await startLocalSecretsManager();
  // The callback handler is looked up per request: each test loads a fresh container set.
  callback = await startFunctionUrl(
    async (event, context) => (await handlers.statusCallback(event, context, () => {})) as string,
  );
});
afterAll(async () => {
  await sandbox?.close();
  await callback.close();
  await secrets.close();
  await proxy.close();
  await dynamo.close();
});
beforeEach(() => proxy.failNext(0));

describe('delivery tracking through the real handlers', () => {
  it('sends through the sandbox and sees the message delivered, with its history', async () => {
    const box = await stack();
    const [message] = await send({ to: '+6591234567', ...template, reference: 'order-42' });
    if (!message) throw new Error('no message');
    expect((await get(message.messageId)).body).toMatchObject({
      status: 'accepted',
      parts: { total: 1, delivered: 0 },
    });
    await box.idle();
    const { statusCode, body } = await get(message.messageId);
    expect(statusCode).toBe(200);
    expect(body).toMatchObject({
      messageId: message.messageId,
      to: '+6591234567',
      templateId: template.templateId,
      reference: 'order-42',
      provider: 'huawei',
      providerMessageId: expect.stringMatching(/_\d+$/),
      status: 'delivered',
      providerStatus: 'DELIVRD',
      parts: { total: 1, delivered: 1 },
      history: [{ status: 'accepted' }, { status: 'delivered', providerStatus: 'DELIVRD' }],
    });
    expect(box.pushes.every((push) => push.status === 200)).toBe(true);
    expect(new URL(box.pushes[0]?.url ?? '').searchParams.get('token')).toBeTruthy();
  });

  it.each([
    ['+6590001001', 'failed', 'UNDELIV', { total: 1, delivered: 0 }],
    ['+6590001002', 'expired', 'EXPIRED', { total: 1, delivered: 0 }],
    ['+6590001003', 'delivered', 'DELIVRD', { total: 2, delivered: 2 }],
    ['+6590001004', 'delivered', 'DELIVRD', { total: 1, delivered: 1 }],
    ['+6590001005', 'delivered', 'DELIVRD', { total: 1, delivered: 1 }],
    ['+6590001008', 'failed', 'UNDELIV', { total: 2, delivered: 1 }],
    ['+6590001009', 'failed', 'REJECTD', { total: 1, delivered: 0 }],
  ])('follows the sandbox outcome for %s: %s', async (to, status, providerStatus, parts) => {
    const box = await stack();
    const [message] = await send({ to, ...template });
    await box.idle();
    const { body } = await get(message?.messageId ?? '');
    expect(body).toMatchObject({ status, providerStatus, parts });
  });

  it('stores a duplicated report once and keeps delivered against a late in-flight report', async () => {
    const box = await stack();
    const [duplicated, outOfOrder] = await send({
      to: ['+6590001004', '+6590001005'],
      ...template,
    });
    await box.idle();
    expect((await get(duplicated?.messageId ?? '')).body.history).toHaveLength(2);
    const late = (await get(outOfOrder?.messageId ?? '')).body;
    expect(late.status).toBe('delivered');
    expect(late.history.map((h: { providerStatus?: string }) => h.providerStatus)).toEqual([
      undefined,
      'ACCEPTD',
      'DELIVRD',
    ]);
  });

  it('ingests a 50-report JSON batch pushed to the app-level report URL', async () => {
    await sandbox?.close();
    secrets.secrets.set(SECRET_ID, JSON.stringify(baseSecret));
    // Without STATUS_CALLBACK_URL nothing rides on the send; the app's report URL carries the token.
    handlers = await loadHandlers({ STATUS_CALLBACK_URL: '' });
    const { appCallbackUrl: callbackUrl } = await import('../../shared/huawei/callbackAuth.ts');
    const reportUrl = callbackUrl(`${callback.url}batch`, baseSecret) ?? '';
    sandbox = await startSandbox({ deliveryDelayMs: 50, reportUrl });
    handlers = await loadHandlers({ HUAWEI_SMS_ENDPOINT: sandbox.url, STATUS_CALLBACK_URL: '' });
    const to = Array.from({ length: 50 }, (_, i) => `+6591${String(i).padStart(6, '0')}`);
    const messages = await send({ to, ...template });
    await sandbox.idle();
    const batchPushes = sandbox.pushes.filter((push) =>
      push.body.startsWith('{"statusReportList"'),
    );
    expect(batchPushes.length).toBeGreaterThanOrEqual(1);
    expect(batchPushes.every((push) => push.status === 200)).toBe(true);
    const views = await Promise.all(messages.map((m) => get(m.messageId)));
    expect(views.filter((v) => v.body.status === 'delivered')).toHaveLength(50);
  });

  it('refuses the application token for a message sent with its own callback URL: 401, and the report never counts', async () => {
    // The sandbox delivers an hour later: nothing but the forged report can reach the message.
    await stack({ sandbox: { deliveryDelayMs: 3_600_000 } });
    const [message] = await send({ to: '+6591234567', ...template });
    const { appCallbackUrl } = await import('../../shared/huawei/callbackAuth.ts');
    const sent = await get(message?.messageId ?? '');
    const forged = await fetch(appCallbackUrl(`${callback.url}sms/report`, baseSecret) ?? '', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `smsMsgId=${sent.body.providerMessageId}&status=UNDELIV&total=1&sequence=1`,
    });
    expect(forged.status).toBe(401);
    const after = await get(message?.messageId ?? '');
    expect(after.body.status).toBe('accepted');
    expect(after.body.history).toHaveLength(1);
    // Kept aside, inert, under the provider's id (a genuine one can beat its record): no
    // marker says its message was sent without a callback URL, so nothing ever folds it in.
    const { messageIdFor } = await import('../../shared/messageId.ts');
    const items = await createDocumentClient({ endpoint: dynamo.endpoint }).send(
      new QueryCommand({
        TableName: TABLE,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: {
          ':pk': `MSG#${messageIdFor('huawei', sent.body.providerMessageId)}`,
        },
      }),
    );
    expect((items.Items ?? []).map((item) => [String(item.sk).split('#')[0], item.by])).toEqual([
      ['REPORT', 'app'],
    ]);
    expect((await get(message?.messageId ?? '')).body.status).toBe('accepted');
  });

  it('answers 5xx while the store is down and stores the report once when the push is retried', async () => {
    const box = await stack({
      sandbox: { deliveryDelayMs: 50, pushRetries: 5, pushRetryDelayMs: 300 },
    });
    const [message] = await send({ to: '+6591234567', ...template });
    proxy.failNext(12); // more than the SDK's own three attempts per call
    await box.idle();
    const statuses = box.pushes.map((push) => push.status);
    expect(statuses[0]).toBe(503);
    expect(statuses.at(-1)).toBe(200);
    const { body } = await get(message?.messageId ?? '');
    expect(body.status).toBe('delivered');
    expect(body.history).toHaveLength(2);
  });

  it('stores a reply from a phone', async () => {
    const box = await stack();
    const { appCallbackUrl: callbackUrl } = await import('../../shared/huawei/callbackAuth.ts');
    const result = await pushUplink({
      url: callbackUrl(`${callback.url}mo`, baseSecret) ?? '',
      from: '+6591234567',
      to: LOCAL_SENDER,
      // Not an opt-out keyword: a STOP would opt the number out for the tests after this one.
      body: 'Thanks, see you at 9',
    });
    expect(result.status).toBe(200);
    expect(JSON.parse(result.text)).toEqual({ received: 1, changed: 1 });
    await box.close();
  });
});

describe('authenticity of pushes', () => {
  it('accepts pushes signed with a live pushing key, without any token in the URL', async () => {
    const box = await stack({
      secret: { ...baseSecret, pushKeys: { old: 'previous', [PUSH_KEY.ak]: PUSH_KEY.sk } },
      sandbox: { pushKey: PUSH_KEY },
    });
    const [message] = await send({ to: '+6591234567', ...template });
    await box.idle();
    expect(box.pushes[0]?.url).not.toContain('token=');
    expect(box.pushes[0]?.headers.Authorization).toMatch(/^SDK-HMAC-SHA256 Access=PushAk0123/);
    expect((await get(message?.messageId ?? '')).body.status).toBe('delivered');
  });

  it.each([
    ['a forged signature (wrong pushing secret)', { pushKey: { ak: PUSH_KEY.ak, sk: 'forged' } }],
    ['a missing signature', {}],
  ])('refuses %s with 401 and changes nothing', async (_what, sandboxOptions) => {
    const box = await stack({
      secret: { ...baseSecret, pushKeys: { [PUSH_KEY.ak]: PUSH_KEY.sk } },
      sandbox: { pushRetries: 0, ...sandboxOptions },
    });
    const [message] = await send({ to: '+6591234567', ...template });
    await box.idle();
    expect(box.pushes.map((push) => push.status)).toEqual([401]);
    expect((await get(message?.messageId ?? '')).body.status).toBe('accepted');
  });

  it('refuses a signed push whose body was altered in transit, and accepts the original', async () => {
    await stack({
      secret: { ...baseSecret, pushKeys: { [PUSH_KEY.ak]: PUSH_KEY.sk } },
      sandbox: { deliveryDelayMs: 600_000 },
    });
    const [message] = await send({ to: '+6591234567', ...template });
    const { providerMessageId } = (await get(message?.messageId ?? '')).body;
    const url = `${callback.url}sms/report`;
    const body = `smsMsgId=${encodeURIComponent(providerMessageId)}&status=DELIVRD&total=1&sequence=1`;
    const altered = await postSignedPush(url, body, PUSH_KEY, body.replace('DELIVRD', 'UNDELIV'));
    expect(altered.status).toBe(401);
    expect((await get(message?.messageId ?? '')).body.status).toBe('accepted');
    expect((await postSignedPush(url, body, PUSH_KEY)).status).toBe(200);
    expect((await get(message?.messageId ?? '')).body.status).toBe('delivered');
    await sandbox?.close();
  });

  it('accepts pushes signed with a pushing key added after the callback cached the secret', async () => {
    const NEW_KEY = { ak: 'PushAkNew', sk: 'push-secret-new-0123456789' };
    const box = await stack({
      secret: { ...baseSecret, pushKeys: { [PUSH_KEY.ak]: PUSH_KEY.sk } },
      sandbox: { pushKey: PUSH_KEY },
    });
    const [first] = await send({ to: '+6591234567', ...template });
    await box.idle(); // the callback container has now cached the secret with the old key only
    expect((await get(first?.messageId ?? '')).body.status).toBe('delivered');
    // Rotation: the new key is added to the secret and Huawei switches to it.
    secrets.secrets.set(
      SECRET_ID,
      JSON.stringify({
        ...baseSecret,
        pushKeys: { [PUSH_KEY.ak]: PUSH_KEY.sk, [NEW_KEY.ak]: NEW_KEY.sk },
      }),
    );
    const url = `${callback.url}sms/report`;
    const [second] = await send({ to: '+6598765432', ...template });
    const { providerMessageId } = (await get(second?.messageId ?? '')).body;
    const body = `smsMsgId=${encodeURIComponent(providerMessageId)}&status=DELIVRD`;
    expect((await postSignedPush(url, body, NEW_KEY)).status).toBe(200);
    expect((await get(second?.messageId ?? '')).body.status).toBe('delivered');
    await box.close();
  });

  it.each([
    ['a wrong token', '?token=wrong'],
    ['no token', ''],
  ])(
    'refuses a push with %s (no pushing keys configured) and stores nothing',
    async (_what, query) => {
      const box = await stack();
      await box.close();
      const body = 'smsMsgId=forged_1&status=UNDELIV';
      const answer = await fetch(`${callback.url}sms/report${query}`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body,
      });
      expect(answer.status).toBe(401);
      expect(await answer.json()).toEqual({
        error: { code: 'unauthorized', message: 'The push is not authenticated' },
      });
      const { createDocumentClient } = await import('../../shared/store/client.ts');
      const { createDynamoStore } = await import('../../shared/store/dynamo.ts');
      const { messageIdFor } = await import('../../shared/messageId.ts');
      const store = createDynamoStore({
        client: createDocumentClient({ endpoint: dynamo.endpoint }),
        tableName: TABLE,
        retentionDays: 1,
      });
      expect(await store.getMessage(messageIdFor('huawei', 'forged_1'))).toEqual({});
    },
  );
});

describe('GET /sms/{messageId}', () => {
  it('answers 404 for an unknown id and for a malformed one', async () => {
    await stack();
    for (const id of ['3f2504e0-4f89-11d3-9a0c-0305e82c3301', 'not-an-id']) {
      const { statusCode, body } = await get(id);
      expect(statusCode).toBe(404);
      expect(body.error.code).toBe('not_found');
    }
    await sandbox?.close();
  });
});
