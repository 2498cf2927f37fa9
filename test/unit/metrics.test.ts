import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { finalAt, timeDelivery } from '../../shared/core/deliveryLatency.ts';
import { receivePush } from '../../shared/core/receivePush.ts';
import { countryOf, countSubmitted } from '../../shared/core/submitMetrics.ts';
import type { DeliveryState } from '../../shared/delivery/state.ts';
import { flushMetrics, metrics } from '../../shared/deps/metrics.ts';
import { AppError } from '../../shared/errors.ts';
import type { Dimensions, MetricsPort } from '../../shared/ports/metrics.ts';
import type { Push, PushReceiver } from '../../shared/ports/push.ts';
import type { MessageRecord, MessageStore } from '../../shared/store/types.ts';

/** What `run` printed on stdout as EMF documents. */
function printed(
  run: () => void,
): Array<
  Record<string, unknown> & { _aws: { CloudWatchMetrics: Array<{ Dimensions: string[][] }> } }
> {
  const chunks: string[] = [];
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    chunks.push(String(chunk));
    return true;
  });
  try {
    run();
  } finally {
    spy.mockRestore();
  }
  return chunks
    .join('')
    .split('\n')
    .filter((line) => line.includes('"_aws"'))
    .map((line) => JSON.parse(line));
}

/** A port that remembers what it was told. */
function recorder() {
  const calls: Array<{ name: string; value: number; sets: Dimensions[] }> = [];
  const port: MetricsPort = {
    count: (name, value, ...sets) => calls.push({ name, value, sets }),
    duration: (name, value, ...sets) => calls.push({ name, value, sets }),
  };
  return { port, calls };
}

afterEach(() => vi.restoreAllMocks());

describe('the Powertools metrics adapter', () => {
  it('prints nothing (not even a warning) for an invocation that counted nothing', () => {
    const warn = vi.spyOn(console, 'warn');
    expect(printed(flushMetrics)).toEqual([]);
    expect(warn).not.toHaveBeenCalled();
  });

  it('sums counts per metric and dimension values, one document each, then starts afresh', () => {
    const docs = printed(() => {
      metrics.count('ReportsIngested', 2, { provider: 'huawei' });
      metrics.count('ReportsIngested', 3, { provider: 'huawei' });
      metrics.count('ReportsIngested', 1, { provider: 'alibaba' });
      flushMetrics();
    });
    expect(docs.map(({ _aws, ...fields }) => fields)).toEqual([
      { service: 'sms-relay', provider: 'huawei', ReportsIngested: 5 },
      { service: 'sms-relay', provider: 'alibaba', ReportsIngested: 1 },
    ]);
    expect(printed(flushMetrics)).toEqual([]);
  });

  it('keeps every duration as a data point, at most 100 per document, under each dimension set', () => {
    const docs = printed(() => {
      for (let i = 0; i < 250; i++)
        metrics.duration(
          'DeliveryLatency',
          i,
          { provider: 'huawei', status: 'delivered' },
          { status: 'delivered' },
        );
      flushMetrics();
    });
    expect(
      docs.map((doc) => [
        doc._aws.CloudWatchMetrics[0]?.Dimensions,
        (doc.DeliveryLatency as number[]).length,
      ]),
    ).toEqual([
      [[['service', 'provider', 'status']], 100],
      [[['service', 'provider', 'status']], 100],
      [[['service', 'provider', 'status']], 50],
      [[['service', 'status']], 100],
      [[['service', 'status']], 100],
      [[['service', 'status']], 50],
    ]);
    expect(docs.slice(0, 3).flatMap((doc) => doc.DeliveryLatency as number[])).toEqual(
      Array.from({ length: 250 }, (_, i) => i),
    );
  });

  it('never throws from a flush: what Powertools refuses is logged and dropped, the rest published', () => {
    const tooMany = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`d${i}`, 'x']));
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const docs = printed(() => {
      metrics.count('ProviderErrors', 1, tooMany);
      metrics.count('ReportsRefused', 1, { reason: 'invalid' });
      expect(() => flushMetrics()).not.toThrow();
    });
    expect(docs.map(({ _aws, ...fields }) => fields)).toEqual([
      { service: 'sms-relay', reason: 'invalid', ReportsRefused: 1 },
    ]);
    expect(String(stderr.mock.calls[0]?.[0])).toContain('metric not published');
  });
});

describe('countryOf', () => {
  it.each([
    ['+6591234567', 'SG'],
    ['+8613800138000', 'CN'],
    ['+85261234567', 'HK'],
    ['+12015550123', 'US'],
    ['+15062345678', 'CA'],
    ['+447400123456', 'GB'],
    ['+79123456789', 'RU'],
    ['+77012345678', 'KZ'],
    ['+80012345678', 'ZZ'],
    ['+88161234567', 'ZZ'],
  ])('%s is %s', (number, country) => {
    expect(countryOf(number)).toBe(country);
  });
});

const record = (fields: Partial<MessageRecord>): MessageRecord => ({
  messageId: 'm',
  to: '+6591234567',
  templateId: 't',
  provider: 'huawei',
  status: 'accepted',
  submittedAt: '2026-12-01T00:00:00.000Z',
  ...fields,
});

describe('countSubmitted', () => {
  it('counts records by provider and status, and by country', () => {
    const { port, calls } = recorder();
    countSubmitted(port, [
      record({}),
      record({ to: '+6598765432' }),
      record({ to: '+8613800138000', provider: 'alibaba' }),
      record({ to: 'nonsense', provider: 'none', status: 'rejected' }),
    ]);
    expect(calls).toEqual([
      {
        name: 'MessagesSubmitted',
        value: 2,
        sets: [{ provider: 'huawei', status: 'accepted' }, { country: 'SG' }],
      },
      {
        name: 'MessagesSubmitted',
        value: 1,
        sets: [{ provider: 'alibaba', status: 'accepted' }, { country: 'CN' }],
      },
      {
        name: 'MessagesSubmitted',
        value: 1,
        sets: [{ provider: 'none', status: 'rejected' }, { country: 'ZZ' }],
      },
    ]);
  });
});

describe('delivery latency', () => {
  const part = (status: DeliveryState['status'], at: string) => ({
    status,
    providerStatus: 'x',
    at,
  });
  const state = (
    status: DeliveryState['status'],
    parts: DeliveryState['parts'],
  ): DeliveryState => ({
    status,
    providerStatus: 'x',
    total: Object.keys(parts).length,
    parts,
    history: [],
    seen: [],
    updatedAt: '2026-12-01T00:09:00.000Z',
  });

  it('a delivered message is final when its last part is delivered', () => {
    expect(
      finalAt(
        state('delivered', {
          '1': part('delivered', '2026-12-01T00:00:05.000Z'),
          '2': part('delivered', '2026-12-01T00:00:07.000Z'),
        }),
      ),
    ).toBe('2026-12-01T00:00:07.000Z');
  });

  it('a failed message is final when its first part fails', () => {
    expect(
      finalAt(
        state('failed', {
          '1': part('failed', '2026-12-01T00:00:09.000Z'),
          '2': part('failed', '2026-12-01T00:00:04.000Z'),
          '3': part('accepted', '2026-12-01T00:00:01.000Z'),
        }),
      ),
    ).toBe('2026-12-01T00:00:04.000Z');
  });

  it('times accepted messages only, by provider and status and by status, never below 0', () => {
    const { port, calls } = recorder();
    timeDelivery(port, record({}), 'delivered', '2026-12-01T00:00:03.500Z');
    timeDelivery(port, record({}), 'delivered', '2026-11-30T23:59:59.000Z');
    timeDelivery(port, record({ status: 'unknown' }), 'delivered', '2026-12-01T00:00:03.000Z');
    timeDelivery(port, record({}), 'failed', undefined);
    expect(calls).toEqual([
      {
        name: 'DeliveryLatency',
        value: 3_500,
        sets: [{ provider: 'huawei', status: 'delivered' }, { status: 'delivered' }],
      },
      {
        name: 'DeliveryLatency',
        value: 0,
        sets: [{ provider: 'huawei', status: 'delivered' }, { status: 'delivered' }],
      },
    ]);
  });
});

describe('receivePush counts', () => {
  const silent = { info() {}, warn() {}, error() {}, debug() {} };
  const store = {
    applyReport: async () => ({ changed: true }),
    applyReports: async (reports: readonly unknown[]) => reports.map(() => ({ changed: true })),
    recordInbound: async () => ({ changed: true }),
  } as unknown as MessageStore;
  const report = {
    provider: 'p',
    providerMessageId: 'x',
    trackingId: 'x',
    providerStatus: 'DELIVRD',
    status: 'delivered' as const,
    total: 1,
    sequence: 1,
  };
  const receiver = (parse: () => Push, ok = true): PushReceiver => ({
    provider: 'p',
    path: '/',
    authenticate: async () => (ok ? { ok: true, by: 'signature' } : { ok: false, reason: 'no' }),
    parse,
    acknowledge: () => ({ status: 200, body: '{}' }),
  });
  const push = { method: 'POST', path: '/', query: '', headers: {}, body: new Uint8Array() };
  const run = async (r: PushReceiver) => {
    const { port, calls } = recorder();
    await receivePush(push, { receivers: [r], store, log: silent, metrics: port }).catch(() => {});
    return calls.map(({ name, value, sets }) => [name, value, ...sets]);
  };

  it('counts the stored reports by provider', async () => {
    expect(
      await run(receiver(() => ({ reports: [report, report], inbound: [], invalid: [] }))),
    ).toEqual([['ReportsIngested', 2, { provider: 'p' }]]);
  });

  it('counts one refusal per push: unauthenticated, unreadable, or with invalid entries', async () => {
    const never = () => {
      throw new Error('not parsed');
    };
    expect(await run(receiver(never, false))).toEqual([
      ['ReportsRefused', 1, { reason: 'unauthorized' }],
    ]);
    const unreadable = () => {
      throw new AppError('invalid_request', 'not a push');
    };
    expect(await run(receiver(unreadable))).toEqual([['ReportsRefused', 1, { reason: 'invalid' }]]);
    const someInvalid = () => ({
      reports: [report],
      inbound: [],
      invalid: [
        { path: 'a', message: 'bad' },
        { path: 'b', message: 'bad' },
      ],
    });
    expect(await run(receiver(someInvalid))).toEqual([
      ['ReportsIngested', 1, { provider: 'p' }],
      ['ReportsRefused', 1, { reason: 'invalid' }],
    ]);
  });
});

describe('the core and the ports', () => {
  const ROOT = resolve(import.meta.dirname, '../..');
  const sources = (dir: string) =>
    readdirSync(join(ROOT, dir))
      .filter((name) => name.endsWith('.ts'))
      .map((name) => [`${dir}/${name}`, readFileSync(join(ROOT, dir, name), 'utf8')] as const);

  it('import no Powertools: metrics reach them through the port, logs through the Log type', () => {
    const offending = [...sources('shared/core'), ...sources('shared/ports')].flatMap(
      ([file, text]) => [
        ...[...text.matchAll(/from\s+'(@aws-lambda-powertools\/[^']+)'/g)].map(
          (m) => `${file} -> ${m[1]}`,
        ),
        // The logger module builds the Powertools Logger: only its type may be imported.
        ...[...text.matchAll(/^import\s+(?!type\b)[^;]*from\s+'\.\.\/logger\.ts'/gm)].map(
          () => `${file} -> shared/logger.ts (a value import)`,
        ),
      ],
    );
    expect(offending).toEqual([]);
    // The scanner sees imports (a test that can fail).
    expect(
      sources('shared/deps').some(([, text]) => text.includes("'@aws-lambda-powertools/metrics'")),
    ).toBe(true);
  });
});
