import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { call } from '../../sandbox/alibaba/client.ts';
import {
  type AlibabaSandbox,
  MAGIC_NUMBERS,
  startAlibabaSandbox,
} from '../../sandbox/alibaba/server.ts';

const SLOW_MS = 150;
let sandbox: AlibabaSandbox;
const logs: string[] = [];

beforeAll(async () => {
  sandbox = await startAlibabaSandbox({
    deliveryDelayMs: 20,
    slowMs: SLOW_MS,
    log: (line) => logs.push(line),
  });
});
afterAll(() => sandbox.close());
beforeEach(() => {
  sandbox.reset();
  logs.length = 0;
});

/** `+8613800139005` -> `13800139005` for PhoneNumbers; `+85261230005` -> `85261230005` for To. */
const national = (e164: string) => (e164.startsWith('+86') ? e164.slice(3) : e164.slice(1));

const sendSms = (numbers: string[], signal?: AbortSignal) =>
  call(
    sandbox.url,
    {
      action: 'SendSms',
      version: '2017-05-25',
      query: {
        PhoneNumbers: numbers.map(national).join(','),
        SignName: 'Test',
        TemplateCode: 'SMS_1',
      },
    },
    signal ? { signal } : {},
  );
const sendGlobe = (number: string, signal?: AbortSignal) =>
  call(
    sandbox.url,
    {
      action: 'SendMessageToGlobe',
      version: '2018-05-01',
      query: { To: national(number), Message: 'hi' },
    },
    signal ? { signal } : {},
  );
const batchGlobe = (numbers: string[]) =>
  call(sandbox.url, {
    action: 'BatchSendMessageToGlobe',
    version: '2018-05-01',
    query: {
      To: JSON.stringify(numbers.map(national)),
      Message: JSON.stringify(numbers.map(() => 'hi')),
    },
  });

const magic = (region: 'mainland' | 'international', suffix: string) =>
  `${region === 'mainland' ? '+86138001390' : '+852612300'}${suffix}`;
const PLAIN = { mainland: '+8613800138000', international: '+85291234567' } as const;
const REGIONS = ['mainland', 'international'] as const;
/** Mainland numbers go through SendSms (2017-05-25), international ones through SendMessageToGlobe. */
const send = (region: (typeof REGIONS)[number], numbers: string[], signal?: AbortSignal) =>
  region === 'mainland'
    ? sendSms(numbers, signal)
    : numbers.length === 1
      ? sendGlobe(numbers[0] ?? '', signal)
      : batchGlobe(numbers);
const codeOf = (body: { Code?: string; ResponseCode?: string }) => body.Code ?? body.ResponseCode;

describe('Alibaba sandbox magic numbers', () => {
  it('are all valid mobile numbers under libphonenumber, one per outcome and range', () => {
    for (const { number } of MAGIC_NUMBERS) {
      const parsed = parsePhoneNumberFromString(number);
      expect(parsed?.isValid(), number).toBe(true);
      expect(parsed?.getType(), number).toBe('MOBILE');
    }
    expect(new Set(MAGIC_NUMBERS.map((m) => m.number)).size).toBe(MAGIC_NUMBERS.length);
    expect(MAGIC_NUMBERS).toHaveLength(24);
  });

  describe.each(REGIONS)('%s', (region) => {
    it('hangs on 00: never answers, yet the request was processed', async () => {
      const started = performance.now();
      const outcome = await send(region, [magic(region, '00')], AbortSignal.timeout(300)).then(
        () => 'answered',
        (error: Error) => error.name,
      );
      expect(outcome).toBe('AbortError');
      expect(performance.now() - started).toBeGreaterThanOrEqual(290);
      expect(sandbox.messages.size).toBe(1);
      expect(logs.some((line) => line.includes('held without an answer'))).toBe(true);
    });

    it('resets the connection on 01 after reading the request (which was processed)', async () => {
      const error = await send(region, [magic(region, '01')]).then(
        () => undefined,
        (e: NodeJS.ErrnoException) => e,
      );
      expect(error?.code).toBe('ECONNRESET');
      expect(sandbox.messages.size).toBe(1);
    });

    it('answers 503 ServiceUnavailable on 02, every time, and sends nothing', async () => {
      for (let i = 0; i < 2; i++) {
        const got = await send(region, [PLAIN[region], magic(region, '02')]);
        expect(got.status).toBe(503);
        expect(Object.keys(got.body).sort()).toEqual([
          'Code',
          'HostId',
          'Message',
          'Recommend',
          'RequestId',
        ]);
        expect(got.body.Code).toBe('ServiceUnavailable');
      }
      expect(sandbox.messages.size).toBe(0);
    });

    it('throttles the first request carrying 03 (Throttling.User), then accepts the retry', async () => {
      const first = await send(region, [magic(region, '03')]);
      expect(first).toMatchObject({ status: 400, body: { Code: 'Throttling.User' } });
      expect(sandbox.messages.size).toBe(0);
      const retry = await send(region, [magic(region, '03')]);
      expect(retry.status).toBe(200);
      expect(codeOf(retry.body)).toBe('OK');
      expect(sandbox.messages.size).toBe(1);
      sandbox.reset();
      expect((await send(region, [magic(region, '03')])).body.Code).toBe('Throttling.User');
    });

    it('answers 04 only after slowMs', async () => {
      const started = performance.now();
      const got = await send(region, [magic(region, '04')]);
      expect(codeOf(got.body)).toBe('OK');
      expect(performance.now() - started).toBeGreaterThanOrEqual(SLOW_MS - 5);
    });

    it.each([
      ['05', 'MOBILE_NUMBER_ILLEGAL'],
      ['06', 'BUSINESS_LIMIT_CONTROL'],
      ['07', 'AMOUNT_NOT_ENOUGH'],
    ])('refuses the whole request holding %s with %s', async (suffix, code) => {
      const numbers =
        region === 'mainland' ? [PLAIN.mainland, magic(region, suffix)] : [magic(region, suffix)];
      const got = await send(region, numbers);
      expect(got.status).toBe(200);
      expect(codeOf(got.body)).toBe(region === 'mainland' ? `isv.${code}` : code);
      expect(sandbox.messages.size).toBe(0);
    });
  });

  it('refuses a whole BatchSendMessageToGlobe on 05 and 07 but fails only the 06 number', async () => {
    expect(
      (await batchGlobe([PLAIN.international, magic('international', '05')])).body.ResponseCode,
    ).toBe('MOBILE_NUMBER_ILLEGAL');
    expect(
      (await batchGlobe([PLAIN.international, magic('international', '07')])).body.ResponseCode,
    ).toBe('AMOUNT_NOT_ENOUGH');
    const limited = await batchGlobe([PLAIN.international, magic('international', '06')]);
    expect(limited.body).toMatchObject({ ResponseCode: 'OK', SuccessCount: '1' });
    expect(JSON.parse(limited.body.FailedList)).toEqual(['85261230006']);
  });

  it('lets international magic numbers act through SendSms (2017-05-25) too', async () => {
    expect((await sendSms([magic('international', '07')])).body.Code).toBe('isv.AMOUNT_NOT_ENOUGH');
  });

  it.each(REGIONS)('settles %s outcomes 10-13 as the query APIs show them', async (region) => {
    const numbers = ['10', '11', '12', '13'].map((suffix) => magic(region, suffix));
    for (const number of numbers) expect(codeOf((await send(region, [number])).body)).toBe('OK');
    await sandbox.idle();
    const results = Object.fromEntries(
      [...sandbox.messages.values()].map((m) => [
        m.number.slice(-2),
        [m.result?.state, m.result?.code],
      ]),
    );
    expect(results).toEqual({
      '10': ['failed', region === 'mainland' ? 'MN:0001' : 'UNDELIV'],
      '11': ['expired', 'EXPIRED'],
      '12': ['delivered', 'DELIVERED'],
      '13': ['delivered', 'DELIVERED'],
    });
  });

  it('delivers any other number after the delay', async () => {
    expect((await sendSms([PLAIN.mainland])).body.Code).toBe('OK');
    expect((await sendGlobe(PLAIN.international)).body.ResponseCode).toBe('OK');
    await sandbox.idle();
    expect([...sandbox.messages.values()].map((m) => m.result?.state)).toEqual([
      'delivered',
      'delivered',
    ]);
  });

  it('logs one line per request, numbers masked, never the secret', async () => {
    await sendSms([PLAIN.mainland, magic('mainland', '02')]);
    expect(logs).toHaveLength(1);
    expect(logs[0]).toMatch(
      /^POST \/ SendSms 503 ServiceUnavailable key=sandbox-access-key-id to=\+86\*\*\*\*8000,\+86\*\*\*\*9002 \d+ms$/,
    );
    expect(logs.join('\n')).not.toMatch(/13800138000|sandbox-access-key-secret/);
  });
});
