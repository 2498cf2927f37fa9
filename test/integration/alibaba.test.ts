import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Handler } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createMessagesTable, type LocalDynamo, startDynalite } from '../../local/dynamo.ts';
import { type LocalFunctionUrl, startFunctionUrl } from '../../local/functionUrl.ts';
import { type LocalSecretsManager, startLocalSecretsManager } from '../../local/secretsManager.ts';
import { authenticate } from '../../sandbox/alibaba/auth.ts';
import {
  type AlibabaSandbox,
  SANDBOX_ACCESS_KEY_ID,
  SANDBOX_ACCESS_KEY_SECRET,
  SANDBOX_CREDENTIAL,
  startAlibabaSandbox,
} from '../../sandbox/alibaba/server.ts';
import { NonceStore } from '../../sandbox/common/nonces.ts';
import {
  LOCAL_APP_KEY,
  LOCAL_APP_SECRET,
  LOCAL_SENDER,
  type Sandbox,
  startSandbox,
} from '../../sandbox/huawei/server.ts';
import { apiEvent, lambdaContext, parseAnswer } from '../helpers/lambda.ts';
import { getSms } from '../helpers/twoProviders.ts';

const SECRET_ID = 'sms-relay/test/providers';
const TABLE = 'sms-relay-alibaba-test';
const RECEIPT_TOKEN = 'receipt-token-0123456789abcdef';
const secret = {
  huawei: { appKey: LOCAL_APP_KEY, appSecret: LOCAL_APP_SECRET, sender: LOCAL_SENDER },
  alibaba: {
    accessKeyId: SANDBOX_ACCESS_KEY_ID,
    accessKeySecret: SANDBOX_ACCESS_KEY_SECRET,
    receiptToken: RECEIPT_TOKEN,
  },
};
const otp = { templateId: 'demo-otp', templateParas: ['123456'] };

let dynamo: LocalDynamo;
let secrets: LocalSecretsManager;
let callback: LocalFunctionUrl;
let huawei: Sandbox;
let alibaba: AlibabaSandbox;
let handlers: Record<'sendSms' | 'sendBatch' | 'statusCallback' | 'getMessage', Handler>;

/** The four real handlers as one fresh container set. */
async function loadHandlers(env: Record<string, string>) {
  vi.resetModules();
  Object.assign(process.env, {
    AWS_REGION: 'ap-southeast-1',
    AWS_ACCESS_KEY_ID: 'dummy',
    AWS_SECRET_ACCESS_KEY: 'dummy',
    AWS_ENDPOINT_URL_SECRETS_MANAGER: secrets.url,
    AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
    SMS_SECRET_ID: SECRET_ID,
    MESSAGES_TABLE: TABLE,
    HUAWEI_SMS_ENDPOINT: huawei.url,
    ALIBABA_SMS_ENDPOINT: alibaba.url,
    ALIBABA_SMS_INTL_ENDPOINT: alibaba.url,
    STATUS_CALLBACK_URL: '',
    // +852 (Hong Kong) exercises Alibaba's international API.
    SMS_ROUTES: '+86=alibaba,+852=alibaba,*=huawei',
    // Reset what single tests override (blank means the default).
    SMS_ALLOWED_COUNTRIES: '',
    ALIBABA_SMS_TIMEOUT_MS: '',
    ...env,
  });
  handlers = {
    sendSms: (await import('../../functions/sendSms.ts')).handler as Handler,
    sendBatch: (await import('../../functions/sendBatch.ts')).handler as Handler,
    statusCallback: (await import('../../functions/statusCallback.ts')).handler as Handler,
    getMessage: (await import('../../functions/getMessage.ts')).handler as Handler,
  };
}

async function post(body: unknown, remainingMs = 15_000) {
  return parseAnswer(
    await handlers.sendSms(
      apiEvent({ body: JSON.stringify(body) }),
      lambdaContext(remainingMs),
      () => {},
    ),
  );
}

async function get(messageId: string) {
  return (await getSms(handlers.getMessage, messageId)).body;
}

/** `yyyy-MM-dd HH:mm:ss` in Beijing time (UTC+8), as Alibaba's mainland receipts write it. */
function beijing(ms: number): string {
  return new Date(ms + 8 * 3_600_000).toISOString().slice(0, 19).replace('T', ' ');
}

function receiptUrl(token = RECEIPT_TOKEN): string {
  return `${callback.url}alibaba?token=${encodeURIComponent(token)}`;
}

async function pushReceipts(body: unknown, token = RECEIPT_TOKEN) {
  const res = await fetch(receiptUrl(token), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as unknown };
}

beforeAll(async () => {
  dynamo = await startDynalite();
  await createMessagesTable(dynamo.endpoint, TABLE);
  secrets = await startLocalSecretsManager({ [SECRET_ID]: JSON.stringify(secret) });
  callback = await startFunctionUrl(
    async (event, context) => (await handlers.statusCallback(event, context, () => {})) as string,
  );
  huawei = await startSandbox({ deliveryDelayMs: 600_000 });
  alibaba = await startAlibabaSandbox({
    deliveryDelayMs: 50,
    pushRetryDelayMs: 50,
    slowMs: 100,
    receiptUrl: receiptUrl(),
  });
  await loadHandlers({});
});
afterAll(async () => {
  await alibaba.close();
  await huawei.close();
  await callback.close();
  await secrets.close();
  await dynamo.close();
});

/** A stand-in Alibaba that records every request and accepts it. */
async function captureServer(): Promise<{
  url: string;
  requests: Array<{
    method: string;
    path: string;
    query: string;
    headers: IncomingMessage['headers'];
    body: Buffer;
  }>;
  close(): Promise<void>;
}> {
  const requests: Awaited<ReturnType<typeof captureServer>>['requests'] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const target = req.url ?? '/';
      const q = target.indexOf('?');
      requests.push({
        method: req.method ?? '',
        path: q === -1 ? target : target.slice(0, q),
        query: q === -1 ? '' : target.slice(q + 1),
        headers: req.headers,
        body: Buffer.concat(chunks),
      });
      const version = req.headers['x-acs-version'];
      const body =
        version === '2017-05-25'
          ? { Code: 'OK', Message: 'OK', BizId: `77${requests.length}^0`, RequestId: 'r' }
          : {
              ResponseCode: 'OK',
              ResponseDescription: 'OK',
              MessageId: `99${requests.length}`,
              Segments: '1',
              RequestId: 'r',
            };
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

describe('routing through the real sendSms handler', () => {
  it('carries +86 and +852 through Alibaba (one signed request per API) and +65 through Huawei', async () => {
    const other = await captureServer();
    try {
      await loadHandlers({
        SMS_ROUTES: '+86=alibaba,+852=alibaba,*=huawei',
        ALIBABA_SMS_ENDPOINT: other.url,
        ALIBABA_SMS_INTL_ENDPOINT: other.url,
      });
      huawei.reset();
      const answer = await post({
        to: ['+8613800138000', '+8613900139000', '+85261234567', '+6591234567'],
        ...otp,
        reference: 'order-42',
      });
      expect(answer.statusCode).toBe(202);
      expect(answer.body.messages?.map((m) => m.status)).toEqual([
        'accepted',
        'accepted',
        'accepted',
        'accepted',
      ]);

      const mainland = other.requests.filter((r) => r.headers['x-acs-version'] === '2017-05-25');
      const intl = other.requests.filter((r) => r.headers['x-acs-version'] === '2018-05-01');
      expect(mainland).toHaveLength(1);
      expect(intl).toHaveLength(1);
      const sendSms = new URLSearchParams(mainland[0]?.query);
      expect(mainland[0]?.headers['x-acs-action']).toBe('SendSms');
      expect(sendSms.get('PhoneNumbers')?.split(',').sort()).toEqual([
        '13800138000',
        '13900139000',
      ]);
      expect(sendSms.get('SignName')).toBe('阿里云短信测试');
      expect(sendSms.get('TemplateCode')).toBe('SMS_154950909');
      expect(JSON.parse(sendSms.get('TemplateParam') ?? '')).toEqual({ code: '123456' });
      expect(sendSms.get('OutId')).toBe('order-42');
      const globe = new URLSearchParams(intl[0]?.query);
      expect(intl[0]?.headers['x-acs-action']).toBe('SendMessageToGlobe');
      expect(globe.get('To')).toBe('85261234567');
      expect(globe.get('Message')).toBe('Your sms-relay code is 123456. It expires in 5 minutes.');
      expect(globe.get('TaskId')).toBe('order-42');
      // Signed as Alibaba verifies it (the sandbox's independent ACS3 verifier).
      for (const request of other.requests) {
        const verdict = authenticate(
          { ...request, headers: request.headers as Record<string, string> },
          {
            lookup: (id) => (id === SANDBOX_ACCESS_KEY_ID ? SANDBOX_CREDENTIAL : undefined),
            nonces: new NonceStore(15 * 60_000),
            now: new Date(),
            host: String(request.headers.host),
          },
        );
        expect(verdict.ok).toBe(true);
      }
      // +65 went to Huawei, and nothing else did.
      expect(huawei.requests.map((r) => r.path)).toEqual(['/sms/batchSendSms/v1']);
      expect(new URLSearchParams(huawei.requests[0]?.body).get('to')).toBe('+6591234567');

      const [first, , , last] = answer.body.messages ?? [];
      expect(await get(first?.messageId ?? '')).toMatchObject({
        provider: 'alibaba',
        providerMessageId: '771^0',
        status: 'accepted',
      });
      expect(await get(last?.messageId ?? '')).toMatchObject({ provider: 'huawei' });
    } finally {
      await other.close();
      await loadHandlers({});
    }
  });

  it('finds a message by its id in upper case too (UUIDs are case-insensitive)', async () => {
    const answer = await post({ to: '+8613800138000', ...otp });
    const id = answer.body.messages?.[0]?.messageId ?? '';
    expect(await get(id.toUpperCase())).toMatchObject({ messageId: id, provider: 'alibaba' });
  });

  it('refuses a template that is not in the registry for Alibaba, before sending anything', async () => {
    alibaba.reset();
    huawei.reset();
    const answer = await post({
      to: ['+6591234567', '+8613800138000'],
      templateId: 'not-registered',
    });
    expect(answer.statusCode).toBe(400);
    expect(answer.body.error).toMatchObject({
      code: 'template_not_available',
      details: [{ path: 'templateId' }],
    });
    expect(alibaba.requests).toHaveLength(0);
    expect(huawei.requests).toHaveLength(0);
  });

  it('reports a route to a provider without credentials as a configuration error, sending nothing', async () => {
    secrets.secrets.set(SECRET_ID, JSON.stringify({ huawei: secret.huawei }));
    try {
      await loadHandlers({});
      huawei.reset();
      const answer = await post({ to: '+6591234567', ...otp });
      expect(answer.statusCode).toBe(500);
      expect(answer.body.error?.code).toBe('internal');
      expect(huawei.requests).toHaveLength(0);
    } finally {
      secrets.secrets.set(SECRET_ID, JSON.stringify(secret));
      await loadHandlers({});
    }
  });

  it('refuses with 400, naming it, a number that SMS_ROUTES does not route (no *), sending nothing', async () => {
    await loadHandlers({ SMS_ROUTES: '+86=alibaba' });
    try {
      alibaba.reset();
      huawei.reset();
      const answer = await post({ to: ['+8613800138000', '+6591234567'], ...otp });
      expect(answer.statusCode).toBe(400);
      expect(answer.body.error).toMatchObject({
        code: 'invalid_request',
        details: [{ path: 'to[1]' }],
      });
      expect(alibaba.requests).toHaveLength(0);
      expect(huawei.requests).toHaveLength(0);
    } finally {
      await loadHandlers({});
    }
  });

  it('sends everything through Alibaba when the secret holds only Alibaba and SMS_ROUTES is unset', async () => {
    secrets.secrets.set(SECRET_ID, JSON.stringify({ alibaba: secret.alibaba }));
    try {
      await loadHandlers({ SMS_ROUTES: '' });
      alibaba.reset();
      const answer = await post({ to: ['+6591234567', '+8613800138000'], ...otp });
      expect(answer.statusCode).toBe(202);
      expect(alibaba.requests.map((r) => r.headers['x-acs-action']).sort()).toEqual([
        'SendMessageToGlobe',
        'SendSms',
      ]);
    } finally {
      secrets.secrets.set(SECRET_ID, JSON.stringify(secret));
      await loadHandlers({});
    }
  });
});

describe('the destination policy through the real handlers', () => {
  const pumping = ['+979123456789', '+881612345678', '+882163456789', '+19002345678'];

  it.each(pumping)('refuses %s alone with 400, reaching no provider', async (to) => {
    alibaba.reset();
    huawei.reset();
    const answer = await post({ to, ...otp });
    expect(answer.statusCode).toBe(400);
    expect(answer.body.error?.details).toEqual([
      expect.objectContaining({ path: 'to[0]', code: 'destination_not_allowed' }),
    ]);
    expect(alibaba.requests.length + huawei.requests.length).toBe(0);
  });

  it('rejects 100 premium-rate numbers per recipient, sending none, and still sends the mobile', async () => {
    alibaba.reset();
    huawei.reset();
    const to = [
      ...Array.from({ length: 100 }, (_, i) => `+9791234${String(i).padStart(5, '0')}`),
      '+6591234567',
    ];
    const answer = await post({ to, ...otp });
    expect(answer.statusCode).toBe(202);
    const messages = answer.body.messages ?? [];
    expect(
      messages
        .slice(0, 100)
        .every((m) => m.status === 'rejected' && m.error?.code === 'destination_not_allowed'),
    ).toBe(true);
    expect(messages[100]?.status).toBe('accepted');
    expect(huawei.requests).toHaveLength(1);
    expect(new URLSearchParams(huawei.requests[0]?.body).get('to')).toBe('+6591234567');
    expect(await get(messages[0]?.messageId ?? '')).toMatchObject({
      status: 'rejected',
      provider: 'none',
    });
  });

  it('holds recipients to SMS_ALLOWED_COUNTRIES, in batches too', async () => {
    await loadHandlers({ SMS_ALLOWED_COUNTRIES: 'SG' });
    try {
      alibaba.reset();
      const event = apiEvent({
        path: '/sms/batch',
        body: JSON.stringify({
          messages: [
            { to: ['+8613800138000', '+6591234567'], ...otp },
            { to: '+85261234567', ...otp },
          ],
        }),
      });
      const answer = parseAnswer(await handlers.sendBatch(event, lambdaContext(20_000), () => {}));
      const groups = (
        answer.body as unknown as {
          groups: Array<{ messages: Array<{ status: string; error?: { code: string } }> }>;
        }
      ).groups;
      expect(groups.map((g) => g.messages.map((m) => m.error?.code ?? m.status))).toEqual([
        ['destination_not_allowed', 'accepted'],
        ['destination_not_allowed'],
      ]);
      expect(alibaba.requests).toHaveLength(0);
    } finally {
      await loadHandlers({});
    }
  });
});

describe("Alibaba's faults map as Huawei's do", () => {
  it('a business error inside HTTP 200 is rejected, never accepted', async () => {
    const answer = await post({ to: ['+8613800139005', '+8613800139006'], ...otp });
    // Two numbers in one SendSms: the whole request is refused; both are rejected in a 202.
    expect(answer.statusCode).toBe(202);
    expect(answer.body.messages?.map((m) => [m.status, m.error?.code])).toEqual([
      ['rejected', 'isv.MOBILE_NUMBER_ILLEGAL'],
      ['rejected', 'isv.MOBILE_NUMBER_ILLEGAL'],
    ]);
  });

  it('flow control is rate_limited for the recipient', async () => {
    const answer = await post({ to: '+8613800139006', ...otp });
    expect(answer.body.messages?.[0]).toMatchObject({
      status: 'rejected',
      error: { code: 'rate_limited' },
    });
  });

  it('an account refusal is 502 provider_rejected, nothing recorded', async () => {
    const answer = await post({ to: '+8613800139007', ...otp });
    expect(answer.statusCode).toBe(502);
    expect(answer.body.error?.code).toBe('provider_rejected');
  });

  it('throttling, then success: retried and accepted', async () => {
    alibaba.reset();
    const answer = await post({ to: '+8613800139003', ...otp });
    expect(answer.body.messages?.[0]?.status).toBe('accepted');
    expect(alibaba.requests.length).toBe(2);
  });

  it('ServiceUnavailable every time is 503 once the retries are spent', async () => {
    const answer = await post({ to: '+85261230002', ...otp });
    expect(answer.statusCode).toBe(503);
    expect(answer.body.error?.code).toBe('provider_unavailable');
  });

  it('a hang is sent once and answered in time as unknown (504), recorded', async () => {
    alibaba.reset();
    const started = Date.now();
    await loadHandlers({ ALIBABA_SMS_TIMEOUT_MS: '1500' });
    try {
      const answer = await post({ to: '+8613800139000', ...otp }, 6_000);
      expect(Date.now() - started).toBeLessThan(6_000);
      expect(answer.statusCode).toBe(504);
      expect(answer.body.error?.code).toBe('provider_timeout');
      expect(alibaba.requests).toHaveLength(1);
      const id = answer.body.error?.details?.[0]?.messageId ?? '';
      // The request carried its correlation in `OutId`: the receipt that follows finds the
      // `unknown` message and resolves it, its history showing both steps.
      let view = await get(id);
      for (let i = 0; i < 100 && view.status === 'unknown'; i++) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        view = await get(id);
      }
      expect(view).toMatchObject({ status: 'delivered', provider: 'alibaba' });
      expect(view.history.map((h: { status: string }) => h.status)).toEqual([
        'unknown',
        'delivered',
      ]);
    } finally {
      await loadHandlers({});
    }
  });
});

describe('receipts through the real statusCallback handler', () => {
  it.each([
    ['+8613800138001', 'delivered', 'DELIVERED'],
    ['+8613800139010', 'failed', 'MN:0001'],
    ['+8613800139011', 'expired', 'EXPIRED'],
    ['+85261234567', 'delivered', '1'],
    ['+85261230010', 'failed', '2'],
    ['+85261230011', 'expired', '6'],
  ])('a message to %s ends %s (%s)', async (to, status, providerStatus) => {
    alibaba.reset();
    const answer = await post({ to, ...otp });
    const id = answer.body.messages?.[0]?.messageId ?? '';
    await alibaba.idle();
    expect(alibaba.pushes.length).toBeGreaterThan(0);
    expect(alibaba.pushes.every((p) => p.status === 200)).toBe(true);
    expect(await get(id)).toMatchObject({ provider: 'alibaba', status, providerStatus });
  });

  it('a duplicated receipt changes nothing', async () => {
    alibaba.reset();
    const answer = await post({ to: '+8613800139012', ...otp });
    await alibaba.idle();
    expect(alibaba.pushes.length).toBeGreaterThanOrEqual(2);
    const view = await get(answer.body.messages?.[0]?.messageId ?? '');
    expect(view.status).toBe('delivered');
    expect(view.history).toHaveLength(2);
  });

  it('a receipt without the right token is refused and changes nothing', async () => {
    alibaba.reset();
    const answer = await post({ to: '+8613800139013', ...otp }); // no receipt of its own
    const id = answer.body.messages?.[0]?.messageId ?? '';
    const bizId = (await get(id)).providerMessageId as string;
    const forged = [
      {
        phone_number: '13800139013',
        success: false,
        err_code: 'MN:0001',
        biz_id: bizId,
        // A minute after the delivery, in Beijing time: late by the provider's clock too.
        report_time: beijing(Date.now() + 60_000),
        send_time: '2026-12-01 09:59:00',
        sms_size: '1',
      },
    ];
    expect((await pushReceipts(forged, 'wrong-token-0123456789')).status).toBe(401);
    expect((await pushReceipts(forged, '')).status).toBe(401);
    expect((await get(id)).status).toBe('accepted');
  });

  it('takes both formats, out of order, and a receipt before its message record', async () => {
    const receipts = [
      {
        phone_number: '13800000001',
        success: true,
        err_code: 'DELIVERED',
        err_msg: '用户接收成功',
        biz_id: '55501^0',
        out_id: 'x',
        report_time: '2026-12-01 18:00:05',
        send_time: '2026-12-01 18:00:00',
        sms_size: '1',
      },
      {
        To: '85260000001',
        Status: '1',
        ErrorCode: 'success',
        MessageId: '5550001',
        SendDate: 'Tue, 01 Dec 2026 18:00:00 +0800',
        ReceiveDate: 'Tue, 01 Dec 2026 18:00:09 +0800',
        SmsSize: '1',
        TaskId: 'y',
      },
    ];
    const first = await pushReceipts(receipts);
    expect(first).toEqual({ status: 200, body: { code: 0, msg: 'OK' } });
    // Again: idempotent.
    expect(await pushReceipts(receipts)).toEqual({ status: 200, body: { code: 0, msg: 'OK' } });
  });

  it('keeps a receipt that arrives before its message is recorded, and applies it once it is', async () => {
    const other = await captureServer(); // answers BizId 771^0 to its first SendSms
    try {
      const early = [
        {
          phone_number: '13700137000',
          success: true,
          err_code: 'DELIVERED',
          biz_id: '771^0',
          report_time: '2026-12-01 18:00:05',
          send_time: '2026-12-01 18:00:00',
          sms_size: '1',
        },
      ];
      expect((await pushReceipts(early)).status).toBe(200);
      await loadHandlers({ ALIBABA_SMS_ENDPOINT: other.url, ALIBABA_SMS_INTL_ENDPOINT: other.url });
      const answer = await post({ to: '+8613700137000', ...otp });
      const view = await get(answer.body.messages?.[0]?.messageId ?? '');
      expect(view).toMatchObject({
        provider: 'alibaba',
        providerMessageId: '771^0',
        status: 'delivered',
      });
      expect(view.history.map((h: { status: string }) => h.status)).toEqual([
        'accepted',
        'delivered',
      ]);
    } finally {
      await other.close();
      await loadHandlers({});
    }
  });

  it('is monotonic: a late failure after delivered enters the history only', async () => {
    alibaba.reset();
    const answer = await post({ to: '+8613800138003', ...otp });
    const id = answer.body.messages?.[0]?.messageId ?? '';
    await alibaba.idle();
    const bizId = (await get(id)).providerMessageId as string;
    const late = [
      {
        phone_number: '13800138003',
        success: false,
        err_code: 'MN:0001',
        biz_id: bizId,
        // A minute after the delivery, in Beijing time: late by the provider's clock too.
        report_time: beijing(Date.now() + 60_000),
        send_time: '2026-12-01 09:59:00',
        sms_size: '1',
      },
    ];
    expect((await pushReceipts(late)).status).toBe(200);
    const view = await get(id);
    expect(view.status).toBe('delivered');
    expect(view.history.map((h: { status: string }) => h.status)).toContain('failed');
  });

  it('refuses receipts with 401 (not a fault) when the secret holds no alibaba part', async () => {
    secrets.secrets.set(SECRET_ID, JSON.stringify({ huawei: secret.huawei }));
    try {
      await loadHandlers({ SMS_ROUTES: '' });
      const receipt = [
        { phone_number: '13800138000', success: true, err_code: 'DELIVERED', biz_id: '1^0' },
      ];
      expect((await pushReceipts(receipt, 'guess-0123456789abcdef')).status).toBe(401);
      expect((await pushReceipts(receipt, RECEIPT_TOKEN)).status).toBe(401);
    } finally {
      secrets.secrets.set(SECRET_ID, JSON.stringify(secret));
      await loadHandlers({});
    }
  });

  it('uses the receive time for a receipt whose own time is absurd', async () => {
    const other = await captureServer(); // BizId 771^0
    try {
      await loadHandlers({ ALIBABA_SMS_ENDPOINT: other.url, ALIBABA_SMS_INTL_ENDPOINT: other.url });
      const answer = await post({ to: '+8613600136000', ...otp });
      const id = answer.body.messages?.[0]?.messageId ?? '';
      const future = [
        {
          phone_number: '13600136000',
          success: true,
          err_code: 'DELIVERED',
          biz_id: '771^0',
          report_time: '2099-12-31 23:59:59',
        },
      ];
      expect((await pushReceipts(future)).status).toBe(200);
      const view = await get(id);
      expect(view.status).toBe('delivered');
      const at = Date.parse(view.history[1].at);
      expect(Math.abs(at - Date.now())).toBeLessThan(60_000);
    } finally {
      await other.close();
      await loadHandlers({});
    }
  });

  it("answers Alibaba's GET connectivity check at once", async () => {
    const res = await fetch(receiptUrl());
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ code: 0, msg: 'OK' });
  });
});

describe('POST /sms/batch through Alibaba', () => {
  it('routes each recipient and answers per group in request order', async () => {
    alibaba.reset();
    huawei.reset();
    const event = apiEvent({
      path: '/sms/batch',
      body: JSON.stringify({
        messages: [
          { to: ['+8613800138001', '+6591234567', '+8613800138002'], ...otp },
          { to: ['+85261234567'], ...otp },
        ],
        reference: 'reminders',
      }),
    });
    const answer = parseAnswer(await handlers.sendBatch(event, lambdaContext(20_000), () => {}));
    expect(answer.statusCode).toBe(202);
    const groups = (
      answer.body as unknown as {
        groups: Array<{ messages: Array<{ to: string; status: string }> }>;
      }
    ).groups;
    expect(groups.map((g) => g.messages.map((m) => [m.to, m.status]))).toEqual([
      [
        ['+8613800138001', 'accepted'],
        ['+6591234567', 'accepted'],
        ['+8613800138002', 'accepted'],
      ],
      [['+85261234567', 'accepted']],
    ]);
    expect(alibaba.requests.map((r) => r.headers['x-acs-action']).sort()).toEqual([
      'BatchSendMessageToGlobe',
      'SendBatchSms',
    ]);
    expect(huawei.requests).toHaveLength(1);
  });
});
