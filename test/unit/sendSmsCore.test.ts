import { describe, expect, it } from 'vitest';
import { sendSms } from '../../shared/core/sendSms.ts';
import { ProviderError } from '../../shared/errors.ts';
import type { OutboundSms, RecipientOutcome, SmsProvider } from '../../shared/ports/provider.ts';
import type { MessageRecord, MessageStore } from '../../shared/store/types.ts';
import { deadlineIn } from '../../shared/util/deadline.ts';

const log = { info() {}, warn() {}, error() {}, debug() {} };

/** A provider that accepts everyone, or does what `fail` says; it records what it was sent. */
function provider(
  name: string,
  options: { fail?: () => never; carries?: boolean } = {},
): SmsProvider & { sent: OutboundSms[] } {
  const sent: OutboundSms[] = [];
  return {
    name,
    sent,
    check: (_sms, path) =>
      options.carries === false
        ? [{ path: `${path}.templateId`, message: 'missing', code: 'template_not_available' }]
        : [],
    async send(sms) {
      sent.push(sms);
      options.fail?.();
      return sms.to.map(
        (to): RecipientOutcome => ({ to, status: 'accepted', providerMessageId: `${name}-${to}` }),
      );
    },
    planBatch: async (segments) => [[...segments]],
    sendBatch: async () => [],
  };
}

/** A store that keeps each message's latest record, as the table does (a put replaces). */
function store(): MessageStore & { records: MessageRecord[]; writes: MessageRecord[][] } {
  const latest = new Map<string, MessageRecord>();
  const writes: MessageRecord[][] = [];
  return {
    get records() {
      return [...latest.values()];
    },
    writes,
    async recordMessages(batch) {
      writes.push([...batch]);
      // The latest write's order wins (the final write is in request order).
      for (const record of batch) {
        latest.delete(record.messageId);
        latest.set(record.messageId, record);
      }
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

const router = (a: SmsProvider, b: SmsProvider) => ({
  route: (number: string) => (number.startsWith('+86') ? a : b),
});
const request = {
  to: ['+6591234567', '+8613800138000', '+6598765432', '+8613900139000'],
  templateId: 'demo-otp',
  templateParas: ['123456'],
  reference: 'order-42',
};

describe('sendSms routing', () => {
  it('sends each number through the provider it routes to, one request per provider, answers in request order', async () => {
    const alibaba = provider('alibaba');
    const huawei = provider('huawei');
    const s = store();
    const result = await sendSms(
      request,
      { router: router(alibaba, huawei), store: s, log },
      deadlineIn(10_000),
    );
    expect(alibaba.sent.map((m) => m.to)).toEqual([['+8613800138000', '+8613900139000']]);
    expect(huawei.sent.map((m) => m.to)).toEqual([['+6591234567', '+6598765432']]);
    expect(alibaba.sent[0]?.reference).toBe('order-42');
    expect(result.messages.map((m) => m.to)).toEqual(request.to);
    expect(s.records.map((r) => r.provider)).toEqual(['huawei', 'alibaba', 'huawei', 'alibaba']);
  });

  it('refuses the whole request before sending anything when a routed provider lacks the template', async () => {
    const alibaba = provider('alibaba', { carries: false });
    const huawei = provider('huawei');
    await expect(
      sendSms(
        request,
        { router: router(alibaba, huawei), store: store(), log },
        deadlineIn(10_000),
      ),
    ).rejects.toMatchObject({
      code: 'template_not_available',
      details: [{ path: 'templateId' }, { path: 'templateId' }].slice(0, 1),
    });
    expect(huawei.sent).toEqual([]);
    expect(alibaba.sent).toEqual([]);
  });

  it('answers per recipient when one provider refuses its whole request and the other accepts', async () => {
    const alibaba = provider('alibaba', {
      fail: () => {
        throw new ProviderError('provider_unavailable', 'down', {
          providerCode: 'ServiceUnavailable',
        });
      },
    });
    const s = store();
    const result = await sendSms(
      request,
      { router: router(alibaba, provider('huawei')), store: s, log },
      deadlineIn(10_000),
    );
    expect(result.messages.map((m) => m.status)).toEqual([
      'accepted',
      'not_sent',
      'accepted',
      'not_sent',
    ]);
    expect(s.records).toHaveLength(4);
  });

  it('throws the refusal, recording nothing, when every provider refused as a whole', async () => {
    const refuse = () => {
      throw new ProviderError('provider_rejected', 'bad key', { providerCode: 'E000102' });
    };
    const s = store();
    await expect(
      sendSms(
        request,
        {
          router: router(
            provider('alibaba', { fail: refuse }),
            provider('huawei', { fail: refuse }),
          ),
          store: s,
          log,
        },
        deadlineIn(10_000),
      ),
    ).rejects.toMatchObject({ code: 'provider_rejected' });
    // The intents written before the calls now say what happened: never sent.
    expect(s.writes[0]?.every((r) => r.status === 'unknown' && r.phase === 'sending')).toBe(true);
    expect(s.records.length).toBe(s.writes[0]?.length);
    expect(s.records.every((r) => r.status === 'not_sent')).toBe(true);
  });

  it('records what one provider sent even when the other failed in a way nobody expected', async () => {
    const s = store();
    const broken = provider('alibaba', {
      fail: () => {
        throw new TypeError('a bug below the client');
      },
    });
    const result = await sendSms(
      request,
      { router: router(broken, provider('huawei')), store: s, log },
      deadlineIn(10_000),
    );
    // The failed part may or may not have gone out: unknown, never resent; the other part stands.
    expect(result.messages.map((m) => m.status)).toEqual([
      'accepted',
      'unknown',
      'accepted',
      'unknown',
    ]);
    expect(s.records).toHaveLength(4);
  });

  it('refuses, before sending anything, a number no route covers', async () => {
    const huawei = provider('huawei');
    await expect(
      sendSms(
        { ...request, to: ['+6591234567', '+8613800138000'] },
        {
          router: { route: (n: string) => (n.startsWith('+65') ? huawei : undefined) },
          store: store(),
          log,
        },
        deadlineIn(10_000),
      ),
    ).rejects.toMatchObject({ code: 'invalid_request', details: [{ path: 'to[1]' }] });
    expect(huawei.sent).toEqual([]);
  });

  it('records everything and answers 504 when a provider may have taken its request', async () => {
    const s = store();
    const timeout = () => {
      throw new ProviderError('provider_timeout', 'no answer', { outcome: 'unknown' });
    };
    const unavailable = () => {
      throw new ProviderError('provider_unavailable', 'down');
    };
    await expect(
      sendSms(
        request,
        {
          router: router(
            provider('alibaba', { fail: timeout }),
            provider('huawei', { fail: unavailable }),
          ),
          store: s,
          log,
        },
        deadlineIn(10_000),
      ),
    ).rejects.toMatchObject({ code: 'provider_timeout' });
    expect(s.records.map((r) => r.status)).toEqual(['not_sent', 'unknown', 'not_sent', 'unknown']);
  });
});
