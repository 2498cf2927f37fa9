import { describe, expect, it, vi } from 'vitest';
import { applyOptOut } from '../../shared/core/applyOptOut.ts';
import { receivePush } from '../../shared/core/receivePush.ts';
import { StoreError } from '../../shared/errors.ts';
import type { InboundMessage, PushReceiver } from '../../shared/ports/push.ts';
import type { OptOutStore } from '../../shared/store/optOuts.ts';
import type { MessageStore } from '../../shared/store/types.ts';

const log = { info: vi.fn(), warn: vi.fn(), error: vi.fn(), debug: vi.fn() };
const receivedAt = new Date('2026-11-22T10:00:00.000Z');

function fakeOptOuts(): OptOutStore & { calls: unknown[][] } {
  const calls: unknown[][] = [];
  return {
    calls,
    optedOut: async () => new Set(),
    get: async () => undefined,
    put: async (...args) => {
      calls.push(['put', ...args]);
      return { changed: true };
    },
    remove: async (...args) => {
      calls.push(['remove', ...args]);
      return true;
    },
  };
}

function reply(body: string, extra: Partial<InboundMessage> = {}): InboundMessage {
  return {
    provider: 'huawei',
    providerMessageId: 'mo-1',
    from: '+6591234567',
    to: '1069000',
    body,
    createdAt: '2026-11-22T09:59:58.000Z',
    ...extra,
  };
}

describe('applying a reply keyword', () => {
  it('opts the sender out from the time the reply was written, naming the provider', async () => {
    const optOuts = fakeOptOuts();
    await applyOptOut(reply(' stop '), receivedAt, { optOuts, log });
    expect(optOuts.calls).toEqual([
      ['put', '+6591234567', { since: '2026-11-22T09:59:58.000Z', source: 'reply:huawei' }],
    ]);
  });

  it('opts back in only over an opt-out dated no later than the START', async () => {
    const optOuts = fakeOptOuts();
    await applyOptOut(reply('Start'), receivedAt, { optOuts, log });
    expect(optOuts.calls).toEqual([
      ['remove', '+6591234567', { notAfter: '2026-11-22T09:59:58.000Z' }],
    ]);
  });

  it('adds the + a gateway dropped', async () => {
    const optOuts = fakeOptOuts();
    await applyOptOut(reply('STOP', { from: '6591234567' }), receivedAt, { optOuts, log });
    expect(optOuts.calls[0]?.[1]).toBe('+6591234567');
  });

  it.each([
    ['no time', undefined],
    ['an unreadable time', 'yesterday'],
    ['a time ahead of its arrival', '2026-11-22T10:05:00.000Z'],
    ['a time far in the past', '1970-01-01T00:00:00.000Z'],
  ])('dates a reply with %s by its arrival', async (_what, createdAt) => {
    const optOuts = fakeOptOuts();
    await applyOptOut(reply('STOP', { createdAt }), receivedAt, { optOuts, log });
    expect(optOuts.calls[0]?.[2]).toMatchObject({ since: receivedAt.toISOString() });
  });

  it('ignores replies without a keyword', async () => {
    const optOuts = fakeOptOuts();
    await applyOptOut(reply('stop please'), receivedAt, { optOuts, log });
    expect(optOuts.calls).toEqual([]);
  });

  it('skips a sender that is not an E.164 number, logging it masked', async () => {
    const optOuts = fakeOptOuts();
    log.warn.mockClear();
    await applyOptOut(reply('STOP', { from: '09123456789' }), receivedAt, { optOuts, log });
    expect(optOuts.calls).toEqual([]);
    expect(log.warn).toHaveBeenCalledTimes(1);
    expect(JSON.stringify(log.warn.mock.calls)).not.toContain('09123456789');
  });
});

describe('receivePush with opt-outs', () => {
  const receiver = (inbound: InboundMessage[]): PushReceiver => ({
    provider: 'huawei',
    path: '/',
    authenticate: async () => ({ ok: true, by: 'app' }),
    parse: () => ({ reports: [], invalid: [], inbound }),
    acknowledge: (result) => ({ status: 200, body: JSON.stringify(result) }),
  });
  const store = (changed: boolean): MessageStore => ({
    recordMessages: async () => {},
    applyReport: async () => ({ changed: true }),
    applyReports: async (reports) => reports.map(() => ({ changed: true })),
    getMessage: async () => ({}),
    recordInbound: async () => ({ changed }),
    listDue: async () => ({ messageIds: [] }),
    discardMessages: async () => {},
    scheduleCheck: async () => {},
  });
  const request = { method: 'POST', path: '/', query: '', headers: {}, body: new Uint8Array() };

  it('applies a STOP after storing the reply', async () => {
    const optOuts = fakeOptOuts();
    const answer = await receivePush(request, {
      receivers: [receiver([reply('STOP')])],
      store: store(true),
      optOuts,
      log,
      now: () => receivedAt,
    });
    expect(answer.status).toBe(200);
    expect(optOuts.calls.map((call) => call[0])).toEqual(['put']);
  });

  it('applies the keyword of a reply already stored (a push retried after a failure)', async () => {
    const optOuts = fakeOptOuts();
    await receivePush(request, {
      receivers: [receiver([reply('STOP')])],
      store: store(false),
      optOuts,
      log,
    });
    expect(optOuts.calls.map((call) => call[0])).toEqual(['put']);
  });

  it('only stores replies when no opt-out store is given', async () => {
    const answer = await receivePush(request, {
      receivers: [receiver([reply('STOP')])],
      store: store(true),
      log,
    });
    expect(JSON.parse(answer.body)).toEqual({ received: 1, changed: 1 });
  });

  it('answers 503 when the opt-out cannot be stored, so the provider pushes again', async () => {
    const optOuts = fakeOptOuts();
    optOuts.put = async () => {
      throw new StoreError('down');
    };
    await expect(
      receivePush(request, {
        receivers: [receiver([reply('STOP')])],
        store: store(true),
        optOuts,
        log,
      }),
    ).rejects.toMatchObject({ code: 'store_unavailable' });
  });
});
