import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Handler } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  availableBackends,
  createMessagesTable,
  type LocalDynamo,
  startDynalite,
  startLocalDynamo,
} from '../../local/dynamo.ts';
import { type LocalFunctionUrl, startFunctionUrl } from '../../local/functionUrl.ts';
import { type LocalSecretsManager, startLocalSecretsManager } from '../../local/secretsManager.ts';
import {
  LOCAL_APP_KEY,
  LOCAL_APP_SECRET,
  LOCAL_SENDER,
  pushUplink,
  type Sandbox,
  startSandbox,
} from '../../sandbox/huawei/server.ts';
import {
  appCallbackUrl as callbackUrl,
  callbackUrl as requestCallbackUrl,
} from '../../shared/huawei/callbackAuth.ts';
import { newCorrelation } from '../../shared/messageId.ts';
import { createDocumentClient } from '../../shared/store/client.ts';
import { createDynamoOptOutStore, type OptOutStore } from '../../shared/store/optOuts.ts';
import { apiEvent, lambdaContext, parseAnswer } from '../helpers/lambda.ts';
import { captureLogs } from '../helpers/localServices.ts';

const SECRET_ID = 'sms-relay/test/huawei';
const TABLE = 'sms-relay-optouts-test';
const secret = { appKey: LOCAL_APP_KEY, appSecret: LOCAL_APP_SECRET, sender: LOCAL_SENDER };

let dynamo: LocalDynamo;
let secrets: LocalSecretsManager;
let callback: LocalFunctionUrl;
let logs: ReturnType<typeof captureLogs>;
let handlers: { optOuts: Handler; statusCallback: Handler; sendSms: Handler; sendBatch: Handler };
let huawei: Sandbox;
let counter = 0;
/** A fresh Singapore mobile number per test, so tests never see each other's opt-outs. */
const freshNumber = () => `+659${String(1_000_000 + counter++).padStart(7, '0')}`;
/** Every number a test used, for the log scan at the end. */
const used: string[] = [];
const number = () => {
  const n = freshNumber();
  used.push(n);
  return n;
};

async function loadHandlers(): Promise<typeof handlers> {
  vi.resetModules();
  Object.assign(process.env, {
    AWS_REGION: 'ap-southeast-1',
    AWS_ACCESS_KEY_ID: 'dummy',
    AWS_SECRET_ACCESS_KEY: 'dummy',
    AWS_ENDPOINT_URL_SECRETS_MANAGER: secrets.url,
    AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
    SMS_SECRET_ID: SECRET_ID,
    MESSAGES_TABLE: TABLE,
    HUAWEI_SMS_AUTH: 'aksk',
    HUAWEI_SMS_ENDPOINT: huawei.url,
    STATUS_CALLBACK_URL: '',
    SMS_RECIPIENT_LIMIT: 'off',
  });
  return {
    optOuts: (await import('../../functions/optOuts.ts')).handler as Handler,
    statusCallback: (await import('../../functions/statusCallback.ts')).handler as Handler,
    sendSms: (await import('../../functions/sendSms.ts')).handler as Handler,
    sendBatch: (await import('../../functions/sendBatch.ts')).handler as Handler,
  };
}

/** `<method> /opt-outs/<path>`, the path parameter as API Gateway hands it over (not decoded). */
async function api(method: string, path: string) {
  const event = apiEvent({
    method,
    path: `/opt-outs/${path}`,
    body: null,
    headers: { 'x-api-key': 'test-key' },
    pathParameters: { number: path },
  });
  const result = await handlers.optOuts(event, lambdaContext(), () => {});
  return {
    statusCode: result.statusCode as number,
    headers: result.headers as Record<string, string>,
    text: result.body as string,
    body: result.body ? JSON.parse(result.body) : undefined,
  };
}
const encoded = (n: string) => encodeURIComponent(n);

/** A reply from `from`, pushed the way Huawei pushes uplinks, to the real statusCallback. */
async function reply(from: string, body: string, options: { smsMsgId?: string; at?: Date } = {}) {
  const result = await pushUplink({
    url: callbackUrl(`${callback.url}mo`, secret) ?? '',
    from,
    to: LOCAL_SENDER,
    body,
    ...options,
  });
  expect(result.status).toBe(200);
  return result;
}

beforeAll(async () => {
  dynamo = await startDynalite();
  await createMessagesTable(dynamo.endpoint, TABLE);
  secrets = await startLocalSecretsManager();
  huawei = await startSandbox({ deliveryDelayMs: 600_000 });
  secrets.secrets.set(SECRET_ID, JSON.stringify(secret));
  callback = await startFunctionUrl(
    async (event, context) => (await handlers.statusCallback(event, context, () => {})) as string,
  );
  handlers = await loadHandlers();
  logs = captureLogs();
});
afterAll(async () => {
  vi.restoreAllMocks();
  await callback.close();
  await huawei.close();
  await secrets.close();
  await dynamo.close();
});

describe('the /opt-outs/{number} API', () => {
  it('opts a number out and back in: GET 404, PUT 200, GET 200, DELETE 204, GET 404', async () => {
    const n = number();
    const missing = await api('GET', encoded(n));
    expect(missing.statusCode).toBe(404);
    expect(missing.body.error.code).toBe('not_found');

    const put = await api('PUT', encoded(n));
    expect(put.statusCode).toBe(200);
    expect(put.body).toEqual({
      number: n,
      optedOut: true,
      since: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      source: 'api',
    });

    const got = await api('GET', encoded(n));
    expect(got.statusCode).toBe(200);
    expect(got.headers['content-type']).toBe('application/json');
    expect(got.body).toEqual(put.body);

    const deleted = await api('DELETE', encoded(n));
    expect(deleted.statusCode).toBe(204);
    expect(deleted.text).toBe('');

    expect((await api('GET', encoded(n))).statusCode).toBe(404);
  });

  it('keeps the first opt-out when a number is PUT again', async () => {
    const n = number();
    const first = await api('PUT', encoded(n));
    await new Promise((resolve) => setTimeout(resolve, 5));
    const again = await api('PUT', encoded(n));
    expect(again.statusCode).toBe(200);
    expect(again.body).toEqual(first.body);
  });

  it('answers 204 to a DELETE of a number that is not opted out (it ends opted in)', async () => {
    const deleted = await api('DELETE', encoded(number()));
    expect(deleted.statusCode).toBe(204);
  });

  it('takes the number URL-encoded or with a bare +, as the same number', async () => {
    const n = number();
    expect((await api('PUT', n)).statusCode).toBe(200);
    expect((await api('GET', encoded(n))).body.number).toBe(n);
    expect((await api('GET', `%2b${n.slice(1)}`)).statusCode).toBe(200);
  });

  it.each([
    ['digits without +', '6591234567'],
    ['a space instead of + (a form-encoded +)', '%206591234567'],
    ['letters', 'abc'],
    ['too short', '%2B65123'],
    ['a broken escape', '%E0%A4%A'],
    ['empty', ''],
  ])('refuses a malformed number (%s) with 400 naming number', async (_what, path) => {
    for (const method of ['GET', 'PUT', 'DELETE']) {
      const answer = await api(method, path);
      expect(answer.statusCode).toBe(400);
      expect(answer.body.error).toMatchObject({
        code: 'invalid_request',
        details: [{ path: 'number' }],
      });
    }
  });

  it('opts out only valid numbers, and reads and removes any number of E.164 shape', async () => {
    // What a reply can store (the callback checks the shape only) the API can see and undo.
    const answer = await api('PUT', '%2B6512345678');
    expect(answer.statusCode).toBe(400);
    expect(answer.body.error).toMatchObject({
      code: 'invalid_request',
      details: [{ path: 'number' }],
    });
    expect((await api('GET', '%2B6512345678')).statusCode).toBe(404);
    expect((await api('DELETE', '%2B6512345678')).statusCode).toBe(204);
  });
});

describe('opt-out replies through the real statusCallback', () => {
  it('opts out the number that replies STOP, and back in on START', async () => {
    const n = number();
    const at = new Date(Date.now() - 60_000);
    await reply(n, 'STOP', { at });
    const got = await api('GET', encoded(n));
    expect(got.statusCode).toBe(200);
    expect(got.body).toEqual({
      number: n,
      optedOut: true,
      since: new Date(Math.floor(at.getTime() / 1000) * 1000).toISOString(),
      source: 'reply:huawei',
    });

    await reply(n, ' start ');
    expect((await api('GET', encoded(n))).statusCode).toBe(404);
  });

  it('changes nothing on a duplicate STOP (the same push again, or a second STOP)', async () => {
    const n = number();
    const first = await reply(n, 'stop', { at: new Date(Date.now() - 60_000) });
    const before = (await api('GET', encoded(n))).body;
    const again = await reply(n, 'stop', { smsMsgId: first.smsMsgId });
    expect(JSON.parse(again.text)).toEqual({ received: 1, changed: 0 });
    await reply(n, 'UNSUBSCRIBE');
    expect((await api('GET', encoded(n))).body).toEqual(before);
  });

  it('ends opted in after STOP then START pushed within the same second', async () => {
    const n = number();
    const at = new Date();
    await reply(n, '退订', { at });
    await reply(n, 'UNSTOP', { at });
    expect((await api('GET', encoded(n))).statusCode).toBe(404);
  });

  it('keeps a STOP when a START written before it arrives late', async () => {
    const n = number();
    await reply(n, 'STOP', { at: new Date(Date.now() - 10_000) });
    await reply(n, 'START', { at: new Date(Date.now() - 60_000) });
    expect((await api('GET', encoded(n))).body.source).toBe('reply:huawei');
  });

  it('leaves a number alone for any other reply', async () => {
    const n = number();
    await reply(n, 'stop please');
    await reply(n, 'T D');
    expect((await api('GET', encoded(n))).statusCode).toBe(404);
  });

  it('adds the + when the sender lacks it', async () => {
    const n = number();
    await reply(n.slice(1), 'TD');
    expect((await api('GET', encoded(n))).body.number).toBe(n);
  });

  it('stores a STOP from a sender that is no E.164 number, and opts nothing out', async () => {
    const result = await reply('0912345678', 'STOP');
    expect(JSON.parse(result.text)).toEqual({ received: 1, changed: 1 });
    expect(logs.text()).toContain('opt-out reply ignored');
    expect(logs.text()).not.toContain('0912345678');
  });

  it('a STOP from a short sender is stored, and the API can read and remove it', async () => {
    await reply('6598765', 'STOP');
    const got = await api('GET', '%2B6598765');
    expect(got.statusCode).toBe(200);
    expect(got.body).toMatchObject({ number: '+6598765', optedOut: true, source: 'reply:huawei' });
    expect((await api('DELETE', '%2B6598765')).statusCode).toBe(204);
    expect((await api('GET', '%2B6598765')).statusCode).toBe(404);
  });

  it("refuses a reply to one call's callback URL: 401, nothing stored, nobody opted out", async () => {
    // A leaked per-request URL must not let anyone opt a number out (replies come to the app URL).
    const n = number();
    const result = await pushUplink({
      url: requestCallbackUrl(`${callback.url}mo`, secret, newCorrelation()) ?? '',
      from: n,
      to: LOCAL_SENDER,
      body: 'STOP',
    });
    expect(result.status).toBe(401);
    expect(logs.text()).toContain('a reply to a per-request callback URL');
    expect((await api('GET', encoded(n))).statusCode).toBe(404);
  });

  it('a DELETE through the API also undoes a STOP reply', async () => {
    const n = number();
    await reply(n, 'QUIT');
    expect((await api('DELETE', encoded(n))).statusCode).toBe(204);
    expect((await api('GET', encoded(n))).statusCode).toBe(404);
  });
});

describe.each(availableBackends())('the opt-out store on %s', (kind) => {
  let local: LocalDynamo;
  let client: DynamoDBDocumentClient;
  let store: OptOutStore;
  const table = `${TABLE}-store`;

  beforeAll(async () => {
    local = kind === 'dynalite' ? dynamo : await startLocalDynamo(kind);
    await createMessagesTable(local.endpoint, table);
    client = createDocumentClient({
      endpoint: local.endpoint,
      region: 'ap-southeast-1',
      credentials: { accessKeyId: 'dummy', secretAccessKey: 'dummy' },
    });
    store = createDynamoOptOutStore({ client, tableName: table });
  }, 60_000);
  afterAll(async () => {
    client?.destroy();
    if (kind !== 'dynalite') await local?.close();
  });

  it('tells which of 250 numbers are opted out in three batch reads', async () => {
    const all = Array.from({ length: 250 }, () => freshNumber());
    const out = [all[0], all[99], all[100], all[199], all[249]] as string[];
    for (const n of out) await store.put(n, { since: new Date().toISOString(), source: 'api' });
    const send = vi.spyOn(client, 'send');
    expect(await store.optedOut([...all, all[0] as string])).toEqual(new Set(out));
    expect(send).toHaveBeenCalledTimes(3);
    send.mockRestore();
  });

  it('keeps the first since on a repeated put, and removes once', async () => {
    const n = freshNumber();
    expect(
      await store.put(n, { since: '2026-11-22T10:00:00.000Z', source: 'reply:huawei' }),
    ).toEqual({ changed: true });
    expect(await store.put(n, { since: '2026-11-22T11:00:00.000Z', source: 'api' })).toEqual({
      changed: false,
    });
    expect(await store.get(n)).toEqual({
      number: n,
      since: '2026-11-22T10:00:00.000Z',
      source: 'reply:huawei',
    });
    expect(await store.remove(n)).toBe(true);
    expect(await store.remove(n)).toBe(false);
    expect(await store.get(n)).toBeUndefined();
  });

  it('removes with notAfter only an opt-out that is not newer', async () => {
    const n = freshNumber();
    await store.put(n, { since: '2026-11-22T10:00:00.000Z', source: 'reply:huawei' });
    expect(await store.remove(n, { notAfter: '2026-11-22T09:59:59.000Z' })).toBe(false);
    expect(await store.remove(n, { notAfter: '2026-11-22T10:00:00.000Z' })).toBe(true);
  });
});

describe('logs', () => {
  it('never carry a whole phone number', () => {
    const text = logs.text();
    expect(text).toContain('+65****');
    for (const n of used) expect(text).not.toContain(n);
  });
});

describe('every send path checks opt-outs', () => {
  const template = { templateId: '8ff55eac1d0b478ab3c06c3c6a492300', templateParas: ['123456'] };
  const send = async (to: string | string[]) =>
    parseAnswer(
      await handlers.sendSms(
        apiEvent({ body: JSON.stringify({ to, ...template }) }),
        lambdaContext(),
        () => {},
      ),
    );

  it('a STOP reply makes the next send opted_out with no provider request, and START re-enables it', async () => {
    const n = number();
    await reply(n, 'STOP');
    huawei.reset();
    const refused = await send(n);
    expect(refused.statusCode).toBe(202);
    expect(refused.body.messages?.[0]).toMatchObject({
      status: 'rejected',
      error: { code: 'opted_out' },
    });
    expect(huawei.requests).toHaveLength(0);
    await new Promise((resolve) => setTimeout(resolve, 1_100)); // START must be later than the STOP
    await reply(n, 'START');
    expect((await send(n)).body.messages?.[0]?.status).toBe('accepted');
    expect(huawei.requests).toHaveLength(1);
  });

  it('refuses an opted-out recipient among others, and in batches and schedules', async () => {
    const out = number();
    const ok = number();
    expect((await api('PUT', encoded(out))).statusCode).toBe(200);
    huawei.reset();
    const answer = await send([out, ok]);
    expect(answer.body.messages?.map((m) => m.error?.code ?? m.status)).toEqual([
      'opted_out',
      'accepted',
    ]);
    const batch = { messages: [{ to: [ok, out], ...template }] };
    const viaApi = parseAnswer(
      await handlers.sendBatch(
        apiEvent({ path: '/sms/batch', body: JSON.stringify(batch) }),
        lambdaContext(20_000),
        () => {},
      ),
    );
    const groups = (
      viaApi.body as unknown as {
        groups: Array<{ messages: Array<{ status: string; error?: { code: string } }> }>;
      }
    ).groups;
    expect(groups[0]?.messages.map((m) => m.error?.code ?? m.status)).toEqual([
      'accepted',
      'opted_out',
    ]);
    huawei.reset();
    // A reminder schedule: the event is the payload itself.
    await handlers.sendBatch({ ...batch, reference: 'reminder' }, lambdaContext(20_000), () => {});
    const sent = huawei.requests.flatMap((r) =>
      (JSON.parse(r.body) as { smsContent: Array<{ to: string[] }> }).smsContent.flatMap(
        (c) => c.to,
      ),
    );
    expect(sent).toEqual([ok]);
  });
});
