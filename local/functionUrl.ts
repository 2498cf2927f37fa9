import { randomBytes, randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { type AddressInfo, isIP } from 'node:net';
import type {
  APIGatewayProxyEventV2,
  APIGatewayProxyStructuredResultV2,
  Context,
} from 'aws-lambda';

/**
 * Serves a Lambda handler as a Lambda Function URL (auth type NONE) on loopback: serverless-offline
 * has no route for function URLs. Each request becomes the event a Function URL delivers (payload
 * format 2.0) and the handler's result is mapped back the way Lambda does.
 *
 * Body encoding. AWS documents only "If the content type of the request is binary, the body is
 * base64-encoded" (Lambda developer guide, "Invoking Lambda function URLs" > request payload,
 * `body` / `isBase64Encoded`). AWS's own launch material for function URLs is more precise: unless
 * the request's Content-Type is `application/json` or `text/*`, the body is base64-encoded by
 * default. Field reports agree that `application/x-www-form-urlencoded` arrives base64-encoded
 * (e.g. LeanerCloud/CUDly PR #1483: a form POST to a function URL came as a base64 blob), and
 * LocalStack's emulator (services/lambda_/urlrouter.py) keeps only text/json/xml types as text.
 * So: text-like types (text/*, JSON, XML, JavaScript, including `+json`/`+xml` suffixes) whose
 * bytes are valid UTF-8 come as a plain string; everything else, form bodies and a missing
 * Content-Type included, comes base64-encoded. Either way the bytes are exactly the ones received.
 */
export type FunctionUrlHandler = (
  event: APIGatewayProxyEventV2,
  context: Context,
) => Promise<APIGatewayProxyStructuredResultV2 | string>;

export interface FunctionUrlOptions {
  /** Default 0: a random free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** For the Lambda context (and its ARN / log group names). Default `local-function-url`. */
  functionName?: string;
  /** The function's timeout: `getRemainingTimeInMillis` counts down from it, and a handler still
   * running when it elapses gets a 502 as a timed-out Lambda would. Default 10000. */
  timeoutMs?: number;
}

export interface LocalFunctionUrl {
  /** `http://<host>:<port>/` (with the trailing slash, as AWS prints function URLs). */
  url: string;
  close(): Promise<void>;
}

/** Lambda's synchronous invocation payload limit (request and response). */
const MAX_PAYLOAD_BYTES = 6 * 1024 * 1024;

const TEXT_SUBTYPES = new Set(['json', 'xml', 'javascript', 'ecmascript', 'x-javascript']);

/** Whether a Function URL passes a body of this Content-Type as text rather than base64. */
export function isTextContentType(contentType: string | undefined): boolean {
  if (!contentType) return false;
  const mediaType = contentType.split(';', 1)[0]?.trim().toLowerCase() ?? '';
  const [type, subtype = ''] = mediaType.split('/', 2);
  if (type === 'text') return true;
  if (type !== 'application') return false;
  return TEXT_SUBTYPES.has(subtype) || subtype.endsWith('+json') || subtype.endsWith('+xml');
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function asUtf8(bytes: Buffer): string | undefined {
  try {
    return utf8.decode(bytes);
  } catch {
    return undefined;
  }
}

const MONTHS = 'Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec'.split(' ');

/** `07/Sep/2021:22:50:22 +0000`, the format of `requestContext.time`. */
function requestTime(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return (
    `${pad(date.getUTCDate())}/${MONTHS[date.getUTCMonth()]}/${date.getUTCFullYear()}:` +
    `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} +0000`
  );
}

/** The body's bytes, or 'too-large' once past Lambda's payload limit (the rest is drained unread). */
function readBody(req: IncomingMessage): Promise<Buffer | 'too-large'> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      if (size > MAX_PAYLOAD_BYTES) return;
      size += chunk.length;
      if (size > MAX_PAYLOAD_BYTES) resolve('too-large');
      else chunks.push(chunk);
    });
    req.on('end', () => {
      if (size <= MAX_PAYLOAD_BYTES)
        resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size));
    });
    req.on('error', reject);
  });
}

/** One HTTP request as the Function URL front end sees it. */
export interface FunctionUrlRequest {
  method: string;
  /** The path as received, percent-encoding intact. */
  rawPath: string;
  /** The query as received, without '?' ('' when none). */
  rawQueryString: string;
  /** Any case; a repeated header as an array (or already comma-joined). */
  headers: Record<string, string | string[] | undefined>;
  /** The exact body bytes (empty when none). */
  body: Buffer;
  sourceIp: string;
  /** Default HTTP/1.1. */
  protocol?: string;
  /** The port the request came in on, for x-forwarded-port. */
  localPort?: number;
}

/**
 * The Function URL event (payload format 2.0) for one request. Exported so benchmarks and tests
 * can build exactly the event the server would deliver without going through HTTP.
 */
export function functionUrlEvent(
  request: FunctionUrlRequest,
  options: { apiId?: string; now?: Date } = {},
): APIGatewayProxyEventV2 {
  const { rawPath, rawQueryString, sourceIp, body } = request;
  const apiId = options.apiId ?? newApiId();
  const now = options.now ?? new Date();

  // Lower-cased names, repeated values comma-joined; cookies travel in `cookies` instead.
  const headers: Record<string, string> = {};
  const cookieLines: string[] = [];
  for (const rawName of Object.keys(request.headers)) {
    const value = request.headers[rawName];
    if (value === undefined) continue;
    const name = rawName.toLowerCase();
    if (name === 'cookie') {
      if (typeof value === 'string') cookieLines.push(value);
      else cookieLines.push(...value);
      continue;
    }
    const joined = typeof value === 'string' ? value : value.join(',');
    const prior = headers[name];
    headers[name] = prior === undefined ? joined : `${prior},${joined}`;
  }
  const forwardedFor = headers['x-forwarded-for'];
  headers['x-forwarded-for'] = forwardedFor ? `${forwardedFor}, ${sourceIp}` : sourceIp;
  headers['x-forwarded-proto'] ??= 'http';
  if (request.localPort !== undefined) headers['x-forwarded-port'] ??= String(request.localPort);
  headers['x-amzn-trace-id'] ??=
    `Root=1-${Math.floor(now.getTime() / 1000).toString(16)}-${traceSuffix()}`;

  const cookies = cookieLines
    .flatMap((line) => line.split(';'))
    .map((cookie) => cookie.trim())
    .filter((cookie) => cookie !== '');

  const queryStringParameters: Record<string, string> = {};
  const params = new URLSearchParams(rawQueryString);
  for (const [key, value] of params) {
    queryStringParameters[key] = Object.hasOwn(queryStringParameters, key)
      ? `${queryStringParameters[key]},${value}`
      : value;
  }

  const host = headers.host ?? '';
  const hostname = host.replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
  const event: APIGatewayProxyEventV2 = {
    version: '2.0',
    routeKey: '$default',
    rawPath,
    rawQueryString,
    headers,
    requestContext: {
      accountId: 'anonymous',
      apiId,
      domainName: host,
      domainPrefix: hostname === '' || isIP(hostname) ? apiId : (hostname.split('.')[0] ?? apiId),
      http: {
        method: request.method,
        path: rawPath,
        protocol: request.protocol ?? 'HTTP/1.1',
        sourceIp,
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
      routeKey: '$default',
      stage: '$default',
      time: requestTime(now),
      timeEpoch: now.getTime(),
    },
    isBase64Encoded: false,
  };
  if (cookies.length > 0) event.cookies = cookies;
  if (params.size > 0) event.queryStringParameters = queryStringParameters;
  if (body.length > 0) {
    const text = isTextContentType(headers['content-type']) ? asUtf8(body) : undefined;
    event.body = text ?? body.toString('base64');
    event.isBase64Encoded = text === undefined;
  }
  return event;
}

/** What the server hands to functionUrlEvent for a node:http request. */
function describeRequest(req: IncomingMessage, body: Buffer): FunctionUrlRequest {
  const target = req.url ?? '/';
  const queryAt = target.indexOf('?');
  const described: FunctionUrlRequest = {
    method: req.method ?? 'GET',
    rawPath: queryAt === -1 ? target : target.slice(0, queryAt),
    rawQueryString: queryAt === -1 ? '' : target.slice(queryAt + 1),
    headers: req.headersDistinct,
    body,
    sourceIp: (req.socket.remoteAddress ?? '').replace(/^::ffff:/, ''),
    protocol: `HTTP/${req.httpVersion}`,
  };
  if (req.socket.localPort !== undefined) described.localPort = req.socket.localPort;
  return described;
}

/** The 24 hex digits after a trace id's time: 96 random bits, from randomUUID's entropy cache
 * rather than a getrandom call per request. */
function traceSuffix(): string {
  const uuid = randomUUID();
  return (
    uuid.slice(0, 8) +
    uuid.slice(9, 13) +
    uuid.slice(15, 18) +
    uuid.slice(20, 23) +
    uuid.slice(24, 30)
  );
}

/** Function URL ids are 32 lower-case alphanumerics. */
function newApiId(): string {
  return randomBytes(20).toString('hex').slice(0, 32);
}

/** The Lambda context of each invocation, its fixed parts made once (as for one container). */
function lambdaContexts(functionName: string, timeoutMs: number): (requestId: string) => Context {
  const region = process.env.AWS_REGION ?? 'ap-southeast-1';
  const invokedFunctionArn = `arn:aws:lambda:${region}:000000000000:function:${functionName}`;
  const logGroupName = `/aws/lambda/${functionName}`;
  const logStreamName = `${new Date().toISOString().slice(0, 10).replaceAll('-', '/')}/[$LATEST]local`;
  const nothing = () => {};
  return (requestId) => {
    const deadline = Date.now() + timeoutMs;
    return {
      callbackWaitsForEmptyEventLoop: true,
      functionName,
      functionVersion: '$LATEST',
      invokedFunctionArn,
      memoryLimitInMB: '256',
      awsRequestId: requestId,
      logGroupName,
      logStreamName,
      getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
      done: nothing,
      fail: nothing,
      succeed: nothing,
    };
  };
}

interface HttpAnswer {
  statusCode: number;
  headers: Record<string, string | string[]>;
  body: Buffer;
}

function internalServerError(requestId: string): HttpAnswer {
  return {
    statusCode: 502,
    headers: { 'content-type': 'application/json', 'x-amzn-requestid': requestId },
    body: Buffer.from('Internal Server Error'),
  };
}

/** Maps a handler's result to the HTTP answer as Lambda's function URL front end does. */
export function httpAnswer(result: unknown, requestId: string): HttpAnswer {
  const headers: Record<string, string | string[]> = { 'x-amzn-requestid': requestId };
  const structured =
    typeof result === 'object' &&
    result !== null &&
    !Array.isArray(result) &&
    'statusCode' in result;
  if (!structured) {
    // No statusCode: Lambda takes the whole (JSON) result as a 200 application/json body, so a
    // string result "x" is sent as the JSON text "\"x\"" (the developer guide's example answers
    // the output "Hello, world!" with `content-length: 15`, quotes included).
    headers['content-type'] = 'application/json';
    return { statusCode: 200, headers, body: Buffer.from(JSON.stringify(result) ?? 'null') };
  }
  const r = result as APIGatewayProxyStructuredResultV2;
  if (!Number.isInteger(r.statusCode) || (r.statusCode as number) < 100) {
    return internalServerError(requestId);
  }
  for (const [name, value] of Object.entries(r.headers ?? {})) {
    headers[name.toLowerCase()] = String(value);
  }
  if (r.cookies?.length) headers['set-cookie'] = r.cookies;
  headers['content-type'] ??= 'application/json';
  const body =
    r.body === undefined || r.body === null
      ? Buffer.alloc(0)
      : r.isBase64Encoded
        ? Buffer.from(r.body, 'base64')
        : Buffer.from(r.body, 'utf8');
  return { statusCode: r.statusCode as number, headers, body };
}

const TIMED_OUT = Symbol('timed out');

function send(res: ServerResponse, answer: HttpAnswer) {
  res.writeHead(answer.statusCode, { ...answer.headers, 'content-length': answer.body.length });
  res.end(answer.body);
}

/** Serves `handler` as a Function URL on `host:port` (default: a random loopback port). */
export async function startFunctionUrl(
  handler: FunctionUrlHandler,
  options: FunctionUrlOptions = {},
): Promise<LocalFunctionUrl> {
  const host = options.host ?? '127.0.0.1';
  const functionName = options.functionName ?? 'local-function-url';
  const timeoutMs = options.timeoutMs ?? 10_000;
  const apiId = newApiId();
  const lambdaContext = lambdaContexts(functionName, timeoutMs);

  const server = createServer(async (req, res) => {
    const requestId = randomUUID();
    try {
      const body = await readBody(req);
      if (body === 'too-large') {
        res.writeHead(413, { 'content-type': 'application/json', connection: 'close' });
        res.end(
          '{"Message":"Request must be smaller than 6291456 bytes for the InvokeFunction operation"}',
        );
        return;
      }
      const event = functionUrlEvent(describeRequest(req, body), { apiId });
      const context = lambdaContext(requestId);
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<typeof TIMED_OUT>((resolve) => {
        timer = setTimeout(() => resolve(TIMED_OUT), timeoutMs);
      });
      let result: unknown;
      try {
        result = await Promise.race([
          Promise.resolve().then(() => handler(event, context)),
          timedOut,
        ]);
      } finally {
        clearTimeout(timer);
      }
      if (result === TIMED_OUT) {
        console.error(`[functionUrl] ${functionName}: Task timed out after ${timeoutMs} ms`);
        return send(res, internalServerError(requestId));
      }
      const answer = httpAnswer(result, requestId);
      if (answer.body.length > MAX_PAYLOAD_BYTES) return send(res, internalServerError(requestId));
      send(res, answer);
    } catch (err) {
      // What Lambda logs for an unhandled error; the caller only sees the 502.
      console.error(`[functionUrl] ${functionName}: handler failed:`, err);
      if (!res.headersSent) send(res, internalServerError(requestId));
      else res.destroy();
    }
  });
  server.listen(options.port ?? 0, host);
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const urlHost = isIP(host) === 6 ? `[${host}]` : host;
  let closed: Promise<void> | undefined;
  return {
    url: `http://${urlHost}:${port}/`,
    close() {
      closed ??= new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
      return closed;
    },
  };
}
