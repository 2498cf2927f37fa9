import { once } from 'node:events';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';

/** An HTTP proxy in front of a local service that can be told to fail requests, like an outage. */
export interface FaultProxy {
  url: string;
  /** Answer the next `n` requests with a 500 instead of forwarding them. */
  failNext(n: number): void;
  /** Answer every request whose body matches with a 500, until called with undefined. */
  failMatching(pattern: RegExp | undefined): void;
  /** Requests failed so far. */
  failed: number;
  close(): Promise<void>;
}

/** Starts a proxy to `target` (e.g. a local DynamoDB) on a random loopback port. */
export async function startFaultProxy(target: string): Promise<FaultProxy> {
  const upstream = new URL(target);
  let toFail = 0;
  let matching: RegExp | undefined;
  const state: FaultProxy = {
    url: '',
    failed: 0,
    failNext: (n) => {
      toFail = n;
    },
    failMatching: (pattern) => {
      matching = pattern;
    },
    close: async () => {
      server.closeAllConnections();
      server.close();
    },
  };
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    if (toFail > 0 || matching?.test(body.toString('utf8'))) {
      if (toFail > 0) toFail -= 1;
      state.failed += 1;
      res.writeHead(500, { 'content-type': 'application/x-amz-json-1.0' });
      res.end(
        JSON.stringify({
          __type: 'com.amazonaws.dynamodb.v20120810#InternalServerError',
          message: 'injected',
        }),
      );
      return;
    }
    const forward = request(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forward.on('error', () => res.destroy());
    forward.end(body);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return state;
}
