import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { maskList } from './mask.ts';

/** An HTTP answer a sandbox gives: status, a JSON body and any extra headers. */
export interface Reply {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

/** What to do with a request: answer (possibly late), hold the socket forever, or reset it. */
export type Outcome =
  | { kind: 'reply'; reply: Reply; delayMs: number }
  | { kind: 'hang' }
  | { kind: 'reset' };

/** A provider handler's verdict on one request, with what the log line should say about it. */
export interface Handled {
  outcome: Outcome;
  /** Written after the path, e.g. the API action. */
  label?: string;
  /** Written after the result, e.g. `app=<key>` (never a secret). */
  tags?: string[];
  /** Recipients of a request that parsed; logged masked. */
  recipients?: string[];
}

/** A request exactly as it arrived, refused ones included, with the answer once one was given. */
export interface CapturedRequest {
  method: string;
  /** Raw path from the request line, without the query. */
  path: string;
  /** Raw query string without `?`, or empty. */
  query: string;
  /** Received headers by lower-case name (repeated ones joined with `, `). */
  headers: Record<string, string>;
  /** The body bytes as received, decoded as UTF-8. */
  body: string;
  remoteAddress: string;
  receivedAt: Date;
  /** Absent while pending, and for requests the sandbox never answers (hang, reset). */
  response?: { status: number; body: unknown };
}

/** What a handler gets: the captured request plus the exact body bytes. */
export interface ReceivedRequest extends CapturedRequest {
  bytes: Buffer;
}

export interface HttpSandboxOptions {
  host?: string | undefined;
  port?: number | undefined;
  now: () => Date;
  log: (line: string) => void;
  /** Added to every answer, like the network and platform time of the real API. */
  latencyMs: number;
  /** Bodies over this are not read into memory and get `tooLarge()`. */
  maxBodyBytes: number;
  /** Request line plus headers at most (Node's default is 16 KiB; over it: 431, no body). */
  maxHeaderBytes?: number;
  handle: (request: ReceivedRequest) => Handled;
  tooLarge: () => Reply;
  /** The answer when `handle` throws (a sandbox bug, logged). */
  internalError: () => Reply;
  /** The provider's code in an answer body, for the log line. */
  codeOf: (body: unknown) => string;
  /** `Content-Type` of every answer. */
  contentType: string;
  /** Headers every answer carries besides the reply's own (e.g. a fresh request id). */
  headers?: (reply: Reply) => Record<string, string>;
}

export interface HttpSandbox {
  url: string;
  port: number;
  requests: CapturedRequest[];
  /** Stops listening and destroys every open connection (held ones included). */
  close(): Promise<void>;
}

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

function logLine(
  captured: CapturedRequest,
  handled: Handled | undefined,
  result: string,
  startedAt: number,
): string {
  const parts = [`${captured.method} ${captured.path}`];
  if (handled?.label) parts.push(handled.label);
  parts.push(result, ...(handled?.tags ?? []));
  const to = handled?.recipients ?? [];
  if (to.length > 0) parts.push(`to=${maskList(to)}`);
  // Real elapsed time: `receivedAt` follows the injected clock, which tests pin.
  parts.push(`${Math.round(performance.now() - startedAt)}ms`);
  return parts.join(' ');
}

/**
 * The provider-neutral HTTP side of a sandbox: listens, captures every request, hands it to the
 * provider's `handle`, and answers (late, with `latencyMs` and the handler's delay), holds the
 * socket open (`hang`) or resets it (`reset`) as the handler says; one log line per request.
 */
export async function startHttpSandbox(options: HttpSandboxOptions): Promise<HttpSandbox> {
  const { now, log } = options;
  const requests: CapturedRequest[] = [];
  const timers = new Set<NodeJS.Timeout>();

  const send = (
    res: ServerResponse,
    captured: CapturedRequest,
    startedAt: number,
    reply: Reply,
    handled?: Handled,
  ) => {
    if (res.destroyed || res.writableEnded) return; // the client gave up while we were slow
    captured.response = { status: reply.status, body: reply.body };
    const text = JSON.stringify(reply.body);
    res.writeHead(reply.status, {
      'Content-Type': options.contentType,
      'Content-Length': Buffer.byteLength(text),
      ...options.headers?.(reply),
      ...reply.headers,
    });
    res.end(text);
    log(logLine(captured, handled, `${reply.status} ${options.codeOf(reply.body)}`, startedAt));
  };

  const onRequest = (
    req: IncomingMessage,
    res: ServerResponse,
    bytes: Buffer,
    tooLarge: boolean,
    startedAt: number,
  ) => {
    const { path, query } = splitTarget(req.url ?? '/');
    const captured: CapturedRequest = {
      method: req.method ?? '',
      path,
      query,
      headers: headerRecord(req),
      body: bytes.toString('utf8'),
      remoteAddress: req.socket.remoteAddress ?? '',
      receivedAt: now(),
    };
    requests.push(captured);
    if (tooLarge) {
      send(res, captured, startedAt, options.tooLarge());
      return;
    }
    let handled: Handled;
    try {
      handled = options.handle({ ...captured, bytes });
    } catch (error) {
      log(`sandbox error: ${error instanceof Error ? error.message : String(error)}`);
      send(res, captured, startedAt, options.internalError());
      return;
    }
    const { outcome } = handled;
    if (outcome.kind === 'hang') {
      log(logLine(captured, handled, 'held without an answer', startedAt));
      return; // closeAllConnections() ends it on close()
    }
    if (outcome.kind === 'reset') {
      log(logLine(captured, handled, 'connection reset', startedAt));
      req.socket.resetAndDestroy();
      return;
    }
    const delayMs = outcome.delayMs + options.latencyMs;
    if (delayMs <= 0) {
      send(res, captured, startedAt, outcome.reply, handled);
      return;
    }
    const timer = setTimeout(() => {
      timers.delete(timer);
      send(res, captured, startedAt, outcome.reply, handled);
    }, delayMs);
    timers.add(timer);
  };

  const server = createServer({ maxHeaderSize: options.maxHeaderBytes }, (req, res) => {
    const startedAt = performance.now();
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= options.maxBodyBytes) chunks.push(chunk);
    });
    req.on('end', () =>
      onRequest(req, res, Buffer.concat(chunks), size > options.maxBodyBytes, startedAt),
    );
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
    close() {
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
