import { describe, expect, it } from 'vitest';
import { sendBatch } from '../../shared/core/sendBatch.ts';
import { ProviderError } from '../../shared/errors.ts';
import { planHuaweiBatch } from '../../shared/huawei/batchPlan.ts';
import type { Segment, SmsProvider } from '../../shared/ports/provider.ts';
import type { MessageRecord, MessageStore } from '../../shared/store/types.ts';
import { deadlineIn } from '../../shared/util/deadline.ts';

const log = { info() {}, warn() {}, error() {}, debug() {} };
const numbers = (count: number, prefix: string) =>
  Array.from({ length: count }, (_, i) => `${prefix}${String(i).padStart(6, '0')}`);

/** A provider whose n-th request (1-based) does what `script` says; the others accept everyone. */
function provider(script: Record<number, () => never>): SmsProvider & { requests: Segment[][] } {
  const requests: Segment[][] = [];
  return {
    name: 'stub',
    requests,
    check: () => [],
    send: async () => [],
    // Huawei's limits: three groups that each fill most of one body go in three requests.
    planBatch: async (segments) => planHuaweiBatch(segments, undefined, undefined),
    async sendBatch(groups) {
      requests.push([...groups]);
      script[requests.length]?.();
      return groups.map((group) =>
        group.to.map((to, i) => ({
          to,
          status: 'accepted' as const,
          providerMessageId: `${to}_${i}`,
        })),
      );
    },
  };
}

function memoryStore(
  failOn: (records: readonly MessageRecord[]) => boolean = () => false,
): MessageStore & { records: MessageRecord[] } {
  // The latest record of each message, as the table keeps it (a put replaces).
  const latest = new Map<string, MessageRecord>();
  return {
    get records() {
      return [...latest.values()];
    },
    async recordMessages(batch) {
      if (failOn(batch)) throw Object.assign(new Error('down'), { name: 'StoreError' });
      for (const record of batch) latest.set(record.messageId, record);
    },
    applyReport: async () => ({ changed: false }),
    applyReports: async (reports) => reports.map(() => ({ changed: false })),
    getMessage: async () => ({}),
    recordInbound: async () => ({ changed: false }),
    listDue: async () => ({ messageIds: [] }),
    discardMessages: async () => {},
    scheduleCheck: async () => {},
  };
}

// Three requests: each group fills most of one body (48 KiB), so no two share a request.
const request = {
  messages: [
    { to: numbers(3_300, '+6591'), templateId: 'a' },
    { to: numbers(3_300, '+6592'), templateId: 'b' },
    { to: numbers(3_300, '+6593'), templateId: 'c' },
  ],
};
const deps = (p: SmsProvider, store: MessageStore) => ({
  router: { route: () => p },
  store,
  log,
  concurrency: 1,
});

describe('sendBatch', () => {
  it('marks the recipients of a request that failed for an unexpected reason unknown, and goes on', async () => {
    const p = provider({
      2: () => {
        throw new TypeError('socket exploded');
      },
    });
    const result = await sendBatch(request, deps(p, memoryStore()), deadlineIn(30_000));
    expect(p.requests).toHaveLength(3);
    expect(result.groups.map((g) => new Set(g.messages.map((m) => m.status)))).toEqual([
      new Set(['accepted']),
      new Set(['unknown']),
      new Set(['accepted']),
    ]);
    expect(result.counts).toEqual({ accepted: 6_600, rejected: 0, unknown: 3_300, not_sent: 0 });
  });

  it.each([
    [
      'rejected',
      new ProviderError('provider_rejected', 'bad key', { providerCode: 'E000102' }),
      'E000102',
    ],
    [
      'not_sent',
      new ProviderError('provider_unavailable', 'down', { providerCode: 'APIG.0202' }),
      'APIG.0202',
    ],
    [
      'unknown',
      new ProviderError('provider_timeout', 'no answer', { outcome: 'unknown' }),
      undefined,
    ],
  ])(
    'maps a whole-request provider failure to %s for its recipients only',
    async (status, error, code) => {
      const p = provider({
        1: () => {
          throw error;
        },
      });
      const result = await sendBatch(request, deps(p, memoryStore()), deadlineIn(30_000));
      const first = result.groups[0]?.messages[0];
      expect(first?.status).toBe(status);
      if (code) expect(first).toMatchObject({ error: { code } });
      expect(result.groups[1]?.messages.every((m) => m.status === 'accepted')).toBe(true);
    },
  );

  it('answers every result even when some could not be recorded, and names those', async () => {
    // The intents go in; the outcomes of group b do not.
    const store = memoryStore((batch) =>
      batch.some((r) => r.templateId === 'b' && r.phase !== 'sending'),
    );
    const result = await sendBatch(request, deps(provider({}), store), deadlineIn(30_000));
    expect(result.counts.accepted).toBe(9_900);
    expect(result.notRecorded).toHaveLength(3_300);
    expect(new Set(result.notRecorded)).toEqual(
      new Set(result.groups[1]?.messages.map((m) => m.messageId)),
    );
    // Every message has a record: group b's still read as their intents, `unknown`.
    expect(store.records).toHaveLength(9_900);
    const b = new Set(result.notRecorded);
    expect(
      store.records.filter((r) => b.has(r.messageId)).every((r) => r.status === 'unknown'),
    ).toBe(true);
  });

  it('sends nothing of a request whose intents could not be recorded: not_sent, safe to resend', async () => {
    const store = memoryStore((batch) =>
      batch.some((r) => r.templateId === 'b' && r.phase === 'sending'),
    );
    const stub = provider({});
    const result = await sendBatch(request, deps(stub, store), deadlineIn(30_000));
    const sent = stub.requests.flat().flatMap((segment) => segment.to);
    expect(result.counts).toMatchObject({ accepted: 6_600, not_sent: 3_300 });
    expect(result.groups[1]?.messages.every((m) => m.status === 'not_sent')).toBe(true);
    expect(sent.some((to) => to.startsWith('+6592'))).toBe(false);
    expect(result.requests).toBe(2);
  });

  it('records the requests it had no time to start in one write, after the loop', async () => {
    const store = memoryStore();
    const writes: number[] = [];
    const counting = {
      ...store,
      async recordMessages(batch: readonly MessageRecord[]) {
        writes.push(batch.length);
        await store.recordMessages(batch);
      },
    };
    const stub = provider({});
    const result = await sendBatch(
      request,
      deps(stub, counting),
      deadlineIn(0),
      deadlineIn(30_000),
    );
    expect(stub.requests).toHaveLength(0);
    expect(result.counts).toMatchObject({ accepted: 0, not_sent: 9_900 });
    expect(writes).toEqual([9_900]);
    expect(store.records.every((r) => r.status === 'not_sent')).toBe(true);
    expect(result.notRecorded).toEqual([]);
  });

  it('answers before its answer deadline when those records are slow to write, and names them', async () => {
    const store = memoryStore();
    const hanging = { ...store, recordMessages: () => new Promise<void>(() => {}) };
    const started = Date.now();
    const result = await sendBatch(
      request,
      deps(provider({}), hanging),
      deadlineIn(0),
      deadlineIn(50),
    );
    // Not a timing test: without the answer deadline the call would never return.
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(result.counts.not_sent).toBe(9_900);
    expect(new Set(result.notRecorded)).toEqual(
      new Set(result.groups.flatMap((g) => g.messages.map((m) => m.messageId))),
    );
  });
});
