import type { Handler } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_APP_KEY, LOCAL_APP_SECRET, LOCAL_SENDER } from '../../sandbox/huawei/server.ts';
import { type FaultProxy, startFaultProxy } from '../helpers/faultProxy.ts';
import { apiEvent, lambdaContext, parseAnswer } from '../helpers/lambda.ts';
import { loadHandler, localEnv, useLocalServices } from '../helpers/localServices.ts';

const SECRET = JSON.stringify({
  appKey: LOCAL_APP_KEY,
  appSecret: LOCAL_APP_SECRET,
  sender: LOCAL_SENDER,
});
const template = { templateId: '8ff55eac1d0b478ab3c06c3c6a492300', templateParas: ['123456'] };
const local = useLocalServices({ table: 'sms-relay-limit-test', secrets: { s: SECRET } });
let proxy: FaultProxy;
let counter = 0;
/** A fresh Singapore mobile for each test, so counters of one test never touch another's. */
const fresh = () => `+65912${String(counter++).padStart(5, '0')}`;

beforeAll(async () => {
  proxy = await startFaultProxy(local.services.dynamo.endpoint);
});
afterAll(() => proxy.close());

function handler(
  name: 'sendSms' | 'sendBatch',
  env: Record<string, string> = {},
): Promise<Handler> {
  return loadHandler(
    `../../functions/${name}.ts`,
    localEnv(local.services, {
      SMS_SECRET_ID: 's',
      SMS_RECIPIENT_LIMIT: '10/1h',
      AWS_ENDPOINT_URL_DYNAMODB: proxy.url,
      ...env,
    }),
  );
}

async function send(h: Handler, body: unknown, path = '/sms') {
  return parseAnswer(
    await h(apiEvent({ body: JSON.stringify(body), path }), lambdaContext(20_000), () => {}),
  );
}

describe('SMS_RECIPIENT_LIMIT (default 10/1h)', () => {
  it('answers the 11th message to one number 429 rate_limited with Retry-After, sending nothing', async () => {
    const h = await handler('sendSms');
    const to = fresh();
    for (let i = 0; i < 10; i++)
      expect((await send(h, { to, ...template })).body.messages?.[0]?.status).toBe('accepted');
    local.services.sandbox.reset();
    const over = await send(h, { to, ...template });
    expect(over.statusCode).toBe(429);
    expect(over.body.error?.code).toBe('rate_limited');
    const retryAfter = Number(over.headers?.['retry-after']);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(3_600);
    expect(local.services.sandbox.requests).toHaveLength(0);
  });

  it('rejects only the recipients over the limit when others may still be sent to', async () => {
    const h = await handler('sendSms', { SMS_RECIPIENT_LIMIT: '1/1h' });
    const busy = fresh();
    const other = fresh();
    await send(h, { to: busy, ...template });
    local.services.sandbox.reset();
    const answer = await send(h, { to: [busy, other], ...template });
    expect(answer.statusCode).toBe(202);
    expect(answer.body.messages?.map((m) => [m.status, m.error?.code])).toEqual([
      ['rejected', 'rate_limited'],
      ['accepted', undefined],
    ]);
    expect(new URLSearchParams(local.services.sandbox.requests[0]?.body).get('to')).toBe(other);
  });

  it('gives the unit back when a request surely did not send', async () => {
    const h = await handler('sendSms', { SMS_RECIPIENT_LIMIT: '2/1h' });
    // +6590005030: Huawei answers 503 every time; nothing is ever sent to it.
    for (let i = 0; i < 4; i++)
      expect((await send(h, { to: '+6590005030', ...template })).statusCode).toBe(503);
    // A per-recipient refusal (E200041 magic) is not a sent message either.
    const rejected = '+6590000041';
    for (let i = 0; i < 3; i++) {
      const answer = await send(h, { to: [rejected, fresh()], ...template });
      expect(answer.body.messages?.[0]).toMatchObject({
        status: 'rejected',
        error: { code: 'E200041' },
      });
    }
  });

  it('counts a number once per group of a batch: 50 groups to one number send 10', async () => {
    const h = await handler('sendBatch');
    const to = fresh();
    local.services.sandbox.reset();
    const answer = await send(
      h,
      { messages: Array.from({ length: 50 }, () => ({ to, ...template })) },
      '/sms/batch',
    );
    const groups = (
      answer.body as unknown as {
        groups: Array<{ messages: Array<{ status: string; error?: { code: string } }> }>;
      }
    ).groups;
    const statuses = groups.map((g) => g.messages[0]?.error?.code ?? g.messages[0]?.status);
    expect(statuses.filter((s) => s === 'accepted')).toHaveLength(10);
    expect(statuses.filter((s) => s === 'rate_limited')).toHaveLength(40);
    const sent = local.services.sandbox.requests.flatMap((r) =>
      (JSON.parse(r.body) as { smsContent: Array<{ to: string[] }> }).smsContent.flatMap(
        (c) => c.to,
      ),
    );
    expect(sent).toHaveLength(10);
  });

  it('answers 503 and sends nothing when the store is unavailable before the send', async () => {
    const h = await handler('sendSms');
    local.services.sandbox.reset();
    proxy.failMatching(/LIMIT#/);
    try {
      const answer = await send(h, { to: fresh(), ...template });
      expect(answer.statusCode).toBe(503);
      expect(answer.body.error?.code).toBe('store_unavailable');
      expect(local.services.sandbox.requests).toHaveLength(0);
    } finally {
      proxy.failMatching(undefined);
    }
  });

  it('is off when SMS_RECIPIENT_LIMIT=off', async () => {
    const h = await handler('sendSms', { SMS_RECIPIENT_LIMIT: 'off' });
    const to = fresh();
    for (let i = 0; i < 12; i++) expect((await send(h, { to, ...template })).statusCode).toBe(202);
  });
});
