import type { Handler } from 'aws-lambda';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createMessagesTable, type LocalDynamo, startDynalite } from '../../local/dynamo.ts';
import { type LocalSecretsManager, startLocalSecretsManager } from '../../local/secretsManager.ts';
import { type AlibabaSandbox, startAlibabaSandbox } from '../../sandbox/alibaba/server.ts';
import { type Sandbox, startSandbox } from '../../sandbox/huawei/server.ts';
import { apiEvent, lambdaContext, parseAnswer } from '../helpers/lambda.ts';
import { getSms, postJson, twoProviderEnv, twoProviderSecret } from '../helpers/twoProviders.ts';

/*
 * SMS_FAILOVER (issue 10): a message the routed provider surely did not send goes through the
 * other one, recorded with the provider that carried it and why; never after an unknown outcome,
 * never for a per-recipient refusal, never without the template on the other provider.
 */

const SECRET_ID = 'sms-relay/test/failover';
const TABLE = 'sms-relay-failover-test';
const secret = twoProviderSecret('receipt-token-failover-012345');
const otp = { templateId: 'demo-otp', templateParas: ['123456'] };

let dynamo: LocalDynamo;
let secrets: LocalSecretsManager;
let huawei: Sandbox;
let alibaba: AlibabaSandbox;
let sendSms: Handler;
let getMessage: Handler;

async function load(env: Record<string, string> = {}) {
  vi.resetModules();
  Object.assign(
    process.env,
    twoProviderEnv(
      {
        secretsUrl: secrets.url,
        dynamoEndpoint: dynamo.endpoint,
        secretId: SECRET_ID,
        table: TABLE,
        huaweiUrl: huawei.url,
        alibabaUrl: alibaba.url,
      },
      { SMS_ROUTES: '*=huawei', SMS_FAILOVER: 'on', HUAWEI_SMS_TIMEOUT_MS: '1000', ...env },
    ),
  );
  sendSms = (await import('../../functions/sendSms.ts')).handler as Handler;
  getMessage = (await import('../../functions/getMessage.ts')).handler as Handler;
}

const post = (body: unknown) => postJson(sendSms, body);
const get = async (messageId: string) => (await getSms(getMessage, messageId)).body;

beforeAll(async () => {
  dynamo = await startDynalite();
  await createMessagesTable(dynamo.endpoint, TABLE);
  secrets = await startLocalSecretsManager({ [SECRET_ID]: JSON.stringify(secret) });
  huawei = await startSandbox({ deliveryDelayMs: 600_000 });
  alibaba = await startAlibabaSandbox({ deliveryDelayMs: 600_000 });
});
beforeEach(async () => {
  huawei.reset();
  alibaba.reset();
  await load();
});
afterAll(async () => {
  await alibaba.close();
  await huawei.close();
  await secrets.close();
  await dynamo.close();
});

describe('SMS_FAILOVER=on', () => {
  // Whole-request failures after which Huawei surely sent nothing.
  for (const [number, what] of [
    ['+6590005030', 'HTTP 503 every time'],
    ['+6590004290', 'HTTP 429 every time'],
    ['+6590000620', 'refused as a whole (IP not whitelisted)'],
    ['+6590000500', 'HTTP 500 system error'],
  ] as const) {
    it(`Huawei ${what}: accepted through Alibaba, the history saying why`, async () => {
      const answer = await post({ to: number, ...otp });
      expect(answer.statusCode).toBe(202);
      expect(answer.body.messages?.[0]?.status).toBe('accepted');
      expect(alibaba.requests.length).toBe(1);
      const view = await get(answer.body.messages?.[0]?.messageId ?? '');
      expect(view.provider).toBe('alibaba');
      expect(view.history[0]).toMatchObject({
        status: 'not_sent',
        description: expect.stringContaining('huawei did not send it'),
      });
      expect(view.history[1]).toMatchObject({ status: 'accepted' });
    });
  }

  for (const [number, what] of [
    ['+6590000999', 'hangs'],
    ['+6590000888', 'resets the connection after reading the request'],
  ] as const) {
    it(`Huawei ${what}: unknown (504), and Alibaba is never called`, async () => {
      const answer = await post({ to: number, ...otp });
      expect(answer.statusCode).toBe(504);
      expect(alibaba.requests).toHaveLength(0);
    });
  }

  it('a per-recipient refusal is an outcome: rejected, no failover', async () => {
    const answer = await post({ to: ['+6590000041', '+6591234567'], ...otp });
    expect(answer.statusCode).toBe(202);
    expect(answer.body.messages?.map((m) => m.status)).toEqual(['rejected', 'accepted']);
    expect(alibaba.requests).toHaveLength(0);
  });

  it('without the template on the other provider: no failover, the error answers', async () => {
    // A Huawei template id as is: not in the registry, so Alibaba cannot carry it.
    const answer = await post({
      to: '+6590005030',
      templateId: '8ff55eac1d0b478ab3c06c3c6a492300',
    });
    expect(answer.statusCode).toBe(503);
    expect(alibaba.requests).toHaveLength(0);
  });

  it('skips a provider that keeps failing (circuit breaker), straight to the other', async () => {
    for (let i = 0; i < 3; i++) await post({ to: '+6590005030', ...otp });
    const before = huawei.requests.length;
    const answer = await post({ to: '+6591234568', ...otp });
    expect(answer.body.messages?.[0]?.status).toBe('accepted');
    // Huawei was not asked this time: its breaker is open.
    expect(huawei.requests.length).toBe(before);
    expect((await get(answer.body.messages?.[0]?.messageId ?? '')).provider).toBe('alibaba');
  });
});

describe('POST /sms/batch with SMS_FAILOVER=on', () => {
  it('a request Huawei surely did not send goes through Alibaba, every number of it', async () => {
    vi.resetModules();
    const sendBatch = (await import('../../functions/sendBatch.ts')).handler as Handler;
    const body = {
      messages: [
        { to: ['+6590005030', '+6591234570'], ...otp },
        { to: ['+6590000041'], ...otp },
      ],
    };
    const answer = parseAnswer(
      await sendBatch(
        apiEvent({ body: JSON.stringify(body), path: '/sms/batch' }),
        lambdaContext(25_000),
        () => {},
      ),
    );
    expect(answer.statusCode).toBe(202);
    const messages = (
      answer.body as unknown as {
        groups: Array<{ messages: Array<{ messageId: string; status: string }> }>;
      }
    ).groups.flatMap((g) => g.messages);
    // One Huawei request held all three numbers and failed as a whole (503): all three went
    // through Alibaba, where +6590000041 is an ordinary number.
    expect(messages.map((m) => m.status)).toEqual(['accepted', 'accepted', 'accepted']);
    expect(alibaba.requests.length).toBeGreaterThanOrEqual(1);
    const view = await get(messages[0]?.messageId ?? '');
    expect(view.provider).toBe('alibaba');
    expect(view.history[0]).toMatchObject({
      status: 'not_sent',
      description: expect.stringContaining('huawei did not send it'),
    });
  });

  it('a Huawei hang in a batch stays unknown, and Alibaba is never called', async () => {
    vi.resetModules();
    const sendBatch = (await import('../../functions/sendBatch.ts')).handler as Handler;
    const answer = parseAnswer(
      await sendBatch(
        apiEvent({
          body: JSON.stringify({ messages: [{ to: ['+6590000999'], ...otp }] }),
          path: '/sms/batch',
        }),
        lambdaContext(25_000),
        () => {},
      ),
    );
    expect(answer.statusCode).toBe(202);
    expect(JSON.stringify(answer.body)).toContain('"unknown"');
    expect(alibaba.requests).toHaveLength(0);
  });
});

describe('SMS_FAILOVER=off (the default)', () => {
  it('Huawei unavailable: 503, and Alibaba is never called', async () => {
    await load({ SMS_FAILOVER: '' });
    const answer = await post({ to: '+6590005030', ...otp });
    expect(answer.statusCode).toBe(503);
    expect(alibaba.requests).toHaveLength(0);
  });
});
