// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${1} is the template registry's slot syntax, not a JS template
import { createHmac } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  canonicalHeaders,
  canonicalQueryString,
  canonicalRequest,
  sha256Hex,
  stringToSign,
} from '../../shared/alibaba/canonical.ts';
import { type AlibabaProviderOptions, createAlibabaProvider } from '../../shared/alibaba/client.ts';
import type { AlibabaCredentials } from '../../shared/alibaba/secret.ts';
import { isProviderError, type ProviderError } from '../../shared/errors.ts';
import { createAgent } from '../../shared/transport/agent.ts';
import { deadlineIn } from '../../shared/util/deadline.ts';

/** One request as the fake Alibaba saw it, its parameters decoded. */
interface Seen {
  action: string;
  version: string;
  params: Record<string, string>;
  form: Record<string, string>;
  signatureValid: boolean;
}
type Reply = (res: ServerResponse, seen: Seen, req: IncomingMessage) => void;

const SECRET = 'fake-access-key-secret';
let server: Server;
let origin: string;
let replies: Reply[] = [];
let seen: Seen[] = [];
let serverSecret = SECRET;

const json =
  (status: number, body: unknown, headers: Record<string, string> = {}): Reply =>
  (res) =>
    res
      .writeHead(status, { 'content-type': 'application/json', ...headers })
      .end(JSON.stringify(body));
const sendSmsOk = json(200, {
  Code: 'OK',
  Message: 'OK',
  BizId: '900619746936498440^0',
  RequestId: 'r',
});
let messageIds = 0;
const globeOk: Reply = (res, s) =>
  json(200, { ResponseCode: 'OK', MessageId: `m-${++messageIds}`, To: s.params.To, Segments: '1' })(
    res,
    s,
    {} as IncomingMessage,
  );

/** Verifies ACS3 as Alibaba does: decode the query, re-encode it, sign what SignedHeaders names. */
function verify(req: IncomingMessage, rawQuery: string, body: string): boolean {
  const auth =
    /^ACS3-HMAC-SHA256 Credential=([^,]+),SignedHeaders=([^,]+),Signature=([0-9a-f]{64})$/.exec(
      String(req.headers.authorization),
    );
  if (!auth) return false;
  const params = Object.fromEntries(new URLSearchParams(rawQuery));
  const names = (auth[2] as string).split(';');
  const headers = Object.fromEntries(names.map((n) => [n, String(req.headers[n] ?? '')]));
  const { canonicalHeaders: ch, signedHeaders } = canonicalHeaders(headers);
  if (sha256Hex(body) !== req.headers['x-acs-content-sha256']) return false;
  const canonical = canonicalRequest({
    method: req.method ?? '',
    canonicalQueryString: canonicalQueryString(params),
    canonicalHeaders: ch,
    signedHeaders,
    hashedPayload: sha256Hex(body),
  });
  const expected = createHmac('sha256', serverSecret).update(stringToSign(canonical)).digest('hex');
  // The client promised the wire query is the canonical one it signed.
  return expected === auth[3] && rawQuery === canonicalQueryString(params);
}

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      const url = req.url ?? '/';
      const rawQuery = url.includes('?') ? url.slice(url.indexOf('?') + 1) : '';
      const entry: Seen = {
        action: String(req.headers['x-acs-action']),
        version: String(req.headers['x-acs-version']),
        params: Object.fromEntries(new URLSearchParams(rawQuery)),
        form: Object.fromEntries(new URLSearchParams(body)),
        signatureValid: verify(req, rawQuery, body),
      };
      seen.push(entry);
      const reply = replies.shift();
      if (reply) return reply(res, entry, req);
      if (!entry.signatureValid) {
        return json(400, {
          Code: 'SignatureDoesNotMatch',
          Message: 'Specified signature is not matched',
        })(res, entry, req);
      }
      (entry.version === '2017-05-25' ? sendSmsOk : globeOk)(res, entry, req);
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterEach(async () => {
  replies = [];
  seen = [];
  serverSecret = SECRET;
  server.closeAllConnections();
  await new Promise((resolve) => setTimeout(resolve, 20));
});
const agent = createAgent({
  connectTimeoutMs: 1_000,
  headersTimeoutMs: 10_000,
  bodyTimeoutMs: 10_000,
  maxIdleMs: 15_000,
});
afterAll(async () => {
  await agent.close();
  server.close();
});

const registry: Record<string, unknown> = {
  'demo-otp': {
    mainland: { templateCode: 'SMS_154950909', signName: '阿里云短信测试', params: ['code'] },
    international: { text: 'Your sms-relay code is ${1}. (Do not share!)', from: 'SMSRelay' },
  },
};

function provider(overrides: Partial<AlibabaProviderOptions> = {}) {
  const refreshed: number[] = [];
  const credentials = { accessKeyId: 'fake-access-key-id', accessKeySecret: SECRET };
  const instance = createAlibabaProvider({
    endpoint: origin,
    intlEndpoint: origin,
    credentials: {
      get: async () => credentials,
      refresh: async () => {
        refreshed.push(Date.now());
        return credentials;
      },
    },
    dispatcher: agent,
    headersTimeoutMs: 10_000,
    bodyTimeoutMs: 10_000,
    retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 5, minAttemptMs: 50, random: () => 0.5 },
    template: (id) => registry[id],
    ...overrides,
  });
  return { instance, refreshed };
}

async function providerError(promise: Promise<unknown>): Promise<ProviderError> {
  try {
    await promise;
  } catch (error) {
    if (isProviderError(error)) return error;
    throw error;
  }
  throw new Error('expected a ProviderError');
}

const otp = (to: string[]) => ({
  to,
  templateId: 'demo-otp',
  templateParas: ['012345'],
  reference: 'order-42',
  correlation: CORRELATION,
});

const CORRELATION = `sr${'c'.repeat(32)}`;

describe('createAlibabaProvider against a local Alibaba', () => {
  it('sends +86 numbers in one signed SendSms and every other number in its own SendMessageToGlobe', async () => {
    const { instance } = provider();
    const outcomes = await instance.send(
      otp(['+85291234567', '+8613800138000', '+6591234567', '+8613900139000']),
      deadlineIn(5_000),
    );
    expect(outcomes).toEqual([
      {
        to: '+85291234567',
        status: 'accepted',
        providerMessageId: expect.stringMatching(/^m-/),
      },
      {
        to: '+8613800138000',
        status: 'accepted',
        providerMessageId: '900619746936498440^0',
        trackingId: '900619746936498440^0:13800138000',
      },
      {
        to: '+6591234567',
        status: 'accepted',
        providerMessageId: expect.stringMatching(/^m-/),
      },
      {
        to: '+8613900139000',
        status: 'accepted',
        providerMessageId: '900619746936498440^0',
        trackingId: '900619746936498440^0:13900139000',
      },
    ]);
    expect(seen.every((s) => s.signatureValid)).toBe(true);
    const mainland = seen.filter((s) => s.action === 'SendSms');
    expect(mainland).toHaveLength(1);
    expect(mainland[0]).toMatchObject({
      version: '2017-05-25',
      params: {
        PhoneNumbers: '13800138000,13900139000',
        SignName: '阿里云短信测试',
        TemplateCode: 'SMS_154950909',
        TemplateParam: '{"code":"012345"}',
        OutId: 'order-42',
      },
    });
    const globe = seen.filter((s) => s.action === 'SendMessageToGlobe');
    expect(globe.map((s) => s.params.To).sort()).toEqual(['6591234567', '85291234567']);
    expect(globe[0]).toMatchObject({
      version: '2018-05-01',
      params: {
        Message: 'Your sms-relay code is 012345. (Do not share!)',
        From: 'SMSRelay',
        TaskId: 'order-42',
      },
    });
  });

  it('never reports a business error inside HTTP 200 as accepted: a recipient code rejects', async () => {
    const { instance } = provider();
    replies.push(
      json(200, { Code: 'isv.MOBILE_NUMBER_ILLEGAL', Message: 'invalid', RequestId: 'r' }),
    );
    const outcomes = await instance.send(
      otp(['+8613800138000', '+8613900139000']),
      deadlineIn(5_000),
    );
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected']);
    expect(outcomes[0]).toMatchObject({ error: { code: 'isv.MOBILE_NUMBER_ILLEGAL' } });
    expect(seen).toHaveLength(1);
  });

  it('never reports a business error inside HTTP 200 as accepted: an account code is a 502', async () => {
    const { instance } = provider();
    replies.push(json(200, { Code: 'isv.AMOUNT_NOT_ENOUGH', Message: 'balance', RequestId: 'r' }));
    const error = await providerError(instance.send(otp(['+8613800138000']), deadlineIn(5_000)));
    expect(error).toMatchObject({ code: 'provider_rejected', status: 502, outcome: 'not_sent' });
  });

  it('reports Alibaba flow control as rate_limited for the recipient', async () => {
    const { instance } = provider();
    replies.push(json(200, { ResponseCode: 'BUSINESS_LIMIT_CONTROL_MINUTE', RequestId: 'r' }));
    const [outcome] = await instance.send(otp(['+6591234567']), deadlineIn(5_000));
    expect(outcome).toMatchObject({ status: 'rejected', error: { code: 'rate_limited' } });
  });

  it('retries a throttled request once after x-acs-retry-after, then takes the acceptance', async () => {
    const { instance } = provider();
    replies.push(
      json(
        400,
        { Code: 'Throttling.User', Message: 'flow control' },
        { 'x-acs-retry-after': '50' },
      ),
    );
    const [outcome] = await instance.send(otp(['+8613800138000']), deadlineIn(5_000));
    expect(outcome).toMatchObject({
      status: 'accepted',
      providerMessageId: '900619746936498440^0',
    });
    expect(seen).toHaveLength(2);
    expect(seen.every((s) => s.signatureValid)).toBe(true);
  });

  it('retries isp.SYSTEM_ERROR inside a 200 and a 503: nothing was sent', async () => {
    const { instance } = provider();
    replies.push(
      json(200, { Code: 'isp.SYSTEM_ERROR' }),
      json(503, { Code: 'ServiceUnavailable' }),
    );
    const [outcome] = await instance.send(otp(['+8613800138000']), deadlineIn(5_000));
    expect(outcome?.status).toBe('accepted');
    expect(seen).toHaveLength(3);
  });

  it('gives up on lasting unavailability with a 503 that says nothing was sent', async () => {
    const { instance } = provider();
    for (let i = 0; i < 3; i++) replies.push(json(503, { Code: 'ServiceUnavailable' }));
    const error = await providerError(instance.send(otp(['+8613800138000']), deadlineIn(5_000)));
    expect(error).toMatchObject({ code: 'provider_unavailable', outcome: 'not_sent', status: 503 });
    expect(seen).toHaveLength(3);
  });

  it('sends a hanging request once and reports it unknown within the deadline', async () => {
    const { instance } = provider();
    replies.push(() => {});
    const started = Date.now();
    const error = await providerError(instance.send(otp(['+8613800138000']), deadlineIn(600)));
    expect(error).toMatchObject({ code: 'provider_timeout', outcome: 'unknown', status: 504 });
    expect(Date.now() - started).toBeLessThan(1_500);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(seen).toHaveLength(1);
  });

  it('calls a connection reset after the request was written unknown, and never resends it', async () => {
    const { instance } = provider();
    replies.push((_res, _seen, req) => req.socket.destroy());
    const error = await providerError(instance.send(otp(['+6591234567']), deadlineIn(5_000)));
    expect(error).toMatchObject({ code: 'provider_timeout', outcome: 'unknown' });
    expect(seen).toHaveLength(1);
  });

  it('keeps the other requests of a send when one of them fails', async () => {
    const { instance } = provider();
    replies.push((_res, _seen, req) => req.socket.destroy()); // the SendSms goes first
    const outcomes = await instance.send(otp(['+8613800138000', '+6591234567']), deadlineIn(5_000));
    expect(outcomes.map((o) => o.status)).toEqual(['unknown', 'accepted']);
  });

  it('refreshes rotated credentials once after an authentication failure', async () => {
    serverSecret = 'rotated-secret';
    const rotated: AlibabaCredentials = {
      accessKeyId: 'fake-access-key-id',
      accessKeySecret: 'rotated-secret',
    };
    let refreshes = 0;
    const { instance } = provider({
      credentials: {
        get: async () => ({ accessKeyId: 'fake-access-key-id', accessKeySecret: SECRET }),
        refresh: async () => {
          refreshes += 1;
          return rotated;
        },
      },
    });
    const [outcome] = await instance.send(otp(['+8613800138000']), deadlineIn(5_000));
    expect(outcome?.status).toBe('accepted');
    expect(refreshes).toBe(1);
    expect(seen.map((s) => s.signatureValid)).toEqual([false, true]);
  });

  it('refreshes at most once: still refused, it is a 502 with the auth flag', async () => {
    serverSecret = 'another-secret';
    const { instance, refreshed } = provider();
    const error = await providerError(instance.send(otp(['+8613800138000']), deadlineIn(5_000)));
    expect(error).toMatchObject({
      code: 'provider_rejected',
      authFailure: true,
      providerCode: 'SignatureDoesNotMatch',
    });
    expect(refreshed).toHaveLength(1);
    expect(seen).toHaveLength(2);
  });

  it('sends a planned mainland batch as one SendBatchSms with its lists in the form body', async () => {
    const { instance } = provider();
    const segments = [
      {
        group: 0,
        positions: [0, 1],
        to: ['+8613800138000', '+8613900139000'],
        templateId: 'demo-otp',
        templateParas: ['1111'],
      },
      {
        group: 1,
        positions: [0],
        to: ['+8613700137000'],
        templateId: 'demo-otp',
        templateParas: ['2222'],
      },
    ];
    const plan = await instance.planBatch(segments, { reference: 'batch-1' });
    expect(plan).toHaveLength(1);
    const outcomes = await instance.sendBatch(
      plan[0] ?? [],
      { reference: 'batch-1', correlation: CORRELATION },
      deadlineIn(5_000),
    );
    expect(outcomes.map((g) => g.map((o) => o.status))).toEqual([
      ['accepted', 'accepted'],
      ['accepted'],
    ]);
    expect(outcomes[1]?.[0]).toMatchObject({ trackingId: '900619746936498440^0:13700137000' });
    expect(seen).toEqual([
      {
        action: 'SendBatchSms',
        version: '2017-05-25',
        params: { TemplateCode: 'SMS_154950909', OutId: 'batch-1' },
        form: {
          PhoneNumberJson: '["13800138000","13900139000","13700137000"]',
          SignNameJson: '["阿里云短信测试","阿里云短信测试","阿里云短信测试"]',
          TemplateParamJson: '[{"code":"1111"},{"code":"1111"},{"code":"2222"}]',
        },
        signatureValid: true,
      },
    ]);
  });

  it('sends a planned international batch and maps MessageIdList around FailedList', async () => {
    const { instance } = provider();
    replies.push(
      json(200, {
        ResponseCode: 'OK',
        SuccessCount: '2',
        MessageIdList: '["m1","m3"]',
        FailedList: '["6598765432"]',
        RequestId: 'r',
      }),
    );
    const segment = {
      group: 0,
      positions: [0, 1, 2],
      to: ['+6591234567', '+6598765432', '+85291234567'],
      templateId: 'demo-otp',
      templateParas: ['7'],
    };
    const [request] = await instance.planBatch([segment], {});
    const [outcomes] = await instance.sendBatch(
      request ?? [],
      { correlation: CORRELATION },
      deadlineIn(5_000),
    );
    expect(
      outcomes?.map((o) => [o.status, 'providerMessageId' in o ? o.providerMessageId : undefined]),
    ).toEqual([
      ['accepted', 'm1'],
      ['rejected', undefined],
      ['accepted', 'm3'],
    ]);
    expect(seen[0]).toMatchObject({
      action: 'BatchSendMessageToGlobe',
      params: {
        To: '["6591234567","6598765432","85291234567"]',
        From: 'SMSRelay',
        Type: 'NOTIFY',
      },
      signatureValid: true,
    });
    expect(JSON.parse(seen[0]?.params.Message ?? '[]')).toHaveLength(3);
  });

  it('queries a mainland number and a 2018 message through the same signed transport', async () => {
    const { instance } = provider();
    replies.push(
      json(200, {
        Code: 'OK',
        TotalCount: '1',
        SmsSendDetailDTOs: {
          SmsSendDetailDTO: [
            {
              PhoneNum: '13800138000',
              SendStatus: 3,
              ErrCode: 'DELIVERED',
              SendDate: '2025-01-15 10:00:00',
              ReceiveDate: '2025-01-15 10:00:05',
              OutId: 'order-42',
              Content: 'code 012345',
            },
          ],
        },
      }),
      json(200, {
        ResponseCode: 'OK',
        Status: '2',
        ErrorCode: 'UNDELIV',
        MessageId: 'm-9',
        ReceiveDate: 'Mon, 24 Dec 2018 16:58:22 +0800',
      }),
    );
    const page = await instance.querySendDetails(
      {
        to: '+8613800138000',
        sendDate: new Date('2025-01-15T02:00:00Z'),
        bizId: '900619746936498440^0',
      },
      deadlineIn(5_000),
    );
    expect(page).toEqual({
      totalCount: 1,
      unreadable: 0,
      details: [
        {
          phoneNumber: '13800138000',
          sendStatus: 3,
          status: 'delivered',
          errCode: 'DELIVERED',
          templateCode: undefined,
          outId: 'order-42',
          sendDate: '2025-01-15T02:00:00.000Z',
          receiveDate: '2025-01-15T02:00:05.000Z',
        },
      ],
    });
    const message = await instance.queryMessage('m-9', deadlineIn(5_000));
    expect(message).toMatchObject({
      status: 'failed',
      statusCode: 2,
      errorCode: 'UNDELIV',
      receiveDate: '2018-12-24T08:58:22.000Z',
    });
    expect(seen.map((s) => [s.action, s.params])).toEqual([
      [
        'QuerySendDetails',
        {
          PhoneNumber: '13800138000',
          SendDate: '20250115',
          PageSize: '50',
          CurrentPage: '1',
          BizId: '900619746936498440^0',
        },
      ],
      ['QueryMessage', { MessageId: 'm-9' }],
    ]);
  });
});
