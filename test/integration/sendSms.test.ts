import type { Handler } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { LOCAL_APP_KEY, LOCAL_APP_SECRET, LOCAL_SENDER } from '../../sandbox/huawei/server.ts';
import { messageView } from '../../shared/delivery/view.ts';
import { splitUrl } from '../../shared/huawei/signer.ts';
import { verifyAkSk, verifyWsse } from '../../shared/huawei/verify.ts';
import { createDocumentClient } from '../../shared/store/client.ts';
import { createDynamoStore } from '../../shared/store/dynamo.ts';
import { startFaultProxy } from '../helpers/faultProxy.ts';
import { apiEvent, type JsonAnswer, lambdaContext, parseAnswer } from '../helpers/lambda.ts';
import { loadHandler as loadFresh, localEnv, useLocalServices } from '../helpers/localServices.ts';

const SECRET_ID = 'sms-relay/test/huawei';
const CALLBACK = 'https://callback.example.com/sms/status';
const GOOD_SECRET = JSON.stringify({
  appKey: LOCAL_APP_KEY,
  appSecret: LOCAL_APP_SECRET,
  sender: LOCAL_SENDER,
});

const local = useLocalServices(
  { table: 'sms-relay-sendsms-test', secrets: { [SECRET_ID]: GOOD_SECRET } },
  (_services) => local.services.secrets.secrets.set(SECRET_ID, GOOD_SECRET),
);

/** The real handler module, loaded afresh (new container) with this environment. */
function loadHandler(env: Record<string, string> = {}): Promise<Handler> {
  return loadFresh(
    '../../functions/sendSms.ts',
    localEnv(local.services, { SMS_SECRET_ID: SECRET_ID, STATUS_CALLBACK_URL: CALLBACK, ...env }),
  );
}

async function post(handler: Handler, body: unknown, remainingMs = 15_000): Promise<JsonAnswer> {
  const result = await handler(
    apiEvent({ body: JSON.stringify(body) }),
    lambdaContext(remainingMs),
    () => {},
  );
  return parseAnswer(result);
}

const VALID = {
  to: ['+6591234567', '+6598765432'],
  templateId: '8ff55eac1d0b478ab3c06c3c6a492300',
  templateParas: ['012345', '5'],
  reference: 'order-42',
};

/** A BatchWrite of outcomes (records after the call), not of intents (`phase: sending`). */
const OUTCOME_WRITE = /^(?![\s\S]*"sending")[\s\S]*PutRequest/;
/** A BatchWrite of the intents written before a provider call. */
const INTENT_WRITE = /^(?=[\s\S]*"sending")[\s\S]*PutRequest/;

describe('POST /sms reaches Huawei correctly signed', () => {
  it.each(['aksk', 'wsse'])(
    'sends a request that verifies independently in %s mode and carries every field',
    async (auth) => {
      const handler = await loadHandler({ HUAWEI_SMS_AUTH: auth });
      const answer = await post(handler, VALID);
      expect(answer.statusCode).toBe(202);
      expect(answer.body.messages?.map((m) => [m.to, m.status])).toEqual([
        ['+6591234567', 'accepted'],
        ['+6598765432', 'accepted'],
      ]);
      expect(local.services.sandbox.requests).toHaveLength(1);
      const [captured] = local.services.sandbox.requests;
      if (!captured) throw new Error('nothing captured');
      // Verify again here, independently of the sandbox's own check.
      const wire = {
        method: captured.method,
        path: captured.path,
        query: captured.query,
        headers: captured.headers,
        body: captured.body,
      };
      const lookup = (ak: string) => (ak === LOCAL_APP_KEY ? LOCAL_APP_SECRET : undefined);
      const verdict =
        auth === 'aksk'
          ? verifyAkSk(wire, lookup, {
              now: new Date(),
              maxSkewMs: 15 * 60_000,
              requireSigned: ['host', 'x-sdk-date'],
            })
          : verifyWsse(captured.headers, lookup, {
              now: new Date(),
              maxSkewMs: 86_400_000,
              variants: ['hex'],
            });
      expect(verdict.ok).toBe(true);
      expect(captured.headers.host).toBe(splitUrl(local.services.sandbox.url).host);
      const form = new URLSearchParams(captured.body);
      expect(Object.fromEntries(form)).toEqual({
        from: LOCAL_SENDER,
        to: '+6591234567,+6598765432',
        templateId: VALID.templateId,
        templateParas: '["012345","5"]',
        // This call's own URL: its correlation, and a token good for its messages only.
        statusCallback: expect.stringMatching(
          new RegExp(`^${CALLBACK.replace(/[.?]/g, '\\$&')}\\?c=sr[0-9a-f]{32}&token=[\\w-]{43}$`),
        ),
        extend: 'order-42',
      });
    },
  );

  it('accepts a single number as `to` and answers one message with a stable id', async () => {
    const handler = await loadHandler();
    const answer = await post(handler, { to: '+6591234567', templateId: 't1' });
    expect(answer.statusCode).toBe(202);
    expect(answer.body.messages).toEqual([
      {
        messageId: expect.stringMatching(/^[0-9a-f-]{36}$/),
        to: '+6591234567',
        status: 'accepted',
      },
    ]);
  });

  it('reads a base64-encoded body as API Gateway may deliver it', async () => {
    const handler = await loadHandler();
    const body = Buffer.from(JSON.stringify(VALID)).toString('base64');
    const answer = parseAnswer(
      await handler(apiEvent({ body, isBase64Encoded: true }), lambdaContext(), () => {}),
    );
    expect(answer.statusCode).toBe(202);
  });
});

describe('POST /sms with provider faults', () => {
  it('answers 202 with the refused recipient rejected and the others accepted', async () => {
    const handler = await loadHandler();
    const answer = await post(handler, { ...VALID, to: ['+6591234567', '+6590000041'] });
    expect(answer.statusCode).toBe(202);
    expect(answer.body.messages?.[0]).toMatchObject({ to: '+6591234567', status: 'accepted' });
    expect(answer.body.messages?.[1]).toMatchObject({
      to: '+6590000041',
      status: 'rejected',
      error: { code: 'E200041' },
    });
  });

  it('answers 502 provider_rejected for a bad app key, after refetching the secret once', async () => {
    local.services.secrets.secrets.set(
      SECRET_ID,
      JSON.stringify({ appKey: 'wrong-key', appSecret: 'x', sender: LOCAL_SENDER }),
    );
    const handler = await loadHandler();
    const before = local.services.secrets.calls;
    const answer = await post(handler, VALID);
    expect(answer.statusCode).toBe(502);
    expect(answer.body.error?.code).toBe('provider_rejected');
    expect(local.services.secrets.calls - before).toBe(2);
    expect(local.services.sandbox.requests).toHaveLength(2);
    expect(JSON.stringify(answer.body)).not.toContain('wrong-key');
  });

  it('recovers from a rotated secret: the refetched credentials succeed', async () => {
    local.services.secrets.secrets.set(
      SECRET_ID,
      JSON.stringify({ appKey: LOCAL_APP_KEY, appSecret: 'old-secret', sender: LOCAL_SENDER }),
    );
    const handler = await loadHandler();
    await post(handler, VALID); // caches the old secret, refetches, still old: 502
    local.services.secrets.secrets.set(SECRET_ID, GOOD_SECRET); // rotation completes
    local.services.sandbox.reset();
    const answer = await post(handler, VALID);
    expect(answer.statusCode).toBe(202);
    expect(local.services.sandbox.requests).toHaveLength(2);
  });

  it('answers 502 provider_rejected when the caller IP is not whitelisted', async () => {
    const handler = await loadHandler();
    const answer = await post(handler, { ...VALID, to: ['+6590000620'] });
    expect(answer.statusCode).toBe(502);
    expect(answer.body.error?.message).toContain('E000620');
  });

  it('retries a 503 and answers 202 once Huawei recovers', async () => {
    const handler = await loadHandler();
    const answer = await post(handler, { ...VALID, to: ['+6590005031'] });
    expect(answer.statusCode).toBe(202);
    expect(local.services.sandbox.requests.map((r) => r.response?.status)).toEqual([503, 200]);
  });

  it('answers 503 provider_unavailable when Huawei stays unavailable, after bounded retries', async () => {
    const handler = await loadHandler();
    const answer = await post(handler, { ...VALID, to: ['+6590005030'] });
    expect(answer.statusCode).toBe(503);
    expect(answer.body.error?.code).toBe('provider_unavailable');
    expect(local.services.sandbox.requests).toHaveLength(3);
  });

  it('sends exactly once to a provider that hangs and answers 504 within the deadline', async () => {
    const handler = await loadHandler();
    const started = Date.now();
    const answer = await post(handler, { ...VALID, to: ['+6591234567', '+6590000999'] }, 2_500);
    const elapsed = Date.now() - started;
    expect(answer.statusCode).toBe(504);
    expect(answer.body.error?.code).toBe('provider_timeout');
    expect(answer.body.error?.details?.map((d) => d.path)).toEqual(['to[0]', 'to[1]']);
    expect(answer.body.error?.details?.[0]?.messageId).toMatch(/^[0-9a-f-]{36}$/);
    expect(elapsed).toBeLessThan(2_500);
    expect(local.services.sandbox.requests).toHaveLength(1);
  });

  it('never resends after the connection drops mid-request: the outcome is unknown', async () => {
    const handler = await loadHandler();
    const answer = await post(handler, { ...VALID, to: ['+6590000888'] });
    expect(answer.statusCode).toBe(504);
    expect(local.services.sandbox.requests).toHaveLength(1);
  });

  it('answers 503 provider_unavailable when Huawei cannot be reached at all, nothing sent', async () => {
    const handler = await loadHandler({ HUAWEI_SMS_ENDPOINT: 'http://127.0.0.1:9' });
    const answer = await post(handler, VALID);
    expect(answer.statusCode).toBe(503);
    expect(answer.body.error?.message).toContain('nothing was sent');
  });

  it('answers 500 without detail when the secret is missing, and logs why', async () => {
    const handler = await loadHandler({ SMS_SECRET_ID: 'does-not-exist' });
    const answer = await post(handler, VALID);
    expect(answer.statusCode).toBe(500);
    expect(answer.body.error?.code).toBe('internal');
  });

  it('records every recipient before answering: accepted, rejected and unknown', async () => {
    const store = createDynamoStore({
      client: createDocumentClient({ endpoint: local.services.dynamo.endpoint }),
      tableName: local.services.table,
      retentionDays: 90,
    });
    const handler = await loadHandler();
    const sent = await post(handler, { ...VALID, to: ['+6591234567', '+6590000041'] });
    const hung = await post(handler, { ...VALID, to: ['+6590000888'] });
    const ids = [
      ...(sent.body.messages ?? []).map((m) => m.messageId),
      hung.body.error?.details?.[0]?.messageId ?? '',
    ];
    const views = await Promise.all(
      ids.map(async (id) => messageView(id, await store.getMessage(id))),
    );
    expect(views.map((v) => v?.status)).toEqual(['accepted', 'rejected', 'unknown']);
    expect(views[0]).toMatchObject({
      reference: 'order-42',
      providerMessageId: expect.stringMatching(/_\d+$/),
    });
    expect(views[1]).toMatchObject({ error: { code: 'E200041' } });
  });

  it('tells the caller when the messages were sent but could not be recorded', async () => {
    // The checks and the intents before the send go in; only the outcomes' writes fail.
    const proxy = await startFaultProxy(local.services.dynamo.endpoint);
    proxy.failMatching(OUTCOME_WRITE);
    const handler = await loadHandler({ AWS_ENDPOINT_URL_DYNAMODB: proxy.url });
    const answer = await post(handler, VALID).finally(() => proxy.close());
    expect(answer.statusCode).toBe(500);
    expect(answer.body.error?.message).toContain('do not resend');
    const ids = answer.body.error?.details?.map((d) => d.messageId) ?? [];
    expect(ids).toHaveLength(2);
    expect(local.services.sandbox.requests).toHaveLength(1);
    // Nothing is lost: each id reads as its intent, `unknown`, until its reports resolve it.
    const store = createDynamoStore({
      client: createDocumentClient({ endpoint: local.services.dynamo.endpoint }),
      tableName: local.services.table,
      retentionDays: 90,
    });
    for (const id of ids) {
      const view = messageView(id ?? '', await store.getMessage(id ?? ''));
      expect(['unknown', 'delivered']).toContain(view?.status);
    }
  });

  it('sends nothing when the intents cannot be recorded before the send: 503', async () => {
    const proxy = await startFaultProxy(local.services.dynamo.endpoint);
    proxy.failMatching(INTENT_WRITE);
    const handler = await loadHandler({ AWS_ENDPOINT_URL_DYNAMODB: proxy.url });
    const before = local.services.sandbox.requests.length;
    const answer = await post(handler, VALID).finally(() => proxy.close());
    expect(answer.statusCode).toBe(503);
    expect(answer.body.error?.code).toBe('store_unavailable');
    expect(local.services.sandbox.requests.length).toBe(before);
  });

  it('never logs a whole phone number or a secret', async () => {
    const handler = await loadHandler();
    await post(handler, { ...VALID, to: ['+6591234567', '+6590000041'] });
    await post(handler, { ...VALID, to: ['+6590005030'] });
    const text = local.logs.text();
    expect(text).toContain('+65****4567');
    expect(text).not.toContain('+6591234567');
    expect(text).not.toContain('+6590000041');
    expect(text).not.toContain(LOCAL_APP_SECRET);
  });
});
