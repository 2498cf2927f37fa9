import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BasePushAttempt, PushQueue } from '../../sandbox/common/pushQueue.ts';

let open = 0;
let most = 0;
const server = createServer((req, res) => {
  open += 1;
  most = Math.max(most, open);
  req.resume();
  setTimeout(() => {
    open -= 1;
    res.end('ok');
  }, 5);
});
let url = '';
beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('the sandboxes’ push queue', () => {
  it('keeps at most maxInFlight pushes open at once and delivers every one', async () => {
    const attempts: BasePushAttempt[] = [];
    const queue = new PushQueue<BasePushAttempt>({
      now: () => new Date(),
      log: () => {},
      timeoutMs: 5_000,
      attempts,
      maxInFlight: 4,
    });
    for (let i = 0; i < 100; i++)
      queue.send({
        url,
        body: `n=${i}`,
        headers: () => ({ host: new URL(url).host, 'content-type': 'text/plain' }),
        extra: {},
        label: `push ${i}`,
        retries: 0,
        retryDelayMs: () => 0,
      });
    await queue.idle();
    queue.close();
    expect(most).toBeLessThanOrEqual(4);
    expect(attempts).toHaveLength(100);
    expect(
      attempts.filter((attempt) => attempt.status !== 200).map((a) => a.error ?? a.status),
    ).toEqual([]);
  });
});
