import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { maskPhone } from '../shared/phone.ts';
import { MessageIds } from './accept.ts';
import { LOCAL_APP } from './apps.ts';
import { type Handled, handle, type SandboxState } from './handler.ts';
import { NonceStore } from './nonces.ts';
import { Pusher } from './pusher.ts';
import { gatewayError, newRequestId, type Reply, systemError } from './replies.ts';
import type {
  CapturedRequest,
  PushAttempt,
  Sandbox,
  SandboxMessage,
  SandboxOptions,
} from './types.ts';
import { WSSE_WINDOW_MS } from './wsse.ts';

export { LOCAL_APP, LOCAL_APP_KEY, LOCAL_APP_SECRET, LOCAL_SENDER } from './apps.ts';
export { FORM_PATH, JSON_PATH } from './handler.ts';
export { type DeliveryOutcome, MAGIC_NUMBERS, type MagicNumber } from './magic.ts';
export { MAX_BATCH } from './pusher.ts';
export type {
  CapturedRequest,
  PushAttempt,
  PushKey,
  Sandbox,
  SandboxApp,
  SandboxMessage,
  SandboxOptions,
} from './types.ts';
export { pushUplink, type UplinkOptions, type UplinkResult } from './uplink.ts';

/** APIG refuses bodies over 12 MB. */
const MAX_BODY_BYTES = 12 * 1024 * 1024;
const DEFAULT_SLOW_MS = 3000;
const DEFAULT_DELIVERY_DELAY_MS = 1000;
const DEFAULT_PUSH_RETRIES = 3;
const DEFAULT_PUSH_RETRY_DELAY_MS = 500;
const DEFAULT_BATCH_WINDOW_MS = 200;
const DEFAULT_PUSH_TIMEOUT_MS = 5000;

function headerRecord(req: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return headers;
}

function splitTarget(target: string): { path: string; query: string } {
  const q = target.indexOf('?');
  return q === -1
    ? { path: target, query: '' }
    : { path: target.slice(0, q), query: target.slice(q + 1) };
}

function logLine(captured: CapturedRequest, handled: Handled | undefined, result: string): string {
  const parts = [`${captured.method} ${captured.path}`, result];
  if (handled?.appKey) parts.push(`app=${handled.appKey}`);
  const to = handled?.recipients ?? [];
  if (to.length > 0) {
    const shown = to.slice(0, 5).map(maskPhone).join(',');
    parts.push(`to=${shown}${to.length > 5 ? ` (+${to.length - 5} more)` : ''}`);
  }
  parts.push(`${Date.now() - captured.receivedAt.getTime()}ms`);
  return parts.join(' ');
}

function codeOf(body: unknown): string {
  if (typeof body !== 'object' || body === null) return '';
  const record = body as Record<string, unknown>;
  return String(record.code ?? record.error_code ?? '');
}

/** Starts a local stand-in for Huawei's SMS API (AK/SK and X-WSSE, Huawei's checks and codes). */
export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const now = options.now ?? (() => new Date());
  const log = options.log ?? (() => {});
  const requests: CapturedRequest[] = [];
  const messages = new Map<string, SandboxMessage>();
  const state: SandboxState = {
    apps: new Map((options.apps ?? [LOCAL_APP]).map((app) => [app.appKey, app])),
    allowedIps: options.allowedIps ? new Set(options.allowedIps) : undefined,
    nonces: new NonceStore(WSSE_WINDOW_MS),
    fired: new Set(),
    ids: new MessageIds(),
    messages,
    slowMs: options.slowMs ?? DEFAULT_SLOW_MS,
  };
  const timers = new Set<NodeJS.Timeout>();
  const latencyMs = options.latencyMs ?? 0;
  const pushes: PushAttempt[] = [];
  const pusher = new Pusher({
    pushKey: options.pushKey,
    reportUrl: options.reportUrl,
    deliveryDelayMs: options.deliveryDelayMs ?? DEFAULT_DELIVERY_DELAY_MS,
    retries: options.pushRetries ?? DEFAULT_PUSH_RETRIES,
    retryDelayMs: options.pushRetryDelayMs ?? DEFAULT_PUSH_RETRY_DELAY_MS,
    batchWindowMs: options.reportBatchWindowMs ?? DEFAULT_BATCH_WINDOW_MS,
    timeoutMs: options.pushTimeoutMs ?? DEFAULT_PUSH_TIMEOUT_MS,
    now,
    log,
    pushes,
  });

  const send = (
    res: ServerResponse,
    captured: CapturedRequest,
    reply: Reply,
    handled?: Handled,
  ) => {
    if (res.destroyed || res.writableEnded) return; // the client gave up while we were slow
    captured.response = { status: reply.status, body: reply.body };
    const text = JSON.stringify(reply.body);
    res.writeHead(reply.status, {
      'Content-Type': 'application/json;charset=UTF-8',
      'Content-Length': Buffer.byteLength(text),
      'X-Request-Id': newRequestId(),
    });
    res.end(text);
    log(logLine(captured, handled, `${reply.status} ${codeOf(reply.body)}`));
  };

  const onRequest = (
    req: IncomingMessage,
    res: ServerResponse,
    body: Buffer,
    tooLarge: boolean,
  ) => {
    const { path, query } = splitTarget(req.url ?? '/');
    const captured: CapturedRequest = {
      method: req.method ?? '',
      path,
      query,
      headers: headerRecord(req),
      body: body.toString('utf8'),
      remoteAddress: req.socket.remoteAddress ?? '',
      receivedAt: now(),
    };
    requests.push(captured);
    if (tooLarge) {
      send(res, captured, gatewayError(413, 'APIG.0201', 'Request entity too large'));
      return;
    }
    let handled: Handled;
    try {
      const wire = { method: captured.method, path, query, headers: captured.headers, body };
      handled = handle({ ...wire, remoteAddress: captured.remoteAddress }, state, now());
    } catch (error) {
      log(`sandbox error: ${error instanceof Error ? error.message : String(error)}`);
      send(res, captured, systemError(500));
      return;
    }
    // Counted from acceptance, as Huawei's are: a report may beat a slow answer.
    for (const message of handled.accepted ?? []) pusher.schedule(message);
    const { outcome } = handled;
    if (outcome.kind === 'hang') {
      log(logLine(captured, handled, 'held without an answer'));
      return; // closeAllConnections() ends it on close()
    }
    if (outcome.kind === 'reset') {
      log(logLine(captured, handled, 'connection reset'));
      req.socket.resetAndDestroy();
      return;
    }
    const delayMs = outcome.delayMs + latencyMs;
    if (delayMs <= 0) {
      send(res, captured, outcome.reply, handled);
      return;
    }
    const timer = setTimeout(() => {
      timers.delete(timer);
      send(res, captured, outcome.reply, handled);
    }, delayMs);
    timers.add(timer);
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on('end', () => onRequest(req, res, Buffer.concat(chunks), size > MAX_BODY_BYTES));
    req.on('error', () => {}); // a client that aborts mid-body: nothing to answer
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;

  return {
    url: `http://${host}:${address.port}`,
    port: address.port,
    requests,
    messages,
    pushes,
    idle: () => pusher.idle(),
    reset() {
      pusher.reset();
      pushes.length = 0;
      requests.length = 0;
      messages.clear();
      state.nonces.clear();
      state.fired.clear();
    },
    close() {
      pusher.close();
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Held, slow and idle keep-alive sockets would otherwise keep close() waiting.
        server.closeAllConnections();
      });
    },
  };
}
