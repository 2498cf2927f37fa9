import type { Handler } from 'aws-lambda';
import { SANDBOX_ACCESS_KEY_ID, SANDBOX_ACCESS_KEY_SECRET } from '../../sandbox/alibaba/server.ts';
import { LOCAL_APP_KEY, LOCAL_APP_SECRET, LOCAL_SENDER } from '../../sandbox/huawei/server.ts';
import { apiEvent, lambdaContext, parseAnswer } from './lambda.ts';

/*
 * What the tests that run the real handlers against both sandboxes share: the secret holding
 * both providers, the environment a deployed function would have, and calls of the API handlers.
 */

/** A secret with both providers' sandbox credentials (`receiptToken` for Alibaba's receipts). */
export function twoProviderSecret(receiptToken: string) {
  return {
    huawei: { appKey: LOCAL_APP_KEY, appSecret: LOCAL_APP_SECRET, sender: LOCAL_SENDER },
    alibaba: {
      accessKeyId: SANDBOX_ACCESS_KEY_ID,
      accessKeySecret: SANDBOX_ACCESS_KEY_SECRET,
      receiptToken,
    },
  };
}

/** The environment of a function pointed at the local services and both sandboxes. */
export function twoProviderEnv(
  services: {
    secretsUrl: string;
    dynamoEndpoint: string;
    secretId: string;
    table: string;
    huaweiUrl: string;
    alibabaUrl: string;
  },
  overrides: Record<string, string> = {},
): Record<string, string> {
  return {
    AWS_REGION: 'ap-southeast-1',
    AWS_ACCESS_KEY_ID: 'dummy',
    AWS_SECRET_ACCESS_KEY: 'dummy',
    AWS_ENDPOINT_URL_SECRETS_MANAGER: services.secretsUrl,
    AWS_ENDPOINT_URL_DYNAMODB: services.dynamoEndpoint,
    SMS_SECRET_ID: services.secretId,
    MESSAGES_TABLE: services.table,
    HUAWEI_SMS_ENDPOINT: services.huaweiUrl,
    ALIBABA_SMS_ENDPOINT: services.alibabaUrl,
    ALIBABA_SMS_INTL_ENDPOINT: services.alibabaUrl,
    STATUS_CALLBACK_URL: '',
    SMS_RECIPIENT_LIMIT: 'off',
    ...overrides,
  };
}

/** `POST /sms` (or another path) through a real handler. */
export async function postJson(
  handler: Handler,
  body: unknown,
  remainingMs = 15_000,
  path = '/sms',
) {
  return parseAnswer(
    await handler(
      apiEvent({ body: JSON.stringify(body), path }),
      lambdaContext(remainingMs),
      () => {},
    ),
  );
}

/** `GET /sms/{id}` through the real getMessage handler: its status and parsed body. */
export async function getSms(handler: Handler, messageId: string) {
  const event = apiEvent({
    method: 'GET',
    path: `/sms/${messageId}`,
    body: null,
    headers: {},
    pathParameters: { messageId },
  });
  const result = await handler(event, lambdaContext(), () => {});
  return { statusCode: result.statusCode as number, body: JSON.parse(result.body) };
}

/** Polls `GET /sms/{id}` until `done` says so (reports arrive asynchronously): its last body. */
export async function pollSms(
  handler: Handler,
  messageId: string,
  done: (status: string) => boolean,
) {
  let view = await getSms(handler, messageId);
  for (let i = 0; i < 100 && !done(view.body.status); i++) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    view = await getSms(handler, messageId);
  }
  return view.body;
}
