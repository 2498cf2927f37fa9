import type { Handler } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { LOCAL_APP_KEY, LOCAL_APP_SECRET, LOCAL_SENDER } from '../../sandbox/huawei/server.ts';
import { fingerprintOf, ledgerId } from '../../shared/core/idempotency.ts';
import { createDocumentClient } from '../../shared/store/client.ts';
import { createIdempotencyLedger } from '../../shared/store/idempotency.ts';
import { startFaultProxy } from '../helpers/faultProxy.ts';
import { apiEvent, type JsonAnswer, lambdaContext, parseAnswer } from '../helpers/lambda.ts';
import { loadHandler as loadFresh, localEnv, useLocalServices } from '../helpers/localServices.ts';

/*
 * Never twice (SPEC "Idempotency"): one Idempotency-Key, one send, whatever the concurrency,
 * the retries or the faults; the first answer replayed with `Idempotent-Replayed: true`.
 */

const SECRET_ID = 'sms-relay/test/idempotency';
const SECRET = JSON.stringify({
  appKey: LOCAL_APP_KEY,
  appSecret: LOCAL_APP_SECRET,
  sender: LOCAL_SENDER,
});
const local = useLocalServices(
  { table: 'sms-relay-idempotency-test', secrets: { [SECRET_ID]: SECRET } },
  () => {},
);

function load(path: string, env: Record<string, string> = {}): Promise<Handler> {
  return loadFresh(path, localEnv(local.services, { SMS_SECRET_ID: SECRET_ID, ...env }));
}

const BODY = { to: ['+6591230001'], templateId: 'demo-otp', templateParas: ['4821'] };

async function post(
  handler: Handler,
  body: unknown,
  key: string | undefined,
  options: { apiKey?: string; path?: string; remainingMs?: number } = {},
): Promise<JsonAnswer & { headers: Record<string, string> }> {
  const headers: Record<string, string> = {
    'Content-Type': 'application/json',
    'x-api-key': options.apiKey ?? 'test-key',
    ...(key === undefined ? {} : { 'Idempotency-Key': key }),
  };
  const event = apiEvent({ body: JSON.stringify(body), headers, path: options.path ?? '/sms' });
  event.requestContext.identity.apiKeyId = `${options.apiKey ?? 'test-key'}-id`;
  const result = await handler(event, lambdaContext(options.remainingMs ?? 15_000), () => {});
  return { ...parseAnswer(result), headers: result.headers ?? {} };
}

/** Provider requests that carried `number` so far. */
function sentTo(number: string): number {
  return local.services.sandbox.requests.filter(
    (r) => r.body.includes(encodeURIComponent(number)) || r.body.includes(`"${number}"`),
  ).length;
}

describe('POST /sms with Idempotency-Key', () => {
  it('50 concurrent identical requests reach the provider once; the rest replay the first answer or 409', async () => {
    // With the default recipient limit: the duplicates hold the first one's unit, not ten.
    const handler = await load('../../functions/sendSms.ts', { SMS_RECIPIENT_LIMIT: '10/1h' });
    const body = { ...BODY, to: ['+6591230050'] };
    const answers = await Promise.all(
      Array.from({ length: 50 }, () => post(handler, body, 'concurrent-50')),
    );
    expect(sentTo('+6591230050')).toBe(1);
    const first = answers.find((a) => a.statusCode === 202 && !a.headers['idempotent-replayed']);
    expect(first).toBeDefined();
    for (const answer of answers) {
      if (answer.statusCode === 409) {
        expect(answer.body.error?.code).toBe('idempotency_in_progress');
        expect(Number(answer.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      } else {
        expect(answer.statusCode).toBe(202);
        expect(answer.body).toEqual(first?.body);
      }
    }
    // Later: a replay, exactly the first body, marked, nothing sent.
    const later = await post(handler, body, 'concurrent-50');
    expect(later.statusCode).toBe(202);
    expect(later.headers['idempotent-replayed']).toBe('true');
    expect(later.body).toEqual(first?.body);
    expect(sentTo('+6591230050')).toBe(1);
  });

  it('another body under the same key is 422; another caller may use the same key', async () => {
    const handler = await load('../../functions/sendSms.ts');
    const body = { ...BODY, to: ['+6591230051'] };
    expect((await post(handler, body, 'k-422')).statusCode).toBe(202);
    const other = await post(handler, { ...body, templateParas: ['9999'] }, 'k-422');
    expect(other.statusCode).toBe(422);
    expect(other.body.error?.code).toBe('idempotency_conflict');
    // Same body, keys in another order: the same request.
    const reordered = await post(
      handler,
      { templateParas: body.templateParas, templateId: body.templateId, to: body.to },
      'k-422',
    );
    expect(reordered.headers['idempotent-replayed']).toBe('true');
    const otherCaller = await post(handler, body, 'k-422', { apiKey: 'another-key' });
    expect(otherCaller.statusCode).toBe(202);
    expect(otherCaller.headers['idempotent-replayed']).toBeUndefined();
    expect(sentTo('+6591230051')).toBe(2);
  });

  it('refuses a malformed key with 400, naming the header', async () => {
    const handler = await load('../../functions/sendSms.ts');
    for (const key of ['', 'x'.repeat(256), 'tab\there', 'café']) {
      const answer = await post(handler, BODY, key);
      expect(answer.statusCode).toBe(400);
      expect(answer.body.error?.details?.[0]?.path).toBe('headers.Idempotency-Key');
    }
  });

  it('an unknown outcome (504) replays as such and is never sent again', async () => {
    const handler = await load('../../functions/sendSms.ts', { HUAWEI_SMS_TIMEOUT_MS: '1000' });
    const body = { ...BODY, to: ['+6590000999'] };
    const before = sentTo('+6590000999');
    const first = await post(handler, body, 'k-504');
    expect(first.statusCode).toBe(504);
    const again = await post(handler, body, 'k-504');
    expect(again.statusCode).toBe(504);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body).toEqual(first.body);
    expect(sentTo('+6590000999') - before).toBe(1);
  });

  it('an error that sent nothing releases the key: the retry sends', async () => {
    const handler = await load('../../functions/sendSms.ts');
    // +6590005031: 503 the first time a request carries it, then normal answers; the
    // transport's own retries are spent within the first request (503 answered).
    const body = { ...BODY, to: ['+6590005031'] };
    local.services.sandbox.reset();
    const first = await post(handler, body, 'k-503');
    if (first.statusCode === 503) {
      const retry = await post(handler, body, 'k-503');
      expect(retry.statusCode).toBe(202);
      expect(retry.headers['idempotent-replayed']).toBeUndefined();
    } else {
      // The transport retried past the one-time 503 itself: accepted at once.
      expect(first.statusCode).toBe(202);
    }
  });

  it('a store outage before the send: 503 and no provider request; the key is free again', async () => {
    const proxy = await startFaultProxy(local.services.dynamo.endpoint);
    const handler = await load('../../functions/sendSms.ts', {
      AWS_ENDPOINT_URL_DYNAMODB: proxy.url,
    });
    const body = { ...BODY, to: ['+6591230053'] };
    proxy.failNext(100);
    const answer = await post(handler, body, 'k-outage');
    expect(answer.statusCode).toBe(503);
    expect(sentTo('+6591230053')).toBe(0);
    proxy.failNext(0);
    await proxy.close();
    const healthy = await load('../../functions/sendSms.ts');
    const retry = await post(healthy, body, 'k-outage');
    expect(retry.statusCode).toBe(202);
    expect(sentTo('+6591230053')).toBe(1);
  });

  it('a claim left by an attempt that died is answered for, never sent again', async () => {
    const handler = await load('../../functions/sendSms.ts');
    const body = { ...BODY, to: ['+6591230054'] };
    // What a crashed attempt leaves: its claim, its lease over, the ids it had fixed.
    const ledger = createIdempotencyLedger({
      client: createDocumentClient({ endpoint: local.services.dynamo.endpoint }),
      tableName: local.services.table,
    });
    const scope = (await import('node:crypto'))
      .createHash('sha256')
      .update('id:test-key-id', 'utf8')
      .digest('base64url');
    const planned = ['0b0b0b0b-0000-8000-8000-000000000001'];
    const claimed = await ledger.claim({
      id: ledgerId('POST /sms', scope, 'k-crashed'),
      fingerprint: fingerprintOf(body),
      leaseUntil: Date.now() - 1,
      planned,
      now: Date.now(),
    });
    expect(claimed.kind).toBe('claimed');
    const answer = await post(handler, body, 'k-crashed');
    expect(answer.statusCode).toBe(504);
    expect(answer.body.error?.details?.map((d) => d.messageId)).toEqual(planned);
    expect(sentTo('+6591230054')).toBe(0);
    const again = await post(handler, body, 'k-crashed');
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(sentTo('+6591230054')).toBe(0);
  });

  /** A crashed attempt's claim (its lease over) naming `planned`, and its records as it left them. */
  async function deadAttempt(key: string, body: unknown, planned: string[], records: unknown[]) {
    const client = createDocumentClient({ endpoint: local.services.dynamo.endpoint });
    const { createDynamoStore } = await import('../../shared/store/dynamo.ts');
    const store = createDynamoStore({ client, tableName: local.services.table, retentionDays: 1 });
    await store.recordMessages(records as Parameters<typeof store.recordMessages>[0]);
    const ledger = createIdempotencyLedger({ client, tableName: local.services.table });
    const scope = (await import('node:crypto'))
      .createHash('sha256')
      .update('id:test-key-id', 'utf8')
      .digest('base64url');
    const claimed = await ledger.claim({
      id: ledgerId('POST /sms', scope, key),
      fingerprint: fingerprintOf(body),
      leaseUntil: Date.now() - 1,
      planned,
      now: Date.now(),
    });
    expect(claimed.kind).toBe('claimed');
  }
  const recordOf = (messageId: string, to: string, fields: Record<string, unknown>) => ({
    messageId,
    to,
    templateId: 'demo-otp',
    provider: 'huawei',
    correlation: `sr${'0'.repeat(31)}1`,
    submittedAt: new Date().toISOString(),
    ...fields,
  });
  /** `count` ids a dead attempt had fixed, told apart by `group` (1-9). */
  const plannedIds = (group: number, count: number) =>
    Array.from({ length: count }, (_, i) => `0b0b0b0b-0000-8000-8000-0000000000${group}${i + 1}`);
  const acceptedRecord = (messageId: string, to: string, providerMessageId: string) =>
    recordOf(messageId, to, { status: 'accepted', providerMessageId });

  it('a dead attempt that recorded every outcome is answered as it would have answered: 202, replayed, nothing sent', async () => {
    const handler = await load('../../functions/sendSms.ts');
    // A satellite number is refused before any intent: it is not among the planned ids.
    const to = ['+6591230057', '+881612345678', '+6591230058'];
    const body = { ...BODY, to };
    const planned = plannedIds(1, 2);
    await deadAttempt('k-recorded', body, planned, [
      acceptedRecord(planned[0] as string, to[0] as string, 'dead-attempt-1'),
      recordOf(planned[1] as string, to[2] as string, {
        status: 'rejected',
        error: { code: 'opted_out', message: 'the recipient opted out' },
      }),
    ]);
    const answer = await post(handler, body, 'k-recorded');
    expect(answer.statusCode).toBe(202);
    expect(answer.headers['idempotent-replayed']).toBe('true');
    const messages = answer.body.messages ?? [];
    expect(messages.map((m) => [m.to, m.status])).toEqual([
      [to[0], 'accepted'],
      [to[1], 'rejected'],
      [to[2], 'rejected'],
    ]);
    expect(messages[0]?.messageId).toBe(planned[0]);
    expect(messages[1]?.error?.code).toBe('destination_not_allowed');
    expect(messages[2]).toMatchObject({ messageId: planned[1], error: { code: 'opted_out' } });
    // The refused number's entry has a record of its own, as any answered message does.
    const getMessage = await load('../../functions/getMessage.ts');
    const event = apiEvent({
      method: 'GET',
      path: `/sms/${messages[1]?.messageId}`,
      pathParameters: { messageId: messages[1]?.messageId as string },
      headers: { 'x-api-key': 'test-key' },
    });
    const view = parseAnswer(await getMessage(event, lambdaContext(15_000), () => {}));
    expect(view.body).toMatchObject({ status: 'rejected' });
    const again = await post(handler, body, 'k-recorded');
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body).toEqual(answer.body);
    expect(to.map(sentTo)).toEqual([0, 0, 0]);
  });

  it('a dead attempt with one message still unknown is answered 504, each message named with what is known of it', async () => {
    const handler = await load('../../functions/sendSms.ts');
    const to = ['+6591230059', '+6591230060'];
    const body = { ...BODY, to };
    const planned = plannedIds(2, 2);
    await deadAttempt('k-half', body, planned, [
      recordOf(planned[0] as string, to[0] as string, { status: 'unknown', phase: 'sending' }),
      acceptedRecord(planned[1] as string, to[1] as string, 'dead-attempt-2'),
    ]);
    const answer = await post(handler, body, 'k-half');
    expect(answer.statusCode).toBe(504);
    expect(answer.body.error?.code).toBe('provider_timeout');
    expect(answer.body.error?.details).toEqual([
      {
        path: 'to[0]',
        message: 'outcome unknown: an earlier attempt may have sent it; it was not resent',
        messageId: planned[0],
      },
      {
        path: 'to[1]',
        message: 'accepted: recorded by the earlier attempt; not sent again',
        messageId: planned[1],
      },
    ]);
    const again = await post(handler, body, 'k-half');
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body).toEqual(answer.body);
    expect(to.map(sentTo)).toEqual([0, 0]);
  });

  it('a dead attempt that surely sent nothing leaves the retry to send, once', async () => {
    const handler = await load('../../functions/sendSms.ts');
    const to = ['+6591230062'];
    const body = { ...BODY, to };
    // Rate-limited before any call (a 429 whose key's release never happened): nothing went out.
    const planned = plannedIds(4, 1);
    await deadAttempt('k-nothing', body, planned, [
      recordOf(planned[0] as string, to[0] as string, {
        status: 'not_sent',
        error: { code: 'rate_limited', message: 'too many messages to this number' },
      }),
    ]);
    const answer = await post(handler, body, 'k-nothing');
    expect(answer.statusCode).toBe(202);
    expect(answer.headers['idempotent-replayed']).toBeUndefined();
    expect(answer.body.messages?.map((m) => m.status)).toEqual(['accepted']);
    expect(answer.body.messages?.[0]?.messageId).not.toBe(planned[0]);
    expect(sentTo('+6591230062')).toBe(1);
    const again = await post(handler, body, 'k-nothing');
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body).toEqual(answer.body);
    expect(sentTo('+6591230062')).toBe(1);
  });

  it("a dead attempt's record wins over what screening says now (the allowed countries changed)", async () => {
    // Sent by the attempt, then SG left the allowed countries: the answer still says accepted.
    try {
      const handler = await load('../../functions/sendSms.ts', { SMS_ALLOWED_COUNTRIES: 'MY' });
      const to = ['+6591230063', '+60123456063'];
      const body = { ...BODY, to };
      const planned = plannedIds(5, 2);
      await deadAttempt('k-screened', body, planned, [
        acceptedRecord(planned[0] as string, to[0] as string, 'dead-3'),
        acceptedRecord(planned[1] as string, to[1] as string, 'dead-4'),
      ]);
      const answer = await post(handler, body, 'k-screened');
      expect(answer.statusCode).toBe(202);
      expect(answer.body.messages).toEqual([
        { messageId: planned[0], to: to[0], status: 'accepted' },
        { messageId: planned[1], to: to[1], status: 'accepted' },
      ]);
      expect(to.map(sentTo)).toEqual([0, 0]);
    } finally {
      // loadHandler leaves the variable set for the next test.
      delete process.env.SMS_ALLOWED_COUNTRIES;
    }
  });

  it('a replay counts nothing against the recipient limit', async () => {
    const handler = await load('../../functions/sendSms.ts', { SMS_RECIPIENT_LIMIT: '2/1h' });
    const body = { ...BODY, to: ['+6591230055'] };
    expect((await post(handler, body, 'limit-1')).statusCode).toBe(202);
    for (let i = 0; i < 5; i++) {
      expect((await post(handler, body, 'limit-1')).headers['idempotent-replayed']).toBe('true');
    }
    // One unit taken so far: one more message fits, the next does not.
    expect((await post(handler, body, 'limit-2')).statusCode).toBe(202);
    expect((await post(handler, body, 'limit-3')).statusCode).toBe(429);
    expect(sentTo('+6591230055')).toBe(2);
  });

  it('a replay does not take back the units its first attempt gave back for unsent recipients', async () => {
    const handler = await load('../../functions/sendSms.ts', { SMS_RECIPIENT_LIMIT: '1/1h' });
    // The provider refuses this recipient: never sent, so its unit is given back.
    const body = { ...BODY, to: ['+6590000041', '+6591230056'] };
    const first = await post(handler, body, 'giveback-1');
    expect(first.statusCode).toBe(202);
    expect(first.body.messages?.map((m) => m.status)).toEqual(['rejected', 'accepted']);
    for (let i = 0; i < 3; i++) {
      expect((await post(handler, body, 'giveback-1')).headers['idempotent-replayed']).toBe('true');
    }
    // The refused number's one unit is free: another request to it reaches the provider.
    const requestsBefore = local.services.sandbox.requests.length;
    const other = await post(handler, { ...BODY, to: ['+6590000041'] }, 'giveback-2');
    expect(other.body.messages?.[0]?.status).toBe('rejected');
    expect(other.body.messages?.[0]?.error?.code).not.toBe('rate_limited');
    expect(local.services.sandbox.requests.length).toBe(requestsBefore + 1);
    // The accepted one's unit is still held by the first request: the limit holds.
    const again = await post(handler, { ...BODY, to: ['+6591230056'] }, 'giveback-3');
    expect(again.statusCode).toBe(429);
  });
});

describe('the recipient limit under duplicates that race', () => {
  it('a duplicate whose take came first and whose claim finds the answer keeps the sent message counted', async () => {
    const { sendSms } = await import('../../shared/core/sendSms.ts');
    const { idempotencyGate } = await import('../../shared/core/idempotency.ts');
    const { createDynamoStore } = await import('../../shared/store/dynamo.ts');
    const { createRecipientCounters } = await import('../../shared/store/recipientCounters.ts');
    const { deadlineIn } = await import('../../shared/util/deadline.ts');
    const client = createDocumentClient({ endpoint: local.services.dynamo.endpoint });
    const tableName = local.services.table;
    const store = createDynamoStore({ client, tableName, retentionDays: 1 });
    const counters = createRecipientCounters({
      client,
      tableName,
      limit: { count: 1, windowSeconds: 3600 },
    });
    const ledger = createIdempotencyLedger({ client, tableName });
    const log = { info() {}, warn() {}, error() {}, debug() {} };
    let sends = 0;
    const provider = {
      name: 'huawei',
      check: () => [],
      async send(sms: { to: readonly string[] }) {
        sends += sms.to.length;
        return sms.to.map((to) => ({ to, status: 'accepted', providerMessageId: `p-${sends}` }));
      },
      planBatch: async (segments: unknown[]) => [[...segments]],
      sendBatch: async () => [],
    };
    const request = { to: ['+6591230057'], templateId: 'demo-otp', templateParas: ['1'] };
    const gate = (claimAfter?: Promise<void>) => {
      const inner = idempotencyGate(ledger, {
        id: ledgerId('POST /sms', 'race-scope', 'race-key'),
        fingerprint: fingerprintOf(request),
        leaseUntil: Date.now() + 30_000,
      });
      if (!claimAfter) return inner;
      return {
        ...inner,
        claim: async (planned?: readonly string[]) => {
          await claimAfter;
          return inner.claim(planned);
        },
      };
    };
    const deps = (idempotency?: unknown) =>
      ({ router: { route: () => provider }, store, log, counters, idempotency }) as never;
    // B's unit is taken first; its claim is slow (an SDK retry, a stalled loop) until A is done.
    let releaseB = () => {};
    const slow = new Promise<void>((resolve) => {
      releaseB = resolve;
    });
    const b = sendSms(request as never, deps(gate(slow)), deadlineIn(10_000)).catch(
      (error: Error) => error.name,
    );
    await new Promise((resolve) => setTimeout(resolve, 200));
    const a = await sendSms(request as never, deps(gate()), deadlineIn(10_000));
    expect(a.messages[0]?.status).toBe('accepted');
    releaseB();
    expect(await b).toBe('IdempotentReplay');
    // One message went out: the number is at its limit, whoever's take came first.
    await expect(sendSms(request as never, deps(), deadlineIn(10_000))).rejects.toMatchObject({
      code: 'rate_limited',
    });
    expect(sends).toBe(1);
  });
});

describe('POST /sms/batch and schedules with an idempotency key', () => {
  const batch = {
    messages: [
      { to: ['+6591230060', '+6591230061'], templateId: 'demo-otp', templateParas: ['1'] },
    ],
    reference: 'reminders-1',
  };

  it('replays a batch under its Idempotency-Key', async () => {
    const handler = await load('../../functions/sendBatch.ts');
    const first = await post(handler, batch, 'batch-1', { path: '/sms/batch' });
    expect(first.statusCode).toBe(202);
    const again = await post(handler, batch, 'batch-1', { path: '/sms/batch' });
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body).toEqual(first.body);
    expect(sentTo('+6591230060')).toBe(1);
    const other = await post(handler, { ...batch, reference: 'x' }, 'batch-1', {
      path: '/sms/batch',
    });
    expect(other.statusCode).toBe(422);
  });

  it('a retried schedule invocation (same idempotencyKey) sends nothing twice', async () => {
    const handler = await load('../../functions/sendBatch.ts');
    const event = {
      ...batch,
      messages: [{ ...batch.messages[0], to: ['+6591230070'] }],
      idempotencyKey: 'daily-2026-12-01T09:00:00Z',
    };
    await handler(event, lambdaContext(25_000), () => {});
    await handler(event, lambdaContext(25_000), () => {});
    expect(sentTo('+6591230070')).toBe(1);
    // The next firing has its own key.
    await handler(
      { ...event, idempotencyKey: 'daily-2026-12-02T09:00:00Z' },
      lambdaContext(25_000),
      () => {},
    );
    expect(sentTo('+6591230070')).toBe(2);
  });
});

describe('the idempotency ledger', () => {
  it('keeps an answer larger than one item holds (a 10,000-recipient batch) and replays it whole', async () => {
    const ledger = createIdempotencyLedger({
      client: createDocumentClient({ endpoint: local.services.dynamo.endpoint }),
      tableName: local.services.table,
    });
    const { randomUUID } = await import('node:crypto');
    // Random ids barely compress: about 700 KB gzipped, two parts of the 350 KB an item gets.
    const body = {
      notRecorded: Array.from({ length: 20_000 }, () => randomUUID()),
      counts: { accepted: 10_000 },
    };
    const request = {
      id: `large-${randomUUID()}`,
      fingerprint: 'f',
      leaseUntil: Date.now() + 60_000,
    };
    const claimed = await ledger.claim({ ...request, now: Date.now() });
    if (claimed.kind !== 'claimed') throw new Error(`not claimed: ${claimed.kind}`);
    await ledger.complete(request.id, claimed.claim, { kind: 'ok', body });
    const replay = await ledger.claim({ ...request, now: Date.now() });
    expect(replay.kind).toBe('replay');
    expect(replay.kind === 'replay' && replay.outcome).toEqual({ kind: 'ok', body });
  });

  it("a takeover keeps naming the dead attempt's messages until the new owner names its own", async () => {
    const ledger = createIdempotencyLedger({
      client: createDocumentClient({ endpoint: local.services.dynamo.endpoint }),
      tableName: local.services.table,
    });
    const { randomUUID } = await import('node:crypto');
    const request = { id: `replan-${randomUUID()}`, fingerprint: 'f' };
    const dead = ['0b0b0b0b-0000-8000-8000-000000000031'];
    const mine = ['0b0b0b0b-0000-8000-8000-000000000032'];
    const theirs = ['0b0b0b0b-0000-8000-8000-000000000033'];
    const claimAt = (planned: string[], leaseUntil = Date.now() - 1) =>
      ledger.claim({ ...request, leaseUntil, planned, now: Date.now() });
    expect((await claimAt(dead)).kind).toBe('claimed');
    // Taken over twice (each taker dying in turn): both find the first attempt's messages, not
    // the ids a taker fixed for itself (they may read "not sent" while the first were sent).
    const second = await claimAt(mine);
    expect(second).toMatchObject({ kind: 'abandoned', planned: dead });
    const third = await claimAt(theirs);
    if (third.kind !== 'abandoned') throw new Error(`not taken over: ${third.kind}`);
    expect(third.planned).toEqual(dead);
    // A taker that found nothing sent names its own before it sends; only its claim can.
    expect(await ledger.replan(request.id, 'not-the-claim', mine)).toBe(false);
    expect(await ledger.replan(request.id, third.claim, theirs)).toBe(true);
    const fourth = await claimAt(mine, Date.now() + 60_000);
    expect(fourth).toMatchObject({ kind: 'abandoned', planned: theirs });
    // Another body under the key is still a conflict, whatever its lease.
    const other = await ledger.claim({
      id: request.id,
      fingerprint: 'g',
      leaseUntil: Date.now() - 1,
      now: Date.now() + 120_000,
    });
    expect(other.kind).toBe('conflict');
  });

  it('a takeover keeps the key 24 h from then: it cannot expire under its new owner and be claimed afresh', async () => {
    const client = createDocumentClient({ endpoint: local.services.dynamo.endpoint });
    const ledger = createIdempotencyLedger({ client, tableName: local.services.table });
    const { randomUUID } = await import('node:crypto');
    const { GetCommand } = await import('@aws-sdk/lib-dynamodb');
    const request = { id: `renew-${randomUUID()}`, fingerprint: 'f', planned: ['a'] };
    const hour = 3_600_000;
    const dayAgo = Date.now() - 23.9 * hour;
    expect((await ledger.claim({ ...request, leaseUntil: dayAgo + 1, now: dayAgo })).kind).toBe(
      'claimed',
    );
    const taken = await ledger.claim({
      ...request,
      leaseUntil: Date.now() + 60_000,
      now: Date.now(),
    });
    expect(taken.kind).toBe('abandoned');
    const item = await client.send(
      new GetCommand({
        TableName: local.services.table,
        Key: { pk: `IDEM#${request.id}`, sk: 'IDEM' },
      }),
    );
    expect(Number(item.Item?.expiresAt)).toBeGreaterThan(Date.now() / 1000 + 23.9 * 3600);
    // An hour on, the key is the new owner's still: no fresh claim.
    const later = await ledger.claim({
      ...request,
      leaseUntil: Date.now(),
      now: Date.now() + hour,
    });
    expect(later.kind).not.toBe('claimed');
  });
});
