/**
 * The OpenAPI document against real answers: every route's real handler, in process, with the
 * real AWS SDK against a local DynamoDB (dynalite, behind a fault proxy for store outages) and a
 * local Secrets Manager, the Huawei sandbox as the provider (its magic numbers for the provider's
 * verdicts), and the real statusCallback behind a local Function URL for delivery reports. The
 * document is the one `GET /openapi.json` answers; each answer's status must be documented for
 * its route, its body valid against the document's schema for it (ajv, strict), its headers
 * valid.
 */
import type { Handler } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createMessagesTable, type LocalDynamo, startDynalite } from '../../local/dynamo.ts';
import { type LocalFunctionUrl, startFunctionUrl } from '../../local/functionUrl.ts';
import { type LocalSecretsManager, startLocalSecretsManager } from '../../local/secretsManager.ts';
import {
  LOCAL_APP_KEY,
  LOCAL_APP_SECRET,
  LOCAL_SENDER,
  type Sandbox,
  startSandbox,
} from '../../sandbox/huawei/server.ts';
import type { OpenApiDocument } from '../../shared/openapi/document.ts';
import { type FaultProxy, startFaultProxy } from '../helpers/faultProxy.ts';
import { apiEvent, lambdaContext } from '../helpers/lambda.ts';
import { captureLogs } from '../helpers/localServices.ts';
import { type Answer, openApiChecker } from '../helpers/openapi.ts';

const SECRET_ID = 'sms-relay/openapi-test/huawei';
const TABLE = 'sms-relay-openapi-test';
const secret = { appKey: LOCAL_APP_KEY, appSecret: LOCAL_APP_SECRET, sender: LOCAL_SENDER };
const template = { templateId: '8ff55eac1d0b478ab3c06c3c6a492300', templateParas: ['123456'] };

type Name = 'sendSms' | 'sendBatch' | 'getMessage' | 'optOuts' | 'statusCallback' | 'openapi';

let dynamo: LocalDynamo;
let proxy: FaultProxy;
let secrets: LocalSecretsManager;
let sandbox: Sandbox;
let callback: LocalFunctionUrl;
let handlers: Record<Name, Handler>;
let checker: ReturnType<typeof openApiChecker>;
let counter = 0;
/** A fresh Singapore mobile per use: no test sees another's opt-outs or counters. */
const fresh = () => `+65913${String(counter++).padStart(5, '0')}`;

/** One fresh container of every handler, with the test environment (and `env`). */
async function loadHandlers(env: Record<string, string> = {}): Promise<Record<Name, Handler>> {
  vi.resetModules();
  Object.assign(process.env, {
    AWS_REGION: 'ap-southeast-1',
    AWS_ACCESS_KEY_ID: 'dummy',
    AWS_SECRET_ACCESS_KEY: 'dummy',
    AWS_ENDPOINT_URL_SECRETS_MANAGER: secrets.url,
    AWS_ENDPOINT_URL_DYNAMODB: proxy.url,
    SMS_SECRET_ID: SECRET_ID,
    MESSAGES_TABLE: TABLE,
    HUAWEI_SMS_ENDPOINT: sandbox.url,
    HUAWEI_SMS_AUTH: 'aksk',
    STATUS_CALLBACK_URL: callback.url,
    SMS_RECIPIENT_LIMIT: 'off',
    ...env,
  });
  const names: Name[] = [
    'sendSms',
    'sendBatch',
    'getMessage',
    'optOuts',
    'statusCallback',
    'openapi',
  ];
  const loaded = await Promise.all(
    names.map(async (name) => {
      const module = (await import(`../../functions/${name}.ts`)) as { handler: Handler };
      return [name, module.handler] as const;
    }),
  );
  return Object.fromEntries(loaded) as Record<Name, Handler>;
}

async function invoke(
  name: Name,
  event: ReturnType<typeof apiEvent>,
  remainingMs = 15_000,
): Promise<Answer> {
  const result = (await handlers[name](event, lambdaContext(remainingMs), () => {})) as {
    statusCode: number;
    headers?: Record<string, string>;
    body?: string;
  };
  return { statusCode: result.statusCode, headers: result.headers, body: result.body ?? '' };
}

/** `POST path` with a JSON body (or raw text), checked against the document. */
async function post(
  path: '/sms' | '/sms/batch',
  body: unknown,
  options: { contentType?: string; remainingMs?: number; raw?: boolean } = {},
) {
  const answer = await invoke(
    path === '/sms' ? 'sendSms' : 'sendBatch',
    apiEvent({
      path,
      body: options.raw ? (body as string) : JSON.stringify(body),
      headers: {
        'Content-Type': options.contentType ?? 'application/json',
        'x-api-key': 'test-key',
      },
    }),
    options.remainingMs,
  );
  return { status: answer.statusCode, body: checker.check('post', path, answer) as Json };
}

async function getMessage(messageId: string) {
  const answer = await invoke(
    'getMessage',
    apiEvent({
      method: 'GET',
      path: `/sms/${messageId}`,
      body: null,
      headers: { 'x-api-key': 'test-key' },
      pathParameters: { messageId },
    }),
  );
  return {
    status: answer.statusCode,
    body: checker.check('get', '/sms/{messageId}', answer) as Json,
  };
}

async function optOut(method: 'GET' | 'PUT' | 'DELETE', number: string) {
  const path = encodeURIComponent(number);
  const answer = await invoke(
    'optOuts',
    apiEvent({
      method,
      path: `/opt-outs/${path}`,
      body: null,
      headers: { 'x-api-key': 'test-key' },
      pathParameters: { number: path },
    }),
  );
  return {
    status: answer.statusCode,
    body: checker.check(method.toLowerCase(), '/opt-outs/{number}', answer) as Json,
  };
}

// biome-ignore lint/suspicious/noExplicitAny: answers are read loosely once the document vouched for them
type Json = any;

beforeAll(async () => {
  dynamo = await startDynalite();
  await createMessagesTable(dynamo.endpoint, TABLE);
  proxy = await startFaultProxy(dynamo.endpoint);
  secrets = await startLocalSecretsManager();
  secrets.secrets.set(SECRET_ID, JSON.stringify(secret));
  sandbox = await startSandbox({ deliveryDelayMs: 50, pushRetryDelayMs: 50 });
  callback = await startFunctionUrl(
    async (event, context) => (await handlers.statusCallback(event, context, () => {})) as string,
  );
  handlers = await loadHandlers();
  captureLogs();
  // The document the service serves, not one built by the test.
  const served = await invoke(
    'openapi',
    apiEvent({ method: 'GET', path: '/openapi.json', body: null, headers: {} }),
  );
  checker = openApiChecker(JSON.parse(served.body) as OpenApiDocument);
  checker.check('get', '/openapi.json', served);
});
afterAll(async () => {
  vi.restoreAllMocks();
  await callback?.close();
  await sandbox?.close();
  await secrets?.close();
  await proxy?.close();
  await dynamo?.close();
});

describe('real answers match the OpenAPI document', () => {
  it('POST /sms 202 (accepted, rejected), then GET /sms/{messageId} 200 as reports arrive', async () => {
    const delivered = fresh();
    const sent = await post('/sms', {
      to: [delivered, '+6590000041', '+6590001003', '+6590001001'],
      ...template,
      reference: 'order-42',
    });
    expect(sent.status).toBe(202);
    const statuses = sent.body.messages.map((m: { status: string }) => m.status);
    expect(statuses).toEqual(['accepted', 'rejected', 'accepted', 'accepted']);
    const ids: string[] = sent.body.messages.map((m: { messageId: string }) => m.messageId);

    // Before any report: accepted, and the rejected one with its error.
    expect((await getMessage(ids[0] as string)).body.status).toBe('accepted');
    expect((await getMessage(ids[1] as string)).body).toMatchObject({ status: 'rejected' });

    await sandbox.idle();
    const views = await Promise.all(ids.map((id) => getMessage(id)));
    expect(views.map((v) => v.body.status)).toEqual([
      'delivered',
      'rejected',
      'delivered',
      'failed',
    ]);
    // Two parts, each a history entry with its part.
    expect(views[2]?.body.parts).toEqual({ total: 2, delivered: 2 });
    expect(views[2]?.body.history.map((h: { part?: number }) => h.part)).toEqual([undefined, 1, 2]);
  });

  it('POST /sms 400 (a broken rule, broken JSON), 413 and 415', async () => {
    const invalid = await post('/sms', { to: ['+6591234567', '+6591234567'], templateId: '' });
    expect(invalid.status).toBe(400);
    expect(invalid.body.error.details.length).toBeGreaterThan(0);
    expect((await post('/sms', '{"to":', { raw: true })).status).toBe(400);
    const big = { to: fresh(), ...template, reference: 'r'.repeat(70_000) };
    expect((await post('/sms', big)).status).toBe(413);
    const text = await post('/sms', JSON.stringify({ to: fresh(), ...template }), {
      raw: true,
      contentType: 'text/plain',
    });
    expect(text.status).toBe(415);
  });

  it("POST /sms 502, 503 and 504 for the provider's verdicts, then the unknown message's 200", async () => {
    expect((await post('/sms', { to: '+6590000620', ...template })).body.error.code).toBe(
      'provider_rejected',
    );
    const unavailable = await post('/sms', { to: '+6590005030', ...template });
    expect(unavailable.status).toBe(503);
    const timeout = await post('/sms', { to: '+6590000999', ...template }, { remainingMs: 3_000 });
    expect(timeout.status).toBe(504);
    const messageId = timeout.body.error.details?.[0]?.messageId;
    expect(messageId).toEqual(expect.any(String));
    expect((await getMessage(messageId)).body.status).toBe('unknown');
  });

  it('POST /sms and /sms/batch 429 with Retry-After when every recipient is over the limit', async () => {
    handlers = await loadHandlers({ SMS_RECIPIENT_LIMIT: '1/1h' });
    try {
      const to = fresh();
      expect((await post('/sms', { to, ...template })).status).toBe(202);
      const over = await post('/sms', { to, ...template });
      expect(over.status).toBe(429);
      const batch = await post('/sms/batch', { messages: [{ to, ...template }] });
      expect(batch.status).toBe(429);
    } finally {
      handlers = await loadHandlers();
    }
  });

  it('POST /sms/batch 202 (accepted, rejected, opted out, not_sent), 400, 413 and 415', async () => {
    const optedOut = fresh();
    expect((await optOut('PUT', optedOut)).status).toBe(200);
    const sent = await post('/sms/batch', {
      messages: [
        { to: [fresh(), '+6590000041'], ...template },
        { to: optedOut, templateId: 'other-template' },
      ],
      reference: 'reminders-2026-11-22',
    });
    expect(sent.status).toBe(202);
    expect(sent.body.counts).toMatchObject({ accepted: 1, rejected: 2 });
    expect(sent.body.groups[1].messages[0].error.code).toBe('opted_out');
    const rejected = await getMessage(sent.body.groups[1].messages[0].messageId);
    expect(rejected.body.status).toBe('rejected');

    // No time left to start a request: every recipient not_sent, and readable as such.
    const late = await post(
      '/sms/batch',
      { messages: [{ to: fresh(), ...template }] },
      {
        remainingMs: 3_500,
      },
    );
    expect(late.status).toBe(202);
    const notSent = late.body.groups[0].messages[0];
    expect(notSent.status).toBe('not_sent');
    expect((await getMessage(notSent.messageId)).body.status).toBe('not_sent');

    expect((await post('/sms/batch', { messages: [] })).status).toBe(400);
    const overMiB = `{"messages":[]}${' '.repeat(1024 * 1024)}`;
    expect((await post('/sms/batch', overMiB, { raw: true })).status).toBe(413);
    const text = await post('/sms/batch', '{}', { raw: true, contentType: 'text/plain' });
    expect(text.status).toBe(415);
  });

  it('GET /sms/{messageId} 404 for an unknown or malformed id, 503 while the store is down', async () => {
    expect((await getMessage('5b0c2f9e-8f1c-4d6a-9e41-0123456789ab')).status).toBe(404);
    expect((await getMessage('not-an-id')).status).toBe(404);
    proxy.failNext(20);
    try {
      expect((await getMessage('5b0c2f9e-8f1c-4d6a-9e41-0123456789ab')).status).toBe(503);
    } finally {
      proxy.failNext(0);
    }
  });

  it('POST /sms 500 or 503 when the store fails around the send (never an undocumented answer)', async () => {
    proxy.failMatching(/PutRequest|"MSG#/);
    try {
      const answer = await post('/sms', { to: fresh(), ...template });
      expect([500, 503]).toContain(answer.status);
    } finally {
      proxy.failMatching(undefined);
    }
  });

  it('GET, PUT and DELETE /opt-outs/{number}: 200, 204, 404 and 400', async () => {
    const number = fresh();
    expect((await optOut('GET', number)).status).toBe(404);
    const put = await optOut('PUT', number);
    expect(put.status).toBe(200);
    expect((await optOut('GET', number)).body).toEqual(put.body);
    expect((await optOut('DELETE', number)).status).toBe(204);
    expect((await optOut('GET', number)).status).toBe(404);
    for (const method of ['GET', 'PUT', 'DELETE'] as const) {
      expect((await optOut(method, '6591234567')).status).toBe(400);
    }
  });

  it('covered every status the handlers can be made to answer here', () => {
    const expected = [
      'get /openapi.json 200',
      'post /sms 202',
      'post /sms 400',
      'post /sms 413',
      'post /sms 415',
      'post /sms 429',
      'post /sms 502',
      'post /sms 503',
      'post /sms 504',
      'post /sms/batch 202',
      'post /sms/batch 400',
      'post /sms/batch 413',
      'post /sms/batch 415',
      'post /sms/batch 429',
      'get /sms/{messageId} 200',
      'get /sms/{messageId} 404',
      'get /sms/{messageId} 503',
      'get /opt-outs/{number} 200',
      'get /opt-outs/{number} 400',
      'get /opt-outs/{number} 404',
      'put /opt-outs/{number} 200',
      'put /opt-outs/{number} 400',
      'delete /opt-outs/{number} 204',
      'delete /opt-outs/{number} 400',
    ];
    for (const what of expected) expect(checker.covered, what).toContain(what);
  });
});
