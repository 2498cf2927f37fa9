import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';

/** A REST API (v1) proxy event, as API Gateway delivers `POST /sms`. */
export function apiEvent(options: {
  body?: string | null;
  headers?: Record<string, string>;
  isBase64Encoded?: boolean;
  method?: string;
  path?: string;
  pathParameters?: Record<string, string> | null;
}): APIGatewayProxyEvent {
  const headers = options.headers ?? {
    'Content-Type': 'application/json',
    'x-api-key': 'test-key',
  };
  return {
    resource: options.path ?? '/sms',
    path: options.path ?? '/sms',
    httpMethod: options.method ?? 'POST',
    headers,
    multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [v]])),
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    pathParameters: options.pathParameters ?? null,
    stageVariables: null,
    body: options.body === undefined ? null : options.body,
    isBase64Encoded: options.isBase64Encoded ?? false,
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      authorizer: null,
      protocol: 'HTTP/1.1',
      httpMethod: options.method ?? 'POST',
      identity: {
        accessKey: null,
        accountId: null,
        apiKey: 'test-key',
        apiKeyId: 'test-key-id',
        caller: null,
        clientCert: null,
        cognitoAuthenticationProvider: null,
        cognitoAuthenticationType: null,
        cognitoIdentityId: null,
        cognitoIdentityPoolId: null,
        principalOrgId: null,
        sourceIp: '127.0.0.1',
        user: null,
        userAgent: 'vitest',
        userArn: null,
      },
      path: `/test${options.path ?? '/sms'}`,
      stage: 'test',
      requestId: 'req-1',
      requestTimeEpoch: Date.now(),
      resourceId: 'res',
      resourcePath: options.path ?? '/sms',
    },
  };
}

/** A Lambda context whose deadline is `remainingMs` from now. */
export function lambdaContext(remainingMs = 15_000): Context {
  const deadline = Date.now() + remainingMs;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: 'sms-relay-test-sendSms',
    functionVersion: '$LATEST',
    invokedFunctionArn:
      'arn:aws:lambda:ap-southeast-1:000000000000:function:sms-relay-test-sendSms',
    memoryLimitInMB: '256',
    awsRequestId: `aws-req-${Math.random().toString(36).slice(2)}`,
    logGroupName: '/aws/lambda/sms-relay-test-sendSms',
    logStreamName: 'stream',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => {},
    fail: () => {},
    succeed: () => {},
  };
}

/** The JSON bodies the API answers with (SPEC "Sending" and "Errors"). */
export interface ApiBody {
  messages?: Array<{
    messageId: string;
    to: string;
    status: string;
    error?: { code: string; message: string };
  }>;
  error?: { code: string; message: string; details?: Array<Record<string, string>> };
}

/** A handler's answer with its JSON body parsed. */
export interface JsonAnswer {
  statusCode: number;
  headers: APIGatewayProxyResult['headers'];
  body: ApiBody;
}

export function parseAnswer(result: APIGatewayProxyResult): JsonAnswer {
  return {
    statusCode: result.statusCode,
    headers: result.headers,
    body: JSON.parse(result.body) as ApiBody,
  };
}
