import type { Handler } from 'aws-lambda';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  functionUrlEvent,
  type LocalFunctionUrl,
  startFunctionUrl,
} from '../../local/functionUrl.ts';
import { LOCAL_APP_KEY, LOCAL_APP_SECRET, LOCAL_SENDER } from '../../sandbox/huawei/server.ts';
import { createDocumentClient } from '../../shared/store/client.ts';
import { createDynamoStore } from '../../shared/store/dynamo.ts';
import { apiEvent, type JsonAnswer, lambdaContext, parseAnswer } from '../helpers/lambda.ts';
import { localEnv, useLocalServices } from '../helpers/localServices.ts';

/*
 * Metrics (issue 12): the real handlers, in process, against the Huawei sandbox, dynalite and the
 * local Secrets Manager; what they print on stdout is read back as CloudWatch EMF, and their log
 * lines as Powertools JSON.
 */

const SECRET_ID = 'sms-relay/test/metrics';
const SECRET = JSON.stringify({
  appKey: LOCAL_APP_KEY,
  appSecret: LOCAL_APP_SECRET,
  sender: LOCAL_SENDER,
});
const TEMPLATE = { templateId: '8ff55eac1d0b478ab3c06c3c6a492300', templateParas: ['123456'] };

const local = useLocalServices({
  table: 'sms-relay-metrics-test',
  secrets: { [SECRET_ID]: SECRET },
  // Reports come back (to the local Function URL below) a tenth of a second after the send.
  sandbox: { deliveryDelayMs: 100 },
});

let callback: LocalFunctionUrl;
let handlers: Record<'sendSms' | 'sendBatch' | 'statusCallback' | 'reconcile', Handler>;

/** The handlers, each in its own module graph (its own container: its own metrics buffer). */
async function loadHandlers(env: Record<string, string> = {}) {
  delete process.env.POWERTOOLS_METRICS_NAMESPACE;
  Object.assign(
    process.env,
    localEnv(local.services, {
      SMS_SECRET_ID: SECRET_ID,
      STATUS_CALLBACK_URL: callback.url,
      // Due for reconciliation a second after the submit.
      SMS_RECONCILE_AFTER: '1s',
      ...env,
    }),
  );
  const load = async (name: string) => {
    vi.resetModules();
    return ((await import(`../../functions/${name}.ts`)) as { handler: Handler }).handler;
  };
  handlers = {
    sendSms: await load('sendSms'),
    sendBatch: await load('sendBatch'),
    statusCallback: await load('statusCallback'),
    reconcile: await load('reconcile'),
  };
}

interface EmfDocument {
  _aws: {
    Timestamp: number;
    CloudWatchMetrics: Array<{
      Namespace: string;
      Dimensions: string[][];
      Metrics: Array<{ Name: string; Unit: string }>;
    }>;
  };
  [key: string]: unknown;
}

/** Every EMF document printed since the last `logs.clear()`. */
function emf(): EmfDocument[] {
  return local.logs
    .text()
    .split('\n')
    .filter((line) => line.startsWith('{') && line.includes('"_aws"'))
    .map((line) => JSON.parse(line) as EmfDocument);
}

/** The documents holding `name`, as {dimension values..., value} (the `_aws` part checked apart). */
function points(name: string, docs = emf()) {
  return docs
    .filter((doc) => doc._aws.CloudWatchMetrics[0]?.Metrics.some((m) => m.Name === name))
    .map(({ _aws, ...fields }) => fields);
}

/** The service's Powertools log lines carrying `message`. */
function logLines(message: string): Array<Record<string, unknown>> {
  return local.logs
    .text()
    .split('\n')
    .filter((line) => line.startsWith('{"level":'))
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((line) => line.message === message);
}

async function post(body: unknown, requestId = 'api-request-1'): Promise<JsonAnswer> {
  const event = apiEvent({ body: JSON.stringify(body) });
  event.requestContext.requestId = requestId;
  return parseAnswer(await handlers.sendSms(event, lambdaContext(), () => {}));
}

const store = () =>
  createDynamoStore({
    client: createDocumentClient({ endpoint: local.services.dynamo.endpoint }),
    tableName: local.services.table,
    retentionDays: 90,
  });

/** Waits until every message has a final status (the sandbox's reports arrive on their own). */
async function untilFinal(ids: readonly string[]) {
  for (let i = 0; i < 100; i++) {
    const stored = await Promise.all(ids.map((id) => store().getMessage(id)));
    if (stored.every((s) => s.delivery?.status === 'delivered')) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('the reports did not come');
}

beforeAll(async () => {
  callback = await startFunctionUrl(
    async (event, context) => (await handlers.statusCallback(event, context, () => {})) as string,
  );
  await loadHandlers();
});
afterAll(() => callback?.close());
beforeEach(() => local.logs.clear());

describe('POST /sms', () => {
  it('prints MessagesSubmitted by provider and status, and by country: one document each', async () => {
    const answer = await post({ to: ['+6591234567', '+6598765432', '+12015550123'], ...TEMPLATE });
    expect(answer.statusCode).toBe(202);
    const docs = emf();
    const dimensionsOf = (doc: EmfDocument) => doc._aws.CloudWatchMetrics[0]?.Dimensions;
    for (const doc of docs) {
      expect(doc._aws.CloudWatchMetrics).toEqual([
        {
          Namespace: 'SmsRelay',
          Dimensions: [expect.any(Array)],
          Metrics: [{ Name: 'MessagesSubmitted', Unit: 'Count' }],
        },
      ]);
      expect(Math.abs(doc._aws.Timestamp - Date.now())).toBeLessThan(10_000);
    }
    expect(docs.map(dimensionsOf)).toEqual([
      [['service', 'provider', 'status']],
      [['service', 'country']],
      [['service', 'country']],
    ]);
    expect(points('MessagesSubmitted', docs)).toEqual([
      { service: 'sms-relay', provider: 'huawei', status: 'accepted', MessagesSubmitted: 3 },
      { service: 'sms-relay', country: 'SG', MessagesSubmitted: 2 },
      { service: 'sms-relay', country: 'US', MessagesSubmitted: 1 },
    ]);
    // No number, message id or anything long and numeric in a dimension or a value.
    for (const { _aws, ...fields } of docs) expect(JSON.stringify(fields)).not.toMatch(/\d{5,}/);
  });

  it('counts a provider outage in ProviderErrors, and its recipients as not_sent', async () => {
    const answer = await post({ to: ['+6590005030'], ...TEMPLATE });
    expect(answer.statusCode).toBe(503);
    expect(points('ProviderErrors')).toEqual([
      {
        service: 'sms-relay',
        provider: 'huawei',
        code: 'provider_unavailable',
        ProviderErrors: 1,
      },
    ]);
    expect(points('MessagesSubmitted')).toEqual([
      { service: 'sms-relay', provider: 'huawei', status: 'not_sent', MessagesSubmitted: 1 },
      { service: 'sms-relay', country: 'SG', MessagesSubmitted: 1 },
    ]);
  });

  it('counts nothing for a request refused before any send (a 400)', async () => {
    const answer = await post({ to: ['not a number'], ...TEMPLATE });
    expect(answer.statusCode).toBe(400);
    expect(emf()).toEqual([]);
  });

  it("logs with the Lambda context and the API Gateway request id, each invocation's own", async () => {
    await post({ to: ['+6591234567'], ...TEMPLATE }, 'api-request-A');
    await post({ to: ['+6598765432'], ...TEMPLATE }, 'api-request-B');
    const lines = logLines('sms submitted');
    expect(lines.map((line) => line.correlation_id)).toEqual(['api-request-A', 'api-request-B']);
    for (const line of lines) {
      expect(line).toMatchObject({
        function_name: 'sms-relay-test-sendSms',
        function_request_id: expect.stringMatching(/^aws-req-/),
        cold_start: expect.any(Boolean),
      });
    }
  });

  it('publishes under POWERTOOLS_METRICS_NAMESPACE when it is set', async () => {
    try {
      await loadHandlers({ POWERTOOLS_METRICS_NAMESPACE: 'SmsRelay-ci' });
      expect((await post({ to: ['+6591234567'], ...TEMPLATE })).statusCode).toBe(202);
      expect(emf().map((doc) => doc._aws.CloudWatchMetrics[0]?.Namespace)).toEqual([
        'SmsRelay-ci',
        'SmsRelay-ci',
      ]);
    } finally {
      await loadHandlers();
    }
  });
});

describe('POST /sms/batch and reminder schedules', () => {
  const batch = {
    messages: [
      { to: ['+6591234567', '+8613800138000'], ...TEMPLATE },
      { to: ['+6598765432', '+19002345678'], ...TEMPLATE },
    ],
  };

  it('counts every group together: by provider and status, and by country', async () => {
    const event = apiEvent({ body: JSON.stringify(batch), path: '/sms/batch' });
    event.requestContext.requestId = 'api-request-batch';
    const answer = parseAnswer(await handlers.sendBatch(event, lambdaContext(), () => {}));
    expect(answer.statusCode).toBe(202);
    // The premium-rate +1 900 number is refused before any provider: provider `none`.
    const submitted = points('MessagesSubmitted');
    expect(submitted).toHaveLength(5);
    expect(submitted).toEqual(
      expect.arrayContaining([
        { service: 'sms-relay', provider: 'huawei', status: 'accepted', MessagesSubmitted: 3 },
        { service: 'sms-relay', provider: 'none', status: 'rejected', MessagesSubmitted: 1 },
        { service: 'sms-relay', country: 'SG', MessagesSubmitted: 2 },
        { service: 'sms-relay', country: 'CN', MessagesSubmitted: 1 },
        { service: 'sms-relay', country: 'US', MessagesSubmitted: 1 },
      ]),
    );
  });

  it('publishes a scheduled batch too, its logs without a correlation id', async () => {
    await handlers.sendBatch(
      { idempotencyKey: `metrics-${Date.now()}`, ...batch },
      lambdaContext(),
      () => {},
    );
    expect(points('MessagesSubmitted')).toHaveLength(5);
    const [sent] = logLines('scheduled batch sent');
    expect(sent).toMatchObject({ function_request_id: expect.stringMatching(/^aws-req-/) });
    expect(sent).not.toHaveProperty('correlation_id');
  });
});

describe('the status callback', () => {
  it('counts the reports it stores in ReportsIngested, by provider', async () => {
    const answer = await post({ to: ['+6591234500'], ...TEMPLATE });
    const id = answer.body.messages?.[0]?.messageId ?? '';
    await untilFinal([id]);
    expect(points('ReportsIngested')).toEqual([
      { service: 'sms-relay', provider: 'huawei', ReportsIngested: 1 },
    ]);
  });

  it('counts a push it refuses (401) in ReportsRefused, logged under the Function URL request id', async () => {
    const event = functionUrlEvent({
      method: 'POST',
      rawPath: '/',
      rawQueryString: 'token=not-the-token',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: Buffer.from('smsMsgId=x&status=DELIVRD'),
      sourceIp: '203.0.113.9',
    });
    event.requestContext.requestId = 'url-request-1';
    const result = (await handlers.statusCallback(event, lambdaContext(), () => {})) as {
      statusCode: number;
    };
    expect(result.statusCode).toBe(401);
    expect(points('ReportsRefused')).toEqual([
      { service: 'sms-relay', reason: 'unauthorized', ReportsRefused: 1 },
    ]);
    expect(logLines('push refused')).toEqual([
      expect.objectContaining({ correlation_id: 'url-request-1' }),
    ]);
  });
});

describe('reconciliation', () => {
  it('times each delivered message once (DeliveryLatency) and counts its outcomes', async () => {
    const answer = await post({ to: ['+6591234511', '+6591234522'], ...TEMPLATE });
    const ids = (answer.body.messages ?? []).map((m) => m.messageId);
    await untilFinal(ids);
    await new Promise((resolve) => setTimeout(resolve, 1_100)); // due (SMS_RECONCILE_AFTER 1s)
    local.logs.clear();
    await handlers.reconcile({}, lambdaContext(60_000), () => {});
    const docs = emf();
    const latency = docs.filter((doc) => 'DeliveryLatency' in doc);
    expect(latency.map((doc) => doc._aws.CloudWatchMetrics)).toEqual(
      [
        ['service', 'provider', 'status'],
        ['service', 'status'],
      ].map((dimensions) => [
        {
          Namespace: 'SmsRelay',
          Dimensions: [dimensions],
          Metrics: [{ Name: 'DeliveryLatency', Unit: 'Milliseconds' }],
        },
      ]),
    );
    expect(latency[0]).toMatchObject({ provider: 'huawei', status: 'delivered' });
    expect(latency[1]).toMatchObject({ status: 'delivered' });
    expect(latency[1]).not.toHaveProperty('provider');
    // Every message delivered since the file began (these two at least), each one data point.
    const values = [latency[0]?.DeliveryLatency].flat() as number[];
    expect([latency[1]?.DeliveryLatency].flat()).toEqual(values);
    expect(values.length).toBeGreaterThanOrEqual(2);
    for (const value of values) {
      expect(value).toBeGreaterThanOrEqual(0);
      expect(value).toBeLessThan(30_000);
    }
    const outcomes = points('ReconcileOutcomes', docs);
    expect(outcomes.map((point) => point.outcome).sort()).toEqual([
      'expired',
      'failed',
      'final',
      'rescheduled',
      'resolved',
    ]);
    expect(outcomes.find((point) => point.outcome === 'final')?.ReconcileOutcomes).toBe(
      values.length,
    );

    // Taken off the list: the next run times none of them again.
    local.logs.clear();
    await handlers.reconcile({}, lambdaContext(60_000), () => {});
    expect(points('DeliveryLatency')).toEqual([]);
  });
});
