import { request } from 'node:http';
import { DescribeTableCommand, DescribeTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type {
  APIGatewayProxyEventV2,
  APIGatewayProxyStructuredResultV2,
  Context,
} from 'aws-lambda';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  availableBackends,
  createMessagesTable,
  type LocalDynamo,
  localDynamoClient,
  messagesTableDefinition,
  startLocalDynamo,
} from '../../local/dynamo.ts';
import {
  functionUrlEvent,
  isTextContentType,
  type LocalFunctionUrl,
  startFunctionUrl,
} from '../../local/functionUrl.ts';

describe.each(availableBackends())('local DynamoDB: %s', (kind) => {
  let dynamo: LocalDynamo;
  const tableName = 'sms-relay-test-messages';

  // DynamoDB Local is a JVM: ~3 s to start here, allow up to 30 s (plus table creation).
  beforeAll(async () => {
    dynamo = await startLocalDynamo(kind);
    await createMessagesTable(dynamo.endpoint, tableName);
  }, 60_000);
  afterAll(() => dynamo?.close());

  it('listens on loopback only', () => {
    expect(dynamo.kind).toBe(kind);
    expect(dynamo.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('creates the table exactly as serverless.yml defines MessagesTable', async () => {
    const client = localDynamoClient(dynamo.endpoint);
    try {
      const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
      expect(Table?.TableStatus).toBe('ACTIVE');
      expect(Table?.KeySchema).toEqual([
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ]);
      const template = messagesTableDefinition();
      expect(Table?.KeySchema).toEqual(template.KeySchema);
      expect(
        [...(Table?.AttributeDefinitions ?? [])].sort((a, b) =>
          String(a.AttributeName).localeCompare(String(b.AttributeName)),
        ),
      ).toEqual(
        [...(template.AttributeDefinitions ?? [])].sort((a, b) =>
          String(a.AttributeName).localeCompare(String(b.AttributeName)),
        ),
      );
      expect(Table?.GlobalSecondaryIndexes ?? []).toHaveLength(
        template.GlobalSecondaryIndexes?.length ?? 0,
      );
      // The sparse `due` index reconciliation reads, keys as the template says.
      expect(
        (Table?.GlobalSecondaryIndexes ?? []).map((index) => ({
          IndexName: index.IndexName,
          KeySchema: index.KeySchema,
          Projection: index.Projection,
        })),
      ).toEqual(
        (template.GlobalSecondaryIndexes ?? []).map((index) => ({
          IndexName: index.IndexName,
          KeySchema: index.KeySchema,
          Projection: index.Projection,
        })),
      );
      expect(Table?.BillingModeSummary?.BillingMode ?? template.BillingMode).toBe(
        template.BillingMode,
      );
      if (kind === 'dynamodb-local') {
        const ttl = await client.send(new DescribeTimeToLiveCommand({ TableName: tableName }));
        expect(ttl.TimeToLiveDescription).toMatchObject({
          AttributeName: 'expiresAt',
          TimeToLiveStatus: 'ENABLED',
        });
      }
    } finally {
      client.destroy();
    }
  });

  it('stores and reads an item through the document client', async () => {
    const client = localDynamoClient(dynamo.endpoint);
    const doc = DynamoDBDocumentClient.from(client);
    try {
      const item = { pk: 'MSG#abc', sk: 'MSG', to: '+6591234567', expiresAt: 1_900_000_000 };
      await doc.send(
        new PutCommand({
          TableName: tableName,
          Item: item,
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      await expect(
        doc.send(
          new PutCommand({
            TableName: tableName,
            Item: item,
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        ),
      ).rejects.toMatchObject({ name: 'ConditionalCheckFailedException' });
      const { Item } = await doc.send(
        new GetCommand({ TableName: tableName, Key: { pk: 'MSG#abc', sk: 'MSG' } }),
      );
      expect(Item).toEqual(item);
    } finally {
      doc.destroy();
    }
  });
});

describe('local Function URL', () => {
  type Handler = (
    event: APIGatewayProxyEventV2,
    context: Context,
  ) => Promise<APIGatewayProxyStructuredResultV2 | string>;
  let next: Handler;
  let events: APIGatewayProxyEventV2[] = [];
  let fnUrl: LocalFunctionUrl;

  beforeAll(async () => {
    fnUrl = await startFunctionUrl((event, context) => next(event, context), {
      functionName: 'sms-relay-test-statusCallback',
      timeoutMs: 500,
    });
  });
  afterAll(() => fnUrl?.close());
  afterEach(() => {
    events = [];
  });

  const echo: Handler = async (event) => {
    events.push(event);
    return { statusCode: 200, body: 'ok' };
  };

  /** Raw node:http request, so repeated headers and exact bytes are under the test's control. */
  function rawRequest(
    path: string,
    options: { method?: string; headers?: Array<[string, string]>; body?: Buffer },
  ): Promise<{ status: number; headers: Record<string, unknown>; body: Buffer }> {
    const url = new URL(path, fnUrl.url);
    return new Promise((resolve, reject) => {
      const req = request(
        {
          host: url.hostname,
          port: url.port,
          path,
          method: options.method ?? 'POST',
          // Raw header list (keeps repeats); Node adds no Host header to a raw list.
          headers: [['Host', url.host], ...(options.headers ?? [])].flat(),
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              headers: res.headers,
              body: Buffer.concat(chunks),
            }),
          );
        },
      );
      req.on('error', reject);
      req.end(options.body);
    });
  }

  it('serves on loopback with the trailing slash AWS prints', () => {
    expect(fnUrl.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
  });

  it('delivers a form-urlencoded body base64-encoded, bytes intact', async () => {
    next = echo;
    const form =
      'smsMsgId=abc-123&status=DELIVRD&extend=order%2B42&updateTime=2026-11-22T01%3A02%3A03Z';
    const res = await fetch(`${fnUrl.url}?token=t0k`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form,
    });
    expect(res.status).toBe(200);
    const [event] = events;
    expect(event?.isBase64Encoded).toBe(true);
    expect(Buffer.from(event?.body ?? '', 'base64').toString('utf8')).toBe(form);
  });

  it('delivers a JSON body as plain text, never re-serialised', async () => {
    next = echo;
    const json = '{ "statusReportList" : [ {"smsMsgId":"a","status":"DELIVRD"} ] }';
    await fetch(fnUrl.url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json; charset=utf-8' },
      body: json,
    });
    expect(events[0]?.isBase64Encoded).toBe(false);
    expect(events[0]?.body).toBe(json);
  });

  it('base64-encodes a text-typed body that is not valid UTF-8, keeping its bytes', async () => {
    next = echo;
    const bytes = Buffer.from([0x7b, 0xff, 0xfe, 0x7d]);
    await rawRequest('/', { headers: [['content-type', 'application/json']], body: bytes });
    expect(events[0]?.isBase64Encoded).toBe(true);
    expect(Buffer.from(events[0]?.body ?? '', 'base64')).toEqual(bytes);
  });

  it('omits the body of a bodyless request', async () => {
    next = echo;
    await fetch(fnUrl.url);
    expect(events[0]?.body).toBeUndefined();
    expect(events[0]?.isBase64Encoded).toBe(false);
  });

  it('builds the payload format 2.0 event: raw path and query, headers, cookies, context', async () => {
    next = echo;
    const path = '/callback/huawei?token=a%2Bb%3D&x=1&x=2&empty=&plus=a+b';
    await rawRequest(path, {
      headers: [
        ['Content-Type', 'application/x-www-form-urlencoded'],
        ['X-Sdk-Date', '20261122T010203Z'],
        ['X-Repeated', 'one'],
        ['X-Repeated', 'two'],
        ['Cookie', 'a=1; b=2'],
        ['User-Agent', 'huawei-push/1.0'],
      ],
      body: Buffer.from('status=DELIVRD'),
    });
    const event = events[0] as APIGatewayProxyEventV2;
    expect(event.version).toBe('2.0');
    expect(event.routeKey).toBe('$default');
    expect(event.rawPath).toBe('/callback/huawei');
    expect(event.rawQueryString).toBe('token=a%2Bb%3D&x=1&x=2&empty=&plus=a+b');
    expect(event.queryStringParameters).toEqual({
      token: 'a+b=',
      x: '1,2',
      empty: '',
      plus: 'a b',
    });
    expect(event.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(event.headers['x-sdk-date']).toBe('20261122T010203Z');
    expect(event.headers['x-repeated']).toBe('one,two');
    expect(event.headers['user-agent']).toBe('huawei-push/1.0');
    expect(event.headers.cookie).toBeUndefined();
    expect(event.cookies).toEqual(['a=1', 'b=2']);
    expect(Object.keys(event.headers).every((name) => name === name.toLowerCase())).toBe(true);

    const host = new URL(fnUrl.url).host;
    expect(event.headers.host).toBe(host);
    expect(event.requestContext).toMatchObject({
      accountId: 'anonymous',
      domainName: host,
      routeKey: '$default',
      stage: '$default',
      http: {
        method: 'POST',
        path: '/callback/huawei',
        protocol: 'HTTP/1.1',
        sourceIp: '127.0.0.1',
        userAgent: 'huawei-push/1.0',
      },
    });
    expect(event.requestContext.apiId).toMatch(/^[a-z0-9]{32}$/);
    expect(event.requestContext.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(event.requestContext.time).toMatch(
      /^\d{2}\/[A-Z][a-z]{2}\/\d{4}:\d{2}:\d{2}:\d{2} \+0000$/,
    );
    expect(Math.abs(event.requestContext.timeEpoch - Date.now())).toBeLessThan(5_000);
  });

  it('gives the handler a context whose deadline is the timeout', async () => {
    let remaining = -1;
    let name = '';
    next = async (_event, context) => {
      remaining = context.getRemainingTimeInMillis();
      name = context.functionName;
      return { statusCode: 204 };
    };
    const res = await fetch(fnUrl.url, { method: 'POST' });
    expect(res.status).toBe(204);
    expect(remaining).toBeGreaterThan(300);
    expect(remaining).toBeLessThanOrEqual(500);
    expect(name).toBe('sms-relay-test-statusCallback');
  });

  it('maps statusCode, headers, cookies and body back', async () => {
    next = async () => ({
      statusCode: 401,
      headers: { 'Content-Type': 'application/json', 'X-Custom': 'yes' },
      cookies: ['s=1; Path=/'],
      body: '{"error":{"code":"unauthorized"}}',
    });
    const res = await fetch(fnUrl.url, { method: 'POST', body: 'x' });
    expect(res.status).toBe(401);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(res.headers.get('x-custom')).toBe('yes');
    expect(res.headers.get('set-cookie')).toBe('s=1; Path=/');
    expect(await res.text()).toBe('{"error":{"code":"unauthorized"}}');
  });

  it('decodes a base64 result body', async () => {
    next = async () => ({
      statusCode: 200,
      headers: { 'content-type': 'application/octet-stream' },
      body: Buffer.from([0, 1, 2, 255]).toString('base64'),
      isBase64Encoded: true,
    });
    const res = await fetch(fnUrl.url);
    expect(Buffer.from(await res.arrayBuffer())).toEqual(Buffer.from([0, 1, 2, 255]));
  });

  it('answers a string result as a 200 JSON body', async () => {
    next = async () => 'SUCCESS';
    const res = await fetch(fnUrl.url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(await res.text()).toBe('"SUCCESS"');
  });

  it('answers 502 "Internal Server Error" when the handler throws or times out', async () => {
    const quiet = console.error;
    console.error = () => {};
    try {
      next = async () => {
        throw new Error('boom');
      };
      const thrown = await fetch(fnUrl.url, { method: 'POST' });
      expect(thrown.status).toBe(502);
      expect(await thrown.text()).toBe('Internal Server Error');

      next = () => new Promise((resolve) => setTimeout(() => resolve({ statusCode: 200 }), 2_000));
      const slow = await fetch(fnUrl.url, { method: 'POST' });
      expect(slow.status).toBe(502);
    } finally {
      console.error = quiet;
    }
  });

  it("answers 413 past Lambda's 6 MB payload limit, without invoking the handler", async () => {
    next = echo;
    const limit = 6 * 1024 * 1024;
    const over = await rawRequest('/', {
      headers: [['content-type', 'application/json']],
      body: Buffer.alloc(limit + 1, 0x20),
    });
    expect(over.status).toBe(413);
    expect(over.body.toString()).toContain('6291456');
    expect(events).toHaveLength(0);
    // Exactly at the limit it is still a request (the body in one piece, bytes intact).
    const at = await rawRequest('/', {
      headers: [['content-type', 'application/json']],
      body: Buffer.alloc(limit, 0x20),
    });
    expect(at.status).toBe(200);
    expect(events[0]?.body).toHaveLength(limit);
  });
});

describe('functionUrlEvent (no HTTP)', () => {
  it('builds the same event shape from a plain request description', () => {
    const event = functionUrlEvent(
      {
        method: 'POST',
        rawPath: '/report',
        rawQueryString: 'token=abc',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'X-Twice': ['a', 'b'] },
        body: Buffer.from('status=DELIVRD'),
        sourceIp: '127.0.0.1',
      },
      { apiId: 'a'.repeat(32), now: new Date(Date.UTC(2026, 10, 22, 1, 2, 3)) },
    );
    expect(event.headers['x-twice']).toBe('a,b');
    expect(event.queryStringParameters).toEqual({ token: 'abc' });
    expect(event.isBase64Encoded).toBe(true);
    expect(Buffer.from(event.body ?? '', 'base64').toString()).toBe('status=DELIVRD');
    expect(event.requestContext.time).toBe('22/Nov/2026:01:02:03 +0000');
    expect(event.requestContext.apiId).toBe('a'.repeat(32));
  });

  it('treats only text-like content types as text', () => {
    for (const type of [
      'text/plain',
      'text/html; charset=utf-8',
      'application/json',
      'Application/JSON',
      'application/problem+json',
      'application/xml',
      'application/soap+xml',
      'application/javascript',
    ]) {
      expect(isTextContentType(type), type).toBe(true);
    }
    for (const type of [
      undefined,
      '',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      'application/octet-stream',
      'image/png',
    ]) {
      expect(isTextContentType(type), String(type)).toBe(false);
    }
  });
});
