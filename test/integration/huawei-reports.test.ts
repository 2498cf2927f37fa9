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
import { appCallbackUrl as callbackUrl } from '../../shared/huawei/callbackAuth.ts';
import { apiEvent, lambdaContext, parseAnswer } from '../helpers/lambda.ts';
import { getSms } from '../helpers/twoProviders.ts';

const SECRET_ID = 'sms-relay/test/huawei-reports';
const TABLE = 'sms-relay-huawei-reports-test';
const secret = { appKey: LOCAL_APP_KEY, appSecret: LOCAL_APP_SECRET, sender: LOCAL_SENDER };
const template = { templateId: '8ff55eac1d0b478ab3c06c3c6a492300', templateParas: ['123456'] };

/**
 * Every report variant the sandbox plays, the status it reports last (or none), the `source` it
 * comes from, and where SPEC and `shared/huawei/status.ts` put the message: DELIVRD delivered,
 * EXPIRED expired, UNKNOWN (like ACCEPTD) still in flight, every other status failed.
 */
const VARIANTS = [
  ['+6591234567', 'DELIVRD', '2', 'delivered'],
  ['+8613800138000', 'DELIVRD', '2', 'delivered'], // Chinese mainland SMS: no orgCode
  ['+6590001001', 'UNDELIV', '2', 'failed'],
  ['+6590001002', 'EXPIRED', '2', 'expired'],
  ['+6590001003', 'DELIVRD', '2', 'delivered'], // two parts
  ['+6590001004', 'DELIVRD', '2', 'delivered'], // the same report twice
  ['+6590001005', 'DELIVRD', '2', 'delivered'], // a late ACCEPTD changes nothing
  ['+6590001006', 'DELIVRD', '2', 'delivered'], // late
  ['+6590001007', undefined, undefined, 'accepted'], // never reported
  ['+6590001008', 'UNDELIV', '2', 'failed'], // part 1 delivered, part 2 not
  ['+6590001009', 'REJECTD', '2', 'failed'],
  ['+6590001010', 'RTE_ERR', '2', 'failed'],
  ['+6590001011', 'MILIMIT', '2', 'failed'],
  ['+6590001012', 'BLACK', '2', 'failed'],
  ['+6590001013', 'MBBLACK', '2', 'failed'],
  ['+6590001014', 'DELETED', '2', 'failed'],
  ['+6590001015', 'UNKNOWN', '2', 'accepted'],
  ['+6590001016', 'E200027', '3', 'failed'], // the Huawei platform's own code, no updateTime
  ['+6590001017', 'EXPIRED', '1', 'expired'], // made by the SMS platform itself, no updateTime
] as const;

let dynamo: LocalDynamo;
let secrets: LocalSecretsManager;
let callback: LocalFunctionUrl;
let handlers: { sendSms: Handler; statusCallback: Handler; getMessage: Handler };

/** The three real handlers as one fresh container set. */
async function loadHandlers(env: Record<string, string>): Promise<void> {
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
    ...env,
  });
  handlers = {
    sendSms: (await import('../../functions/sendSms.ts')).handler as Handler,
    statusCallback: (await import('../../functions/statusCallback.ts')).handler as Handler,
    getMessage: (await import('../../functions/getMessage.ts')).handler as Handler,
  };
}

async function getMessage(messageId: string) {
  return (await getSms(handlers.getMessage, messageId)).body;
}

beforeAll(async () => {
  dynamo = await startDynalite();
  await createMessagesTable(dynamo.endpoint, TABLE);
  secrets = await startLocalSecretsManager({ [SECRET_ID]: JSON.stringify(secret) });
  callback = await startFunctionUrl(
    async (event, context) => (await handlers.statusCallback(event, context, () => {})) as string,
  );
});
afterAll(async () => {
  await callback.close();
  await secrets.close();
  await dynamo.close();
});

/** The reports a push carried, by `smsMsgId`, whether it was a form or a JSON batch. */
function pushedReports(sandbox: Sandbox): Map<string, Array<Record<string, string>>> {
  const bySmsMsgId = new Map<string, Array<Record<string, string>>>();
  for (const push of sandbox.pushes) {
    expect(push.status).toBe(200);
    const reports: Array<Record<string, string>> = push.body.startsWith('{')
      ? JSON.parse(push.body).statusReportList
      : [Object.fromEntries(new URLSearchParams(push.body))];
    for (const report of reports) {
      const id = report.smsMsgId ?? '';
      bySmsMsgId.set(id, [...(bySmsMsgId.get(id) ?? []), report]);
    }
  }
  return bySmsMsgId;
}

describe.each([
  ['per-message form reports to statusCallback', 'form'],
  ['JSON batches to the app report URL', 'batch'],
] as const)('Huawei report variants through the real callback: %s', (_title, mode) => {
  let sandbox: Sandbox;
  // biome-ignore lint/suspicious/noExplicitAny: GET /sms/{id} views, read field by field
  const views = new Map<string, any>();
  let reports: Map<string, Array<Record<string, string>>>;
  /** Real time around the pushes, for reports dated by their arrival. */
  let window: { from: number; to: number };

  beforeAll(async () => {
    const base = `${callback.url}${mode === 'form' ? 'sms/report' : 'batch'}`;
    sandbox = await startSandbox({
      deliveryDelayMs: 50,
      ...(mode === 'batch' ? { reportUrl: callbackUrl(base, secret) ?? '' } : {}),
    });
    await loadHandlers({
      HUAWEI_SMS_ENDPOINT: sandbox.url,
      STATUS_CALLBACK_URL: mode === 'form' ? base : '',
    });
    const from = Date.now();
    const body = { to: VARIANTS.map(([to]) => to), ...template, reference: 'order-42' };
    const sent = parseAnswer(
      await handlers.sendSms(apiEvent({ body: JSON.stringify(body) }), lambdaContext(), () => {}),
    );
    expect(sent.statusCode).toBe(202);
    await sandbox.idle();
    window = { from, to: Date.now() };
    reports = pushedReports(sandbox);
    for (const message of sent.body.messages ?? []) {
      views.set(message.to, await getMessage(message.messageId));
    }
  });
  afterAll(() => sandbox.close());

  it.each(VARIANTS)('%s reported %s (source %s) ends %s', (to, reported, source, status) => {
    const view = views.get(to);
    expect(view.status).toBe(status);
    const received = reports.get(view.providerMessageId) ?? [];
    expect(received.map((r) => r.source)).toEqual(received.map(() => source));
    expect(received.every((r) => r.extend === 'order-42' && r.to === to)).toBe(true);
    if (reported === undefined) {
      expect(received).toEqual([]);
      expect(view.history).toEqual([{ status: 'accepted', at: view.acceptedAt }]);
      return;
    }
    expect(view.providerStatus).toBe(reported);
    // Every report is in the history (a duplicate once), in provider time order.
    const history = view.history.map((entry: { providerStatus?: string }) => entry.providerStatus);
    expect(history).toEqual(expect.arrayContaining(received.map((r) => r.status)));
  });

  it('dates the reports the platform made itself (no updateTime) by their arrival', () => {
    for (const to of ['+6590001016', '+6590001017']) {
      const view = views.get(to);
      const [report] = reports.get(view.providerMessageId) ?? [];
      expect(report).not.toHaveProperty('updateTime');
      expect(report).not.toHaveProperty('orgCode');
      const last = view.history.at(-1);
      expect(last.description).toBe(report?.statusDesc);
      expect(Date.parse(last.at)).toBeGreaterThanOrEqual(window.from);
      expect(Date.parse(last.at)).toBeLessThanOrEqual(window.to);
    }
  });

  it("dates an SMSC's report by its updateTime, and keeps its orgCode out of mainland SMS", () => {
    const routeError = views.get('+6590001010');
    const [report] = reports.get(routeError.providerMessageId) ?? [];
    expect(report).toMatchObject({ status: 'RTE_ERR', orgCode: 'E200027' });
    // Its time, or the submission's when its whole second comes before it (the sandbox reports
    // within the second it accepted the message).
    const updated = new Date(report?.updateTime ?? '').toISOString();
    const submitted = routeError.history[0].at;
    expect(routeError.history.at(-1).at).toBe([updated, submitted].sort().at(-1));
    const mainland = views.get('+8613800138000');
    expect(reports.get(mainland.providerMessageId)?.[0]).not.toHaveProperty('orgCode');
  });

  it('keeps UNKNOWN in flight, with the report in the history', () => {
    const view = views.get('+6590001015');
    expect(view).toMatchObject({ status: 'accepted', parts: { total: 1, delivered: 0 } });
    expect(view.history.at(-1)).toMatchObject({ status: 'accepted', providerStatus: 'UNKNOWN' });
  });
});
