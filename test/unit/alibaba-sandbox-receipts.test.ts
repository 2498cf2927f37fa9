import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { call } from '../../sandbox/alibaba/client.ts';
import {
  type AlibabaSandbox,
  type AlibabaSandboxOptions,
  startAlibabaSandbox,
} from '../../sandbox/alibaba/server.ts';

interface Received {
  method: string;
  target: string;
  headers: Record<string, string | string[] | undefined>;
  // biome-ignore lint/suspicious/noExplicitAny: receipts are checked field by field
  body: any[];
  at: number;
}

const ACK = '{"code":0,"msg":"OK"}';
let receiver: Server;
let origin: string;
let received: Received[] = [];
/** Answers for the next requests, in order: `[status, body]`, or `hang`; then ACK. */
let answers: Array<[number, string] | 'hang'> = [];

beforeAll(async () => {
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      received.push({
        method: req.method ?? '',
        target: req.url ?? '',
        headers: req.headers,
        body: JSON.parse(Buffer.concat(chunks).toString('utf8')),
        at: performance.now(),
      });
      const answer = answers.shift() ?? [200, ACK];
      if (answer === 'hang') return;
      res.writeHead(answer[0], { 'Content-Type': 'application/json' }).end(answer[1]);
    });
  });
  receiver.listen(0, '127.0.0.1');
  await once(receiver, 'listening');
  origin = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
});
afterAll(
  () =>
    new Promise<void>((resolve) => {
      receiver.closeAllConnections();
      receiver.close(() => resolve());
    }),
);

const TOKEN = 'receipt-token-123';
const started: AlibabaSandbox[] = [];
const logs: string[] = [];
async function sandboxWith(options: AlibabaSandboxOptions = {}): Promise<AlibabaSandbox> {
  const sandbox = await startAlibabaSandbox({
    receiptUrl: `${origin}/alibaba?token=${TOKEN}`,
    deliveryDelayMs: 30,
    receiptBatchWindowMs: 20,
    pushRetryDelayMs: 10,
    log: (line) => logs.push(line),
    ...options,
  });
  started.push(sandbox);
  return sandbox;
}
beforeEach(() => {
  received = [];
  answers = [];
  logs.length = 0;
});
afterEach(async () => {
  await Promise.all(started.splice(0).map((sandbox) => sandbox.close()));
});

const sendSms = (sandbox: AlibabaSandbox, numbers: string, extra: Record<string, string> = {}) =>
  call(sandbox.url, {
    action: 'SendSms',
    version: '2017-05-25',
    query: { PhoneNumbers: numbers, SignName: '阿里云', TemplateCode: 'SMS_1', ...extra },
  });
const sendGlobe = (sandbox: AlibabaSandbox, to: string, extra: Record<string, string> = {}) =>
  call(sandbox.url, {
    action: 'SendMessageToGlobe',
    version: '2018-05-01',
    query: { To: to, Message: 'Hello', ...extra },
  });

const BEIJING = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;
const GLOBE_DATE =
  /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} \+0800$/;

describe('Alibaba receipts', () => {
  it('pushes mainland receipts (snake_case) as a JSON array, several per push when due together', async () => {
    const sandbox = await sandboxWith();
    const sent = await sendSms(sandbox, '13800138000,+8613900139000', { OutId: 'order-42' });
    await sandbox.idle();
    expect(received).toHaveLength(1);
    const [push] = received;
    expect(push?.method).toBe('POST');
    expect(push?.target).toBe(`/alibaba?token=${TOKEN}`);
    expect(push?.headers['content-type']).toBe('application/json');
    expect(push?.body).toHaveLength(2);
    const [first, second] = push?.body ?? [];
    expect(Object.keys(first)).toEqual([
      'phone_number',
      'send_time',
      'report_time',
      'success',
      'err_code',
      'err_msg',
      'sms_size',
      'biz_id',
      'out_id',
    ]);
    expect(first).toMatchObject({
      phone_number: '13800138000',
      success: true,
      err_code: 'DELIVERED',
      sms_size: '1',
      biz_id: sent.body.BizId,
      out_id: 'order-42',
    });
    expect(first.send_time).toMatch(BEIJING);
    expect(first.report_time).toMatch(BEIJING);
    expect(second.phone_number).toBe('13900139000');
    expect(sandbox.pushes).toMatchObject([{ format: 'mainland', attempt: 1, status: 200 }]);
    expect(sandbox.pushes[0]?.keys).toEqual([
      `${sent.body.BizId}/13800138000`,
      `${sent.body.BizId}/13900139000`,
    ]);
  });

  it('writes send and report times in Beijing time', async () => {
    const sentAt = new Date('2026-11-20T16:30:00Z');
    const sandbox = await sandboxWith({ now: () => sentAt, deliveryDelayMs: 2000 });
    await call(sandbox.url, {
      action: 'SendSms',
      version: '2017-05-25',
      query: { PhoneNumbers: '13800138000', SignName: 'T', TemplateCode: 'SMS_1' },
      at: sentAt,
    });
    await sandbox.idle();
    expect(received[0]?.body[0]).toMatchObject({
      send_time: '2026-11-21 00:30:00',
      report_time: '2026-11-21 00:30:02',
    });
    expect(received[0]?.body[0].out_id).toBeUndefined();
  });

  it('pushes international receipts (PascalCase) apart from mainland ones', async () => {
    const sandbox = await sandboxWith();
    const globe = await sendGlobe(sandbox, '6591234567', { TaskId: 'task-7' });
    await sendSms(sandbox, '13800138000');
    await sandbox.idle();
    expect(received).toHaveLength(2);
    const international = received.find((r) => 'To' in (r.body[0] ?? {}));
    const receipt = international?.body[0];
    expect(Object.keys(receipt)).toEqual([
      'To',
      'SendDate',
      'ReceiveDate',
      'Status',
      'ErrorCode',
      'ErrorDescription',
      'TaskId',
      'SmsSize',
      'MessageId',
    ]);
    expect(receipt).toMatchObject({
      To: '6591234567',
      Status: '1',
      ErrorCode: 'success',
      TaskId: 'task-7',
      SmsSize: '1',
      MessageId: globe.body.MessageId,
    });
    expect(receipt.SendDate).toMatch(GLOBE_DATE);
    expect(receipt.ReceiveDate).toMatch(GLOBE_DATE);
    expect(sandbox.pushes.map((p) => p.format).sort()).toEqual(['international', 'mainland']);
  });

  it.each([
    ['mainland', '13800139010', { success: false, err_code: 'MN:0001' }],
    ['mainland', '13800139011', { success: false, err_code: 'EXPIRED' }],
    ['international', '85261230010', { Status: '2', ErrorCode: 'UNDELIV' }],
    ['international', '85261230011', { Status: '6', ErrorCode: 'EXPIRED' }],
  ])('pushes a %s failure receipt for %s', async (region, number, fields) => {
    const sandbox = await sandboxWith();
    if (region === 'mainland') await sendSms(sandbox, number);
    else await sendGlobe(sandbox, number);
    await sandbox.idle();
    expect(received[0]?.body[0]).toMatchObject(fields);
  });

  it('pushes the same receipt twice for 12 and none for 13 (the query still says delivered)', async () => {
    const sandbox = await sandboxWith();
    await sendSms(sandbox, '13800139012');
    await sendGlobe(sandbox, '85261230012');
    await sendSms(sandbox, '13800139013');
    await sendGlobe(sandbox, '85261230013');
    await sandbox.idle();
    const bodies = received.map((r) => JSON.stringify(r.body));
    expect(bodies).toHaveLength(4);
    expect(new Set(bodies).size).toBe(2);
    const numbers = received.flatMap((r) => r.body.map((x) => x.phone_number ?? x.To));
    expect(numbers.sort()).toEqual(['13800139012', '13800139012', '85261230012', '85261230012']);
    const silent = [...sandbox.messages.values()].filter((m) => m.outcome === 'never');
    expect(silent.map((m) => m.result?.state)).toEqual(['delivered', 'delivered']);
  });

  it.each([
    ['HTTP 500', [500, ACK]],
    ['a non-JSON 200', [200, 'ok']],
    ['a string code', [200, '{"code":"0"}']],
    ['a non-zero code', [200, '{"code":1,"msg":"busy"}']],
  ] as const)('retries a push answered with %s until {"code":0}', async (_what, answer) => {
    answers = [[answer[0], answer[1]]];
    const sandbox = await sandboxWith();
    await sendSms(sandbox, '13800138000');
    await sandbox.idle();
    expect(received).toHaveLength(2);
    expect(received[1]?.body).toEqual(received[0]?.body);
    expect(sandbox.pushes.map((p) => [p.attempt, p.status])).toEqual([
      [1, answer[0]],
      [2, 200],
    ]);
  });

  it('retries after 1, 5 and 10 units, then gives up (mainland: 3 retries)', async () => {
    answers = Array.from({ length: 10 }, () => [503, 'down'] as [number, string]);
    const sandbox = await sandboxWith({ pushRetryDelayMs: 15 });
    await sendSms(sandbox, '13800138000');
    await sandbox.idle();
    expect(received).toHaveLength(4);
    const gaps = received.slice(1).map((r, i) => r.at - (received[i]?.at ?? 0));
    expect(gaps[0]).toBeGreaterThanOrEqual(14);
    expect(gaps[1]).toBeGreaterThanOrEqual(5 * 15 - 1);
    expect(gaps[2]).toBeGreaterThanOrEqual(10 * 15 - 1);
    expect(logs.some((line) => line.includes('giving up'))).toBe(true);
  });

  it('retries an international receipt twice only, like Alibaba', async () => {
    answers = Array.from({ length: 10 }, () => [503, 'down'] as [number, string]);
    const sandbox = await sandboxWith();
    await sendGlobe(sandbox, '6591234567');
    await sandbox.idle();
    expect(received).toHaveLength(3);
  });

  it('honours pushRetries', async () => {
    answers = Array.from({ length: 10 }, () => [503, 'down'] as [number, string]);
    const sandbox = await sandboxWith({ pushRetries: 0 });
    await sendSms(sandbox, '13800138000');
    await sandbox.idle();
    expect(received).toHaveLength(1);
  });

  it('counts a push without an answer within pushTimeoutMs as failed and retries it', async () => {
    answers = ['hang'];
    const sandbox = await sandboxWith({ pushTimeoutMs: 100 });
    await sendSms(sandbox, '13800138000');
    await sandbox.idle();
    expect(received).toHaveLength(2);
    expect(sandbox.pushes[0]?.error).toMatch(/no answer within 100 ms/);
    expect(sandbox.pushes[1]?.status).toBe(200);
  });

  it('never logs the token or a whole number', async () => {
    answers = [[500, 'x']];
    const sandbox = await sandboxWith();
    await sendSms(sandbox, '13800138000');
    await sandbox.idle();
    expect(
      logs.some((line) => line.startsWith('push 1 mainland receipt -> http://127.0.0.1')),
    ).toBe(true);
    expect(logs.join('\n')).not.toMatch(
      new RegExp(`${TOKEN}|13800138000|sandbox-access-key-secret`),
    );
  });

  it('pushes nothing without a receipt URL, yet settles the outcome', async () => {
    const sandbox = await startAlibabaSandbox({ deliveryDelayMs: 10 });
    started.push(sandbox);
    await sendSms(sandbox, '13800138000');
    await sandbox.idle();
    expect(received).toHaveLength(0);
    expect(sandbox.pushes).toHaveLength(0);
    expect([...sandbox.messages.values()][0]?.result?.state).toBe('delivered');
  });

  it('cancels scheduled receipts on reset', async () => {
    const sandbox = await sandboxWith({ deliveryDelayMs: 100 });
    await sendSms(sandbox, '13800138000');
    sandbox.reset();
    await sandbox.idle();
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(received).toHaveLength(0);
  });
});
