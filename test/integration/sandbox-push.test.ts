import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { formBody as form, sendSigned } from '../../sandbox/huawei/client.ts';
import {
  LOCAL_SENDER,
  MAX_BATCH,
  pushUplink,
  type Sandbox,
  type SandboxOptions,
  startSandbox,
} from '../../sandbox/huawei/server.ts';
import type { WireRequest } from '../../shared/huawei/canonical.ts';
import { verifyAkSk } from '../../shared/huawei/verify.ts';

/** A request as the receiver got it: raw path, query, lower-case headers and body. */
interface Received {
  method: string;
  path: string;
  query: string;
  headers: Record<string, string>;
  body: string;
  at: number;
}

const PUSH_KEY = { ak: 'push-ak-1', sk: 'push-sk-1' };
const UPDATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

let receiver: Server;
let origin: string;
let received: Received[] = [];
/** The next this-many requests get 500. */
let failNext = 0;

beforeAll(async () => {
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const target = req.url ?? '/';
      const q = target.indexOf('?');
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(req.headers)) {
        if (typeof value === 'string') headers[name] = value;
      }
      received.push({
        method: req.method ?? '',
        path: q === -1 ? target : target.slice(0, q),
        query: q === -1 ? '' : target.slice(q + 1),
        headers,
        body: Buffer.concat(chunks).toString('utf8'),
        at: performance.now(),
      });
      if (failNext > 0) {
        failNext -= 1;
        res.writeHead(500).end('try later');
        return;
      }
      res.writeHead(200).end('ok');
    });
  });
  receiver.listen(0, '127.0.0.1');
  await once(receiver, 'listening');
  origin = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => receiver.close(() => resolve())));

const started: Sandbox[] = [];
const logs: string[] = [];
async function sandboxWith(options: SandboxOptions = {}): Promise<Sandbox> {
  const sandbox = await startSandbox({
    deliveryDelayMs: 50,
    pushRetryDelayMs: 20,
    log: (line) => logs.push(line),
    ...options,
  });
  started.push(sandbox);
  return sandbox;
}

beforeEach(() => {
  received = [];
  failNext = 0;
  logs.length = 0;
});
afterEach(async () => {
  await Promise.all(started.splice(0).map((sandbox) => sandbox.close()));
});

/** Sends to the given numbers; returns smsMsgId by number (accepted ones). */
async function send(
  sandbox: Sandbox,
  to: string[],
  fields: Record<string, string | undefined> = {},
): Promise<Map<string, string>> {
  const answer = await sendSigned(sandbox.url, form({ to: to.join(','), ...fields }));
  expect(answer.status).toBe(200);
  const ids = new Map<string, string>();
  for (const entry of answer.body.result as Array<{ originTo: string; smsMsgId?: string }>) {
    if (entry.smsMsgId) ids.set(entry.originTo, entry.smsMsgId);
  }
  return ids;
}

const fields = (r: Received) => Object.fromEntries(new URLSearchParams(r.body));
const keys = (r: Received) => [...new URLSearchParams(r.body).keys()];
const wire = (r: Received): WireRequest => ({
  method: r.method,
  path: r.path,
  query: r.query,
  headers: r.headers,
  body: r.body,
});
const verify = (request: WireRequest) =>
  verifyAkSk(request, (ak) => (ak === PUSH_KEY.ak ? PUSH_KEY.sk : undefined), {
    now: new Date(),
    maxSkewMs: 15 * 60_000,
    requireSigned: ['host', 'x-sdk-date'],
  });
const callback = (suffix = '') => `${origin}/callback${suffix}`;

describe('sandbox status report pushes', () => {
  it('pushes one DELIVRD report, form-urlencoded, to statusCallback', async () => {
    const sandbox = await sandboxWith();
    const ids = await send(sandbox, ['+6591234567'], { statusCallback: callback('?token=t1') });
    await sandbox.idle();
    expect(received).toHaveLength(1);
    const [push] = received as [Received];
    expect(push.method).toBe('POST');
    expect(push.path).toBe('/callback');
    expect(push.query).toBe('token=t1');
    expect(push.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(push.headers.host).toBe(origin.slice('http://'.length));
    expect(push.headers.authorization).toBeUndefined();
    expect(keys(push).sort()).toEqual(
      ['orgCode', 'sequence', 'smsMsgId', 'source', 'status', 'total', 'updateTime'].sort(),
    );
    expect(fields(push)).toMatchObject({
      smsMsgId: ids.get('+6591234567'),
      status: 'DELIVRD',
      source: '2',
      orgCode: '000',
      total: '1',
      sequence: '1',
    });
    expect(fields(push).updateTime).toMatch(UPDATE_TIME);
    expect(sandbox.pushes).toEqual([
      expect.objectContaining({
        url: callback('?token=t1'),
        body: push.body,
        smsMsgIds: [ids.get('+6591234567')],
        attempt: 1,
        status: 200,
      }),
    ]);
  });

  it('adds extend and to only when the message had an extend', async () => {
    const sandbox = await sandboxWith();
    await send(sandbox, ['+6591234567'], { statusCallback: callback(), extend: 'order-42' });
    await send(sandbox, ['+6591234568'], { statusCallback: callback() });
    await sandbox.idle();
    const byTo = new Map(received.map((r) => [fields(r).to ?? 'none', fields(r)]));
    expect(byTo.get('+6591234567')).toMatchObject({ extend: 'order-42', status: 'DELIVRD' });
    expect(byTo.get('none')).toBeDefined();
    expect(byTo.get('none')?.extend).toBeUndefined();
  });

  it('varies the field order between messages', async () => {
    const sandbox = await sandboxWith();
    const numbers = Array.from({ length: 8 }, (_, i) => `+659123450${i}`);
    await send(sandbox, numbers, { statusCallback: callback() });
    await sandbox.idle();
    expect(received).toHaveLength(8);
    expect(new Set(received.map((r) => keys(r).join(','))).size).toBeGreaterThan(1);
  });

  it('delivers after deliveryDelayMs, counted from acceptance', async () => {
    const sandbox = await sandboxWith({ deliveryDelayMs: 200 });
    const sentAt = performance.now();
    await send(sandbox, ['+6591234567'], { statusCallback: callback() });
    await sandbox.idle();
    expect(received[0]?.at ?? 0).toBeGreaterThanOrEqual(sentAt + 190);
  });

  it('sends nothing without statusCallback or reportUrl', async () => {
    const sandbox = await sandboxWith();
    await send(sandbox, ['+6591234567']);
    await sandbox.idle();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(received).toHaveLength(0);
    expect(sandbox.pushes).toHaveLength(0);
  });
});

describe('sandbox pushing authentication', () => {
  it('signs pushes with the pushing AK/SK so that verifyAkSk accepts them as received', async () => {
    const sandbox = await sandboxWith({ pushKey: PUSH_KEY });
    await send(sandbox, ['+6591234567'], {
      statusCallback: callback('?token=a%2Fb&x=1'),
      extend: 'with space & symbols',
    });
    await sandbox.idle();
    const [push] = received as [Received];
    expect(push.headers.authorization).toMatch(
      /^SDK-HMAC-SHA256 Access=push-ak-1, SignedHeaders=content-type;host;x-sdk-date, Signature=[0-9a-f]{64}$/,
    );
    expect(push.headers['x-sdk-date']).toMatch(/^\d{8}T\d{6}Z$/);
    expect(verify(wire(push))).toEqual({ ok: true, accessKey: PUSH_KEY.ak });
    const { headers } = sandbox.pushes[0] ?? { headers: {} };
    expect(Object.keys(headers).sort()).toEqual([
      'Authorization',
      'Content-Type',
      'Host',
      'X-Sdk-Date',
    ]);
  });

  it('fails verification when one byte of the body, query or host changes', async () => {
    const sandbox = await sandboxWith({ pushKey: PUSH_KEY });
    await send(sandbox, ['+6591234567'], { statusCallback: callback('?token=abc') });
    await sandbox.idle();
    const request = wire(received[0] as Received);
    const body = request.body as string;
    const flipped = `${body.slice(0, -1)}${body.endsWith('1') ? '2' : '1'}`;
    expect(verify({ ...request, body: flipped })).toMatchObject({
      ok: false,
      reason: 'bad_signature',
    });
    expect(verify({ ...request, query: 'token=abd' })).toMatchObject({ ok: false });
    expect(
      verify({ ...request, headers: { ...request.headers, host: 'localhost:1' } }),
    ).toMatchObject({ ok: false });
    expect(
      verify({ ...request, headers: { ...request.headers, authorization: undefined } }),
    ).toMatchObject({ ok: false, reason: 'missing' });
  });

  it('signs each retry afresh with the same body', async () => {
    failNext = 1;
    const sandbox = await sandboxWith({ pushKey: PUSH_KEY });
    await send(sandbox, ['+6591234567'], { statusCallback: callback() });
    await sandbox.idle();
    expect(received).toHaveLength(2);
    for (const push of received) expect(verify(wire(push)).ok).toBe(true);
    expect(received[1]?.body).toBe(received[0]?.body);
  });
});

describe('sandbox delivery magic numbers', () => {
  it('plays each outcome as documented', async () => {
    const sandbox = await sandboxWith();
    const sentAt = performance.now();
    const numbers = [
      '+6591234567',
      '+6590001001',
      '+6590001002',
      '+6590001003',
      '+6590001004',
      '+6590001005',
      '+6590001006',
      '+6590001007',
      '+6590001008',
      '+6590001009',
    ];
    const ids = await send(sandbox, numbers, { statusCallback: callback() });
    expect(ids.size).toBe(numbers.length); // all accepted at submit
    await sandbox.idle();
    const reportsOf = (number: string) =>
      received.filter((r) => fields(r).smsMsgId === ids.get(number));
    const statuses = (number: string) =>
      reportsOf(number).map((r) => `${fields(r).status} ${fields(r).sequence}/${fields(r).total}`);

    expect(statuses('+6591234567')).toEqual(['DELIVRD 1/1']);

    const [undeliv] = reportsOf('+6590001001').map(fields);
    expect(reportsOf('+6590001001')).toHaveLength(1);
    expect(undeliv).toMatchObject({ status: 'UNDELIV', orgCode: 'DB:0108' });
    expect(undeliv?.statusDesc).toBeTruthy();

    expect(statuses('+6590001002')).toEqual(['EXPIRED 1/1']);

    const twoPart = reportsOf('+6590001003');
    expect(statuses('+6590001003')).toEqual(['DELIVRD 1/2', 'DELIVRD 2/2']);
    expect((twoPart[1]?.at ?? 0) - (twoPart[0]?.at ?? 0)).toBeGreaterThan(200);

    const duplicate = reportsOf('+6590001004');
    expect(duplicate).toHaveLength(2);
    expect(duplicate[1]?.body).toBe(duplicate[0]?.body);
    expect(fields(duplicate[0] as Received).status).toBe('DELIVRD');

    const [first, late] = reportsOf('+6590001005').map(fields);
    expect(statuses('+6590001005')).toEqual(['DELIVRD 1/1', 'ACCEPTD 1/1']);
    expect((late?.updateTime ?? '') < (first?.updateTime ?? '')).toBe(true);

    const slow = reportsOf('+6590001006');
    expect(statuses('+6590001006')).toEqual(['DELIVRD 1/1']);
    expect(slow[0]?.at ?? 0).toBeGreaterThanOrEqual(sentAt + 5 * 50 - 10);
    expect(slow[0]?.at ?? 0).toBeGreaterThan(reportsOf('+6591234567')[0]?.at ?? Infinity);

    expect(reportsOf('+6590001007')).toHaveLength(0);

    expect(statuses('+6590001008')).toEqual(['DELIVRD 1/2', 'UNDELIV 2/2']);

    const [rejected] = reportsOf('+6590001009').map(fields);
    expect(rejected).toMatchObject({ status: 'REJECTD', total: '1', sequence: '1' });
    expect(rejected?.orgCode).not.toBe('000');

    expect(received).toHaveLength(13);
  });
});

describe('sandbox report variants', () => {
  it('pushes each status with the source, updateTime and orgCode Huawei gives it', async () => {
    const sandbox = await sandboxWith();
    const numbers = Array.from({ length: 8 }, (_, i) => `+65900010${10 + i}`);
    const ids = await send(sandbox, numbers, { statusCallback: callback() });
    await sandbox.idle();
    expect(received).toHaveLength(8);
    const seen = numbers.map((number) => {
      const report = received.map(fields).find((f) => f.smsMsgId === ids.get(number)) ?? {};
      return [number, report.status, report.source, report.orgCode, 'updateTime' in report];
    });
    expect(seen).toEqual([
      ['+6590001010', 'RTE_ERR', '2', 'E200027', true],
      ['+6590001011', 'MILIMIT', '2', 'MILIMIT', true],
      ['+6590001012', 'BLACK', '2', 'BLACK', true],
      ['+6590001013', 'MBBLACK', '2', 'MBBLACK', true],
      ['+6590001014', 'DELETED', '2', 'DELETED', true],
      ['+6590001015', 'UNKNOWN', '2', 'UNKNOWN', true],
      ['+6590001016', 'E200027', '3', undefined, false],
      ['+6590001017', 'EXPIRED', '1', undefined, false],
    ]);
  });

  it('leaves orgCode out of the reports of a Chinese mainland number', async () => {
    const sandbox = await sandboxWith();
    await send(sandbox, ['+8615123456789'], { statusCallback: callback() });
    await sandbox.idle();
    expect(keys(received[0] as Received).sort()).toEqual(
      ['sequence', 'smsMsgId', 'source', 'status', 'total', 'updateTime'].sort(),
    );
  });

  it('accepts +6590000997 and pushes its report, but never answers the submit', async () => {
    const sandbox = await sandboxWith();
    const body = form({ to: '+6590000997,+6591234567', statusCallback: callback() });
    const submit = sendSigned(sandbox.url, body, { signal: AbortSignal.timeout(400) });
    await expect(submit).rejects.toThrow();
    await sandbox.idle();
    expect(sandbox.requests).toHaveLength(1);
    expect(sandbox.requests[0]?.response).toBeUndefined();
    const accepted = [...sandbox.messages.values()];
    expect(accepted.map((m) => m.to)).toEqual(['+6590000997', '+6591234567']);
    expect(received.map(fields).map((f) => [f.smsMsgId, f.status])).toEqual(
      expect.arrayContaining(accepted.map((m) => [m.smsMsgId, 'DELIVRD'])),
    );
    expect(received).toHaveLength(2);
  });
});

describe('sandbox push retries', () => {
  it('retries a push answered 500, then stops at 200', async () => {
    failNext = 2;
    const sandbox = await sandboxWith();
    await send(sandbox, ['+6591234567'], { statusCallback: callback() });
    await sandbox.idle();
    expect(received).toHaveLength(3);
    expect(new Set(received.map((r) => r.body)).size).toBe(1);
    expect(sandbox.pushes.map((p) => [p.attempt, p.status])).toEqual([
      [1, 500],
      [2, 500],
      [3, 200],
    ]);
    // 20 ms, then 40 ms: the delay doubles.
    expect((received[2]?.at ?? 0) - (received[1]?.at ?? 0)).toBeGreaterThanOrEqual(35);
  });

  it('gives up after pushRetries and logs it', async () => {
    failNext = 10;
    const sandbox = await sandboxWith({ pushRetries: 2 });
    await send(sandbox, ['+6591234567'], { statusCallback: callback('?token=secret') });
    await sandbox.idle();
    expect(received).toHaveLength(3);
    expect(sandbox.pushes.map((p) => p.status)).toEqual([500, 500, 500]);
    expect(logs.some((line) => line.includes('giving up'))).toBe(true);
    expect(logs.join('\n')).not.toContain('secret');
    expect(logs.join('\n')).not.toContain('+6591234567');
  });

  it('retries when the callback refuses connections, recording the error', async () => {
    const closed = createServer();
    closed.listen(0, '127.0.0.1');
    await once(closed, 'listening');
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const sandbox = await sandboxWith({ pushRetries: 1 });
    await send(sandbox, ['+6591234567'], { statusCallback: `http://127.0.0.1:${port}/cb` });
    await sandbox.idle();
    expect(sandbox.pushes).toHaveLength(2);
    for (const attempt of sandbox.pushes) {
      expect(attempt.status).toBeUndefined();
      expect(attempt.error).toMatch(/ECONNREFUSED/);
    }
  });
});

describe('sandbox batch reports', () => {
  it('batches reports of messages without statusCallback to reportUrl, at most 50 per push', async () => {
    const sandbox = await sandboxWith({ reportUrl: `${origin}/batch`, pushKey: PUSH_KEY });
    const numbers = Array.from({ length: 120 }, (_, i) => `+6591${String(i).padStart(6, '0')}`);
    const ids = await send(sandbox, numbers);
    await sandbox.idle();
    expect(received.length).toBeGreaterThanOrEqual(3);
    const reports: Array<Record<string, string>> = [];
    for (const push of received) {
      expect(push.path).toBe('/batch');
      expect(push.headers['content-type']).toBe('application/json');
      expect(verify(wire(push)).ok).toBe(true);
      const parsed = JSON.parse(push.body) as { statusReportList: Array<Record<string, string>> };
      expect(Object.keys(parsed)).toEqual(['statusReportList']);
      expect(parsed.statusReportList.length).toBeLessThanOrEqual(MAX_BATCH);
      reports.push(...parsed.statusReportList);
    }
    expect(reports).toHaveLength(120);
    expect(new Set(reports.map((r) => r.smsMsgId))).toEqual(new Set(ids.values()));
    for (const report of reports) {
      expect(report).toMatchObject({ status: 'DELIVRD', source: '2', total: '1', sequence: '1' });
      expect(report.updateTime).toMatch(UPDATE_TIME);
    }
    expect(sandbox.pushes.flatMap((p) => p.smsMsgIds).sort()).toEqual([...ids.values()].sort());
  });

  it('prefers statusCallback over reportUrl', async () => {
    const sandbox = await sandboxWith({ reportUrl: `${origin}/batch` });
    await send(sandbox, ['+6591234567'], { statusCallback: callback() });
    await sandbox.idle();
    expect(received.map((r) => r.path)).toEqual(['/callback']);
  });

  it('puts a two-part message in the batch as two reports', async () => {
    const sandbox = await sandboxWith({ reportUrl: `${origin}/batch` });
    await send(sandbox, ['+6590001003']);
    await sandbox.idle();
    const reports = received.flatMap(
      (r) =>
        (JSON.parse(r.body) as { statusReportList: Array<Record<string, string>> })
          .statusReportList,
    );
    expect(reports.map((r) => `${r.sequence}/${r.total}`).sort()).toEqual(['1/2', '2/2']);
  });
});

describe('sandbox push lifecycle', () => {
  it('idle() resolves at once when nothing is scheduled', async () => {
    const sandbox = await sandboxWith();
    await sandbox.idle();
    expect(sandbox.pushes).toHaveLength(0);
  });

  it('reset() cancels scheduled pushes', async () => {
    const sandbox = await sandboxWith({ deliveryDelayMs: 100 });
    await send(sandbox, ['+6591234567'], { statusCallback: callback() });
    sandbox.reset();
    await sandbox.idle();
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(received).toHaveLength(0);
    expect(sandbox.pushes).toHaveLength(0);
  });

  it('close() returns promptly with pushes scheduled, and releases idle() waiters', async () => {
    const sandbox = await startSandbox({ deliveryDelayMs: 10_000 });
    await send(sandbox, ['+6591234567', '+6590001006'], { statusCallback: callback() });
    const idle = sandbox.idle();
    const startedAt = performance.now();
    await sandbox.close();
    await idle;
    expect(performance.now() - startedAt).toBeLessThan(500);
    expect(received).toHaveLength(0);
  });

  it('close() cancels a push in flight to a callback that never answers', async () => {
    const silent = createServer(() => {});
    silent.listen(0, '127.0.0.1');
    await once(silent, 'listening');
    const port = (silent.address() as AddressInfo).port;
    const sandbox = await startSandbox({ deliveryDelayMs: 0 });
    await send(sandbox, ['+6591234567'], { statusCallback: `http://127.0.0.1:${port}/cb` });
    while (sandbox.pushes.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    const startedAt = performance.now();
    await sandbox.close();
    expect(performance.now() - startedAt).toBeLessThan(500);
    expect(sandbox.pushes[0]?.error).toBe('cancelled');
    silent.closeAllConnections();
    await new Promise<void>((resolve) => silent.close(() => resolve()));
  });
});

describe('pushUplink', () => {
  it('posts a signed form-urlencoded uplink', async () => {
    const result = await pushUplink({
      url: `${origin}/uplink?token=u`,
      from: '+6591234567',
      to: LOCAL_SENDER,
      body: 'STOP',
      pushKey: PUSH_KEY,
    });
    expect(result.status).toBe(200);
    const [push] = received as [Received];
    expect(push.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(verify(wire(push)).ok).toBe(true);
    expect(keys(push)).toEqual(['smsMsgId', 'from', 'to', 'body', 'createTime']);
    expect(fields(push)).toMatchObject({
      smsMsgId: result.smsMsgId,
      from: '+6591234567',
      to: LOCAL_SENDER,
      body: 'STOP',
    });
    expect(fields(push).createTime).toMatch(UPDATE_TIME);
    expect(push.body).toBe(result.sent.body);
  });

  it('sends unsigned without a push key, and rejects when nothing answers', async () => {
    await pushUplink({ url: `${origin}/uplink`, from: '+6591234567', to: LOCAL_SENDER, body: 'R' });
    expect(received[0]?.headers.authorization).toBeUndefined();
    await expect(
      pushUplink({ url: 'http://127.0.0.1:1/x', from: '+6591234567', to: 'c', body: 'R' }),
    ).rejects.toThrow(/uplink push failed/);
  });
});
