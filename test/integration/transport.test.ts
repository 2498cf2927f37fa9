import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createAgent } from '../../shared/transport/agent.ts';
import { backoffDelay, DEFAULT_RETRY_POLICY, sendWithRetry } from '../../shared/transport/retry.ts';
import { type HttpRequest, sendOnce, TransportError } from '../../shared/transport/sendOnce.ts';
import { deadlineIn } from '../../shared/util/deadline.ts';

type Behaviour = (req: IncomingMessage, res: ServerResponse, body: string) => void;

let server: Server;
let origin: string;
let behaviours: Behaviour[] = [];
let received = 0;
const agent = createAgent({
  connectTimeoutMs: 1_000,
  headersTimeoutMs: 30_000,
  bodyTimeoutMs: 30_000,
  maxIdleMs: 15_000,
});

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      received += 1;
      const behaviour = behaviours.shift() ?? ((_q, r) => r.end('ok'));
      behaviour(req, res, body);
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterEach(async () => {
  behaviours = [];
  received = 0;
  server.closeAllConnections();
  // Let the client see the close before the next test reuses the pool.
  await new Promise((resolve) => setTimeout(resolve, 20));
});
afterAll(async () => {
  await agent.close();
  server.close();
});

function request(): HttpRequest {
  return {
    origin,
    method: 'POST',
    path: '/x',
    headers: { 'content-type': 'text/plain' },
    body: 'hello',
  };
}
const fast = { ...DEFAULT_RETRY_POLICY, baseDelayMs: 1, maxDelayMs: 5, minAttemptMs: 10 };
const once_ =
  (deadlineMs = 5_000, headersTimeoutMs = 5_000) =>
  (req: HttpRequest) =>
    sendOnce(agent, req, {
      signal: deadlineIn(deadlineMs).signal,
      headersTimeoutMs,
      bodyTimeoutMs: 5_000,
      maxResponseBytes: 1024,
    });

async function failure(promise: Promise<unknown>): Promise<TransportError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof TransportError) return error;
    throw error;
  }
  throw new Error('expected a failure');
}

describe('sendOnce', () => {
  it('returns the status, headers and body of an answer', async () => {
    behaviours.push((_q, res, body) => res.writeHead(201, { 'x-echo': body }).end('done'));
    const response = await once_()(request());
    expect(response).toMatchObject({ status: 201, body: 'done', headers: { 'x-echo': 'hello' } });
  });

  it('knows a refused connection sent nothing', async () => {
    const error = await failure(once_()({ ...request(), origin: 'http://127.0.0.1:9' }));
    expect(error).toMatchObject({ reason: 'ECONNREFUSED', requestSent: false });
  });

  it('knows a reset after the request was written may have been processed', async () => {
    behaviours.push((req) => req.socket.destroy());
    const error = await failure(once_()(request()));
    expect(error.requestSent).toBe(true);
  });

  it('treats a missing answer as sent: headers timeout', async () => {
    behaviours.push(() => {});
    const error = await failure(once_(5_000, 200)(request()));
    expect(error).toMatchObject({ reason: 'UND_ERR_HEADERS_TIMEOUT', requestSent: true });
  });

  it('stops at the deadline with the request marked as sent when it was', async () => {
    behaviours.push(() => {});
    const started = Date.now();
    const error = await failure(once_(300)(request()));
    expect(error).toMatchObject({ reason: 'DEADLINE_EXCEEDED', requestSent: true });
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('refuses to start after the deadline, sending nothing', async () => {
    const error = await failure(once_(0)(request()));
    expect(error).toMatchObject({ reason: 'DEADLINE_EXCEEDED', requestSent: false });
    expect(received).toBe(0);
  });
});

describe('createAgent', () => {
  it('reuses a connection in a burst and opens a fresh one after a long pause', async () => {
    let clock = 0;
    const pool = createAgent({
      connectTimeoutMs: 1_000,
      headersTimeoutMs: 5_000,
      bodyTimeoutMs: 5_000,
      maxIdleMs: 15_000,
      now: () => clock,
    });
    let connections = 0;
    const count = () => connections++;
    server.on('connection', count);
    try {
      const send = (req: HttpRequest) =>
        sendOnce(pool, req, {
          signal: deadlineIn(5_000).signal,
          headersTimeoutMs: 5_000,
          bodyTimeoutMs: 5_000,
          maxResponseBytes: 1024,
        });
      await send(request());
      await new Promise((resolve) => setImmediate(resolve)); // the socket returns to the pool
      clock += 1_000;
      await send(request());
      expect(connections).toBe(1);
      clock += 60_000; // a frozen Lambda: the socket may be dead without the client knowing
      await send(request());
      expect(connections).toBe(2);
    } finally {
      server.off('connection', count);
      await pool.close();
    }
  });
});

describe('sendWithRetry', () => {
  it('retries a 503 and returns the success, signing each attempt afresh', async () => {
    behaviours.push((_q, res) => res.writeHead(503).end('busy'));
    const prepared: number[] = [];
    const result = await sendWithRetry(
      (attempt) => {
        prepared.push(attempt);
        return request();
      },
      once_(),
      deadlineIn(5_000),
      fast,
    );
    expect(result.attempts).toBe(2);
    expect(result.response.status).toBe(200);
    expect(prepared).toEqual([1, 2]);
    expect(received).toBe(2);
  });

  it('does not retry a gateway timeout (504): the request may be behind it', async () => {
    behaviours.push((_q, res) => res.writeHead(504).end());
    const result = await sendWithRetry(request, once_(), deadlineIn(5_000), fast);
    expect(result).toMatchObject({ attempts: 1, response: { status: 504 } });
    expect(received).toBe(1);
  });

  it('retries 429 and gives the last answer back when attempts run out', async () => {
    for (let i = 0; i < 5; i++) behaviours.push((_q, res) => res.writeHead(429).end());
    const result = await sendWithRetry(request, once_(), deadlineIn(5_000), fast);
    expect(result).toMatchObject({ attempts: 3, response: { status: 429 } });
    expect(received).toBe(3);
  });

  it('retries refused connections up to the attempt limit', async () => {
    let attempts = 0;
    const error = await failure(
      sendWithRetry(
        () => {
          attempts++;
          return { ...request(), origin: 'http://127.0.0.1:9' };
        },
        once_(),
        deadlineIn(5_000),
        fast,
      ),
    );
    expect(error.reason).toBe('ECONNREFUSED');
    expect(attempts).toBe(3);
  });

  it('never resends a request that may have been processed', async () => {
    behaviours.push((req) => req.socket.destroy());
    const error = await failure(sendWithRetry(request, once_(), deadlineIn(5_000), fast));
    expect(error.requestSent).toBe(true);
    expect(received).toBe(1);
  });

  it('does not start an attempt it has no time for', async () => {
    behaviours.push((_q, res) => res.writeHead(503).end());
    const result = await sendWithRetry(request, once_(), deadlineIn(500), {
      ...fast,
      minAttemptMs: 1_000,
    });
    expect(result).toMatchObject({ attempts: 1, response: { status: 503 } });
  });

  it('backs off with capped full jitter', () => {
    const policy = {
      ...DEFAULT_RETRY_POLICY,
      baseDelayMs: 100,
      maxDelayMs: 1_000,
      random: () => 0.999,
    };
    expect([0, 1, 2, 3, 4, 10].map((n) => backoffDelay(n, policy))).toEqual([
      99, 199, 399, 799, 999, 999,
    ]);
    expect(backoffDelay(3, { ...policy, random: () => 0 })).toBe(0);
  });
});
