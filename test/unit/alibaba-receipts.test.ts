import { describe, expect, it } from 'vitest';
import { readBizIdAnswer } from '../../shared/alibaba/answers.ts';
import { mainlandNational } from '../../shared/alibaba/numbers.ts';
import { MAX_RECEIPTS_PER_PUSH, parseAlibabaReceipts } from '../../shared/alibaba/receiptParse.ts';
import { createAlibabaReceiver } from '../../shared/alibaba/receipts.ts';
import { alibabaSecretSchema } from '../../shared/alibaba/secret.ts';
import type { PushRequest } from '../../shared/ports/push.ts';

const TOKEN = 'receipt-token-0123456789';

const mainland = {
  phone_number: '13800138000',
  send_time: '2017-01-01 00:00:00',
  report_time: '2017-01-01 00:00:05',
  success: true,
  err_code: 'DELIVERED',
  err_msg: '用户接收成功',
  sms_size: '1',
  biz_id: '12345^0',
  out_id: '67890',
};

const international = {
  To: '85211112222',
  SendDate: 'Thu, 25 Nov 2021 10:25:00 +0800',
  ReceiveDate: 'Thu, 25 Nov 2021 10:25:33 +0800',
  Status: '1',
  ErrorCode: 'success',
  ErrorDescription: 'success',
  TaskId: '67890',
  SmsSize: '2',
  MessageId: '1234500001111',
};

function request(overrides: Partial<PushRequest> = {}): PushRequest {
  return {
    method: 'POST',
    path: '/',
    query: `token=${TOKEN}`,
    headers: { 'content-type': 'application/json' },
    body: new TextEncoder().encode('[]'),
    ...overrides,
  };
}

function parse(entries: unknown[]) {
  return parseAlibabaReceipts(JSON.stringify(entries));
}

describe('mainland receipts (snake_case)', () => {
  it('reads a delivered receipt, tracking it as the client did at submit', () => {
    const [submitted] = readBizIdAnswer(
      { status: 200, headers: {}, body: '{"Code":"OK","BizId":"12345^0"}' },
      [{ to: '+8613800138000', wire: mainlandNational('+8613800138000') as string }],
    );
    const { reports, invalid } = parse([mainland]);
    expect(invalid).toEqual([]);
    expect(reports).toEqual([
      {
        provider: 'alibaba',
        providerMessageId: '12345^0',
        trackingId: '12345^0:13800138000',
        providerStatus: 'DELIVERED',
        status: 'delivered',
        total: 1,
        sequence: 1,
        updatedAt: '2016-12-31T16:00:05.000Z',
        statusDesc: '用户接收成功',
        extend: '67890',
        to: '+8613800138000',
      },
    ]);
    expect(submitted).toMatchObject({ trackingId: reports[0]?.trackingId });
  });

  it('reads failures and carrier expiries', () => {
    const { reports } = parse([
      { ...mainland, success: false, err_code: 'MK:0001', err_msg: 'x' },
      { ...mainland, success: 'false', err_code: 'EXPIRED' },
      { ...mainland, success: 'true', err_code: undefined },
    ]);
    expect(reports.map((r) => [r.status, r.providerStatus])).toEqual([
      ['failed', 'MK:0001'],
      ['expired', 'EXPIRED'],
      ['delivered', 'DELIVERED'],
    ]);
  });

  it('builds the same tracking id whatever form phone_number comes in', () => {
    const { reports } = parse([{ ...mainland, phone_number: '8613800138000' }]);
    expect(reports[0]).toMatchObject({ trackingId: '12345^0:13800138000', to: '+8613800138000' });
  });

  it('reads Beijing time the same whatever zone the machine is in', () => {
    const zone = process.env.TZ;
    try {
      for (const tz of ['UTC', 'America/New_York', 'Asia/Shanghai']) {
        process.env.TZ = tz;
        expect(parse([mainland]).reports[0]?.updatedAt).toBe('2016-12-31T16:00:05.000Z');
        expect(parse([international]).reports[0]?.updatedAt).toBe('2021-11-25T02:25:33.000Z');
      }
    } finally {
      if (zone === undefined) delete process.env.TZ;
      else process.env.TZ = zone;
    }
  });

  it('reads null descriptive fields as absent, never refusing a genuine receipt for them', () => {
    const push = parse([
      {
        ...mainland,
        err_msg: null,
        out_id: null,
        send_time: null,
        report_time: null,
        sms_size: null,
      },
      {
        ...international,
        ErrorCode: null,
        ErrorDescription: null,
        TaskId: null,
        ReceiveDate: null,
      },
      { ...mainland, err_msg: 'x'.repeat(5_000) },
    ]);
    expect(push.invalid).toEqual([]);
    expect(push.reports.map((r) => [r.status, r.extend, r.updatedAt])).toEqual([
      ['delivered', undefined, undefined],
      ['delivered', undefined, undefined],
      ['delivered', '67890', '2016-12-31T16:00:05.000Z'],
    ]);
    expect(push.reports[2]?.statusDesc).toHaveLength(500);
  });

  it('still refuses a receipt whose identifying fields are null', () => {
    const push = parse([
      { ...mainland, biz_id: null },
      { ...international, MessageId: null },
    ]);
    expect(push.reports).toEqual([]);
    expect(push.invalid.map((p) => p.path)).toEqual(['[0].biz_id', '[1].MessageId']);
  });

  it('leaves updatedAt out when report_time cannot be read, keeping the receipt', () => {
    const { reports } = parse([{ ...mainland, report_time: '2017/01/01' }]);
    expect(reports).toHaveLength(1);
    expect(reports[0]?.updatedAt).toBeUndefined();
  });
});

describe('international receipts (PascalCase)', () => {
  it('reads a delivered receipt, keyed by MessageId, in the zone it names', () => {
    const { reports, invalid } = parse([international]);
    expect(invalid).toEqual([]);
    expect(reports).toEqual([
      {
        provider: 'alibaba',
        providerMessageId: '1234500001111',
        trackingId: '1234500001111',
        providerStatus: '1',
        status: 'delivered',
        total: 1,
        sequence: 1,
        updatedAt: '2021-11-25T02:25:33.000Z',
        statusDesc: 'success',
        orgCode: 'success',
        extend: '67890',
        to: '+85211112222',
      },
    ]);
  });

  it('maps Status 1 delivered, 2 failed, 6 expired (numbers or strings)', () => {
    const { reports } = parse([
      { ...international, Status: 2 },
      { ...international, Status: '6' },
      { ...international, Status: 1 },
    ]);
    expect(reports.map((r) => r.status)).toEqual(['failed', 'expired', 'delivered']);
  });
});

describe('a push', () => {
  it('keeps the valid receipts of a mixed push and lists the invalid ones by path', () => {
    const { biz_id: _biz, ...noBizId } = mainland;
    const push = parse([
      mainland,
      international,
      'x',
      noBizId,
      { ...international, Status: '9' },
      {},
    ]);
    expect(push.reports.map((r) => r.providerMessageId)).toEqual(['12345^0', '1234500001111']);
    expect(push.inbound).toEqual([]);
    expect(push.invalid.map((p) => p.path)).toEqual(['[2]', '[3].biz_id', '[4].Status', '[5]']);
  });

  it('takes a push of more than 1,000 receipts (a refused push is retried whole, then dropped)', () => {
    expect(parseAlibabaReceipts(JSON.stringify(Array(1_001).fill(mainland))).reports).toHaveLength(
      1_001,
    );
  });

  it('refuses a body that is not a JSON array, or holds too many receipts', () => {
    for (const body of ['', 'nope', '{}', '"x"']) {
      expect(() => parseAlibabaReceipts(body)).toThrow(
        expect.objectContaining({ code: 'invalid_request' }),
      );
    }
    const many = JSON.stringify(Array(MAX_RECEIPTS_PER_PUSH + 1).fill(mainland));
    expect(() => parseAlibabaReceipts(many)).toThrow(
      expect.objectContaining({ code: 'invalid_request' }),
    );
    expect(
      parseAlibabaReceipts(JSON.stringify(Array(MAX_RECEIPTS_PER_PUSH).fill(mainland))).reports,
    ).toHaveLength(MAX_RECEIPTS_PER_PUSH);
  });
});

describe('the receiver', () => {
  function receiver(tokens: string[], clock = { now: 0 }) {
    const fetched: Array<boolean | undefined> = [];
    let current = tokens[0] as string;
    const instance = createAlibabaReceiver({
      secret: async (options) => {
        fetched.push(options?.refresh);
        if (options?.refresh) current = tokens[1] ?? current;
        return { receiptToken: current };
      },
      now: () => clock.now,
    });
    return { instance, fetched };
  }

  it('is the alibaba receiver on /alibaba', () => {
    const { instance } = receiver([TOKEN]);
    expect(instance).toMatchObject({ provider: 'alibaba', path: '/alibaba' });
  });

  it('accepts the receipt token from the query string', async () => {
    const { instance } = receiver([TOKEN]);
    expect(await instance.authenticate(request(), new Date())).toEqual({ ok: true, by: 'account' });
    expect(
      await instance.authenticate(request({ query: `a=1&token=${TOKEN}` }), new Date()),
    ).toMatchObject({ ok: true });
  });

  it('refuses a missing, wrong or truncated token', async () => {
    const { instance } = receiver([TOKEN]);
    for (const query of [
      '',
      'token=',
      'token=wrong',
      `token=${TOKEN.slice(0, -1)}`,
      `Token=${TOKEN}`,
    ]) {
      expect(await instance.authenticate(request({ query }), new Date())).toMatchObject({
        ok: false,
      });
    }
  });

  it('refetches the secret on a mismatch, so a rotated token is accepted', async () => {
    const { instance, fetched } = receiver(['old-token-0123456789', TOKEN]);
    expect(await instance.authenticate(request(), new Date())).toEqual({ ok: true, by: 'account' });
    expect(fetched).toEqual([undefined, true]);
  });

  it('refetches at most once a minute, whatever forged pushes arrive', async () => {
    const clock = { now: 0 };
    const { instance, fetched } = receiver([TOKEN, TOKEN], clock);
    const forged = request({ query: 'token=forged-token-000000' });
    await instance.authenticate(forged, new Date());
    await instance.authenticate(forged, new Date());
    clock.now += 59_999;
    await instance.authenticate(forged, new Date());
    expect(fetched.filter((f) => f === true)).toHaveLength(1);
    clock.now += 1;
    await instance.authenticate(forged, new Date());
    expect(fetched.filter((f) => f === true)).toHaveLength(2);
  });

  it('refuses every push, with 401 not a fault, when the secret holds no alibaba part', async () => {
    const instance = createAlibabaReceiver({ secret: async () => undefined, now: () => 0 });
    expect(await instance.authenticate(request(), new Date())).toEqual({
      ok: false,
      reason: 'the secret holds no alibaba part',
    });
  });

  it("answers the console's GET check and acknowledges with Alibaba's JSON", () => {
    const { instance } = receiver([TOKEN]);
    const ok = {
      status: 200,
      headers: { 'content-type': 'application/json' },
      body: '{"code":0,"msg":"OK"}',
    };
    expect(instance.probe?.(request({ method: 'GET' }))).toEqual(ok);
    expect(instance.probe?.(request())).toBeUndefined();
    expect(instance.acknowledge({ received: 2, changed: 1 })).toEqual(ok);
    expect(JSON.parse(ok.body).code).toBe(0);
  });

  it('parses the push body bytes', () => {
    const { instance } = receiver([TOKEN]);
    const push = instance.parse(
      request({ body: new TextEncoder().encode(JSON.stringify([mainland])) }),
    );
    expect(push.reports).toHaveLength(1);
  });
});

describe('the secret slice', () => {
  it('needs an AccessKey pair and a receipt token of at least 16 characters', () => {
    const good = { accessKeyId: 'id', accessKeySecret: 'secret', receiptToken: 'x'.repeat(16) };
    expect(alibabaSecretSchema.safeParse(good).success).toBe(true);
    expect(alibabaSecretSchema.safeParse({ ...good, receiptToken: 'x'.repeat(15) }).success).toBe(
      false,
    );
    expect(alibabaSecretSchema.safeParse({ ...good, accessKeySecret: '' }).success).toBe(false);
  });
});
