import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { Handler } from 'aws-lambda';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type LocalFunctionUrl, startFunctionUrl } from '../../local/functionUrl.ts';
import { maskLine } from '../../local/maskLine.ts';
import { LOCAL_APP_KEY, LOCAL_APP_SECRET, LOCAL_SENDER } from '../../sandbox/huawei/server.ts';
import { ledgerId } from '../../shared/core/idempotency.ts';
import type { ReconcileResult } from '../../shared/core/reconcile.ts';
import { createDocumentClient } from '../../shared/store/client.ts';
import { loadContainer } from '../helpers/container.ts';
import { apiEvent, type JsonAnswer, lambdaContext, parseAnswer } from '../helpers/lambda.ts';
import { localEnv, useLocalServices } from '../helpers/localServices.ts';
import { isServiceLine, muteServiceLogs } from '../helpers/logScan.ts';
import { getSms, pollSms } from '../helpers/twoProviders.ts';

/*
 * Intent before send, under real crashes (SPEC "Idempotency"): the sendSms Lambda runs in a
 * process of its own (test/helpers/crashChild.ts) that is SIGKILLed at a crash point, as Lambda
 * kills a container mid-invocation. Whatever point it dies at, the message it may have sent has
 * a record (nothing lost), and a retry with the same Idempotency-Key sends nothing again
 * (nothing twice): it answers for the dead attempt's message ids instead.
 */

const SECRET_ID = 'sms-relay/test/crash';
const SECRET = JSON.stringify({
  appKey: LOCAL_APP_KEY,
  appSecret: LOCAL_APP_SECRET,
  sender: LOCAL_SENDER,
});
const CHILD = resolve(import.meta.dirname, '../helpers/crashChild.ts');
/** The child's Lambda deadline, so its claim's lease: short, the retries wait it out. */
const CHILD_REMAINING_MS = 4_000;
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

const local = useLocalServices(
  {
    table: 'sms-relay-crash-test',
    secrets: { [SECRET_ID]: SECRET },
    sandbox: { deliveryDelayMs: 100, pushRetryDelayMs: 50 },
  },
  () => {},
);

let callback: LocalFunctionUrl;
let handlers: Record<'sendSms' | 'statusCallback' | 'getMessage', Handler>;
let runReconcile: (now: Date) => Promise<ReconcileResult>;

/** Reports reach the statusCallback only once a test lets them (to see `unknown` first). */
let reportsHeld: { open(): void; wait: Promise<void> };
function holdReports() {
  let open = () => {};
  const wait = new Promise<void>((resolve) => {
    open = resolve;
  });
  reportsHeld = { open, wait };
}

/** The environment of a function pointed at the local services (and the given overrides). */
function envOf(overrides: Record<string, string> = {}): Record<string, string> {
  return localEnv(local.services, {
    SMS_SECRET_ID: SECRET_ID,
    STATUS_CALLBACK_URL: callback.url,
    HUAWEI_SMS_TIMEOUT_MS: '1500',
    ...overrides,
  });
}

/** The three handlers and reconciliation, as one fresh container set in this process. */
async function loadHandlers() {
  ({ handlers, runReconcile } = await loadContainer(envOf()));
}

beforeAll(async () => {
  callback = await startFunctionUrl(async (event, context) => {
    await reportsHeld.wait;
    return (await handlers.statusCallback(event, context, () => {})) as string;
  });
  await loadHandlers();
});
afterAll(async () => {
  reportsHeld?.open();
  await callback?.close();
});
beforeEach(() => holdReports());
afterEach(() => reportsHeld.open());

// ---------------------------------------------------------------------------------------------
// The kill proxy and the child

/** An upstream answer, read whole. */
interface Upstream {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/**
 * A proxy in front of `target` that lets `onRequest` decide, per request, what happens: forward
 * it (and relay the answer, or not), or kill someone first. An undefined result drops the
 * connection without an answer.
 */
async function startKillProxy(
  target: string,
  onRequest: (body: string, forward: () => Promise<Upstream>) => Promise<Upstream | undefined>,
): Promise<{ url: string; requests: string[]; close(): Promise<void> }> {
  const upstream = new URL(target);
  const requests: string[] = [];
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    requests.push(body.toString('utf8'));
    const forward = () =>
      new Promise<Upstream>((resolveAnswer, reject) => {
        const out = request(
          {
            host: upstream.hostname,
            port: upstream.port,
            method: req.method,
            path: req.url,
            headers: req.headers,
          },
          async (answer) => {
            const parts: Buffer[] = [];
            for await (const part of answer) parts.push(part as Buffer);
            resolveAnswer({
              status: answer.statusCode ?? 502,
              headers: answer.headers,
              body: Buffer.concat(parts),
            });
          },
        );
        out.on('error', reject);
        out.end(body);
      });
    try {
      const answer = await onRequest(body.toString('utf8'), forward);
      if (!answer) {
        res.destroy();
        return;
      }
      res.writeHead(answer.status, answer.headers);
      res.end(answer.body);
    } catch {
      res.destroy();
    }
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: async () => {
      server.closeAllConnections();
      server.close();
    },
  };
}

/** What the child left: how it ended, and its answer if it lived to give one. */
interface ChildEnd {
  code: number | null;
  signal: NodeJS.Signals | null;
  answer?: JsonAnswer;
  /** Its output with phone numbers masked, for failure messages only. */
  tail: string;
}

/** A `POST /sms` in a child process with `env`; `kill()` SIGKILLs it and waits for its exit. */
function spawnChild(
  env: Record<string, string>,
  childRequest: { body: unknown; idempotencyKey: string; remainingMs: number },
): { kill(): Promise<void>; ended: Promise<ChildEnd> } {
  const child: ChildProcess = spawn(process.execPath, [CHILD], {
    env: {
      PATH: process.env.PATH ?? '',
      ...env,
      CRASH_CHILD_REQUEST: JSON.stringify(childRequest),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output = { stdout: '', stderr: '' };
  child.stdout?.on('data', (chunk: Buffer) => {
    output.stdout += chunk.toString('utf8');
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output.stderr += chunk.toString('utf8');
  });
  // 'close': exited, and its output drained.
  const closed = once(child, 'close') as Promise<[number | null, NodeJS.Signals | null]>;
  // Bounded: a child that neither dies nor answers is killed, and the test fails on its end.
  const guard = setTimeout(() => child.kill('SIGKILL'), 20_000);
  const ended = (async (): Promise<ChildEnd> => {
    const [code, signal] = await closed;
    clearTimeout(guard);
    const lines = `${output.stderr}\n${output.stdout}`.split('\n').filter((line) => line !== '');
    // What the service logged in the child goes to the log scan (recorded, not shown).
    const unmute = muteServiceLogs();
    try {
      for (const line of lines) if (isServiceLine(line)) process.stdout.write(`${line}\n`);
    } finally {
      unmute();
    }
    const last = lines.findLast((line) => line.startsWith('{"crashChild":'));
    const parsed = last ? (JSON.parse(last) as { crashChild: JsonAnswer }).crashChild : undefined;
    return {
      code,
      signal,
      ...(parsed ? { answer: parsed } : {}),
      tail: lines.slice(-10).map(maskLine).join('\n'),
    };
  })();
  return {
    ended,
    kill: async () => {
      child.kill('SIGKILL');
      await ended;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// What a test looks at

const BODY = { templateId: 'demo-otp', templateParas: ['4821'] };

/** The in-process `POST /sms` with an Idempotency-Key, as the child makes it (same API key). */
async function post(
  body: unknown,
  key: string,
): Promise<JsonAnswer & { headers: Record<string, string> }> {
  const headers = {
    'Content-Type': 'application/json',
    'x-api-key': 'test-key',
    'Idempotency-Key': key,
  };
  const event = apiEvent({ body: JSON.stringify(body), headers });
  event.requestContext.identity.apiKeyId = 'test-key-id';
  const result = await handlers.sendSms(event, lambdaContext(15_000), () => {});
  return { ...parseAnswer(result), headers: result.headers ?? {} };
}

const get = (messageId: string) => getSms(handlers.getMessage, messageId);

const until = (messageId: string, done: (status: string) => boolean) =>
  pollSms(handlers.getMessage, messageId, done);

const carries = (body: string, number: string) =>
  body.includes(encodeURIComponent(number)) || body.includes(`"${number}"`);

/** Requests carrying `number` that reached the provider (the sandbox) so far. */
const sentTo = (number: string) =>
  local.services.sandbox.requests.filter((r) => carries(r.body, number)).length;

/** The ledger item of the test API key's `key` on POST /sms, read as it is stored. */
async function ledgerItem(key: string): Promise<Record<string, unknown> | undefined> {
  const scope = createHash('sha256').update('id:test-key-id', 'utf8').digest('base64url');
  const client = createDocumentClient({ endpoint: local.services.dynamo.endpoint });
  const found = await client.send(
    new GetCommand({
      TableName: local.services.table,
      Key: { pk: `IDEM#${ledgerId('POST /sms', scope, key)}`, sk: 'IDEM' },
      ConsistentRead: true,
    }),
  );
  return found.Item as Record<string, unknown> | undefined;
}

/** Waits until the dead attempt's lease (its Lambda deadline) has passed. */
async function leaseOver(item: Record<string, unknown> | undefined) {
  const left = Number(item?.leaseUntil) - Date.now();
  if (left > 0) await new Promise((resolve) => setTimeout(resolve, left + 50));
}

const statuses = (view: { history: Array<{ status: string }> }) =>
  view.history.map((h) => h.status);

/**
 * The sendSms process of one case: a proxy's hook calls `kill()` at the crash point; `run` starts
 * it with `env` and waits for it to die there (SIGKILL, no answer); `kill()` again when done.
 */
function crashPoint() {
  let child: ReturnType<typeof spawnChild> | undefined;
  return {
    kill: async () => child?.kill(),
    async run(env: Record<string, string>, body: unknown, idempotencyKey: string) {
      child = spawnChild(env, { body, idempotencyKey, remainingMs: CHILD_REMAINING_MS });
      const end = await child.ended;
      expect(end.signal, end.tail).toBe('SIGKILL');
      expect(end.answer).toBeUndefined();
    },
  };
}

/** What a retry after the lease must answer: 504 naming exactly the dead attempt's ids. */
function expectAnsweredFor(answer: JsonAnswer, planned: string[]) {
  expect(answer.statusCode).toBe(504);
  expect(answer.body.error?.code).toBe('provider_timeout');
  expect(answer.body.error?.details?.map((d) => d.messageId)).toEqual(planned);
}

/**
 * What a dead attempt left: its claim, still in progress, naming the one id it fixed, and that
 * id's record (`recorded`). Then, once its lease is over, a retry answers for it and the next one
 * replays that answer: `sends` provider requests throughout. A record still `unknown` is answered
 * `504` (it may or may not have gone out); an outcome recorded is answered as the dead attempt
 * would have, `202` with its message, replayed (this request sent nothing). Returns the id.
 */
async function answeredForDeadAttempt(
  key: string,
  body: typeof BODY,
  number: string,
  expected: { recorded: string; sends: number; early?: (item: unknown) => Promise<void> },
): Promise<string> {
  const item = await ledgerItem(key);
  expect(item).toMatchObject({ state: 'in_progress' });
  const planned = (item?.planned ?? []) as string[];
  expect(planned).toHaveLength(1);
  const id = planned[0] as string;
  expect(await get(id)).toMatchObject({
    statusCode: 200,
    body: { messageId: id, status: expected.recorded },
  });
  await expected.early?.(item);
  await leaseOver(item);
  const retry = await post(body, key);
  if (expected.recorded === 'unknown') {
    expectAnsweredFor(retry, planned);
    expect(retry.headers['idempotent-replayed']).toBeUndefined();
  } else {
    expect(retry.statusCode).toBe(202);
    expect(retry.body.messages).toEqual([{ messageId: id, to: number, status: expected.recorded }]);
    expect(retry.headers['idempotent-replayed']).toBe('true');
  }
  expect(sentTo(number)).toBe(expected.sends);
  const again = await post(body, key);
  expect(again.headers['idempotent-replayed']).toBe('true');
  expect(again.statusCode).toBe(retry.statusCode);
  expect(again.body).toEqual(retry.body);
  expect(sentTo(number)).toBe(expected.sends);
  return id;
}

describe('sendSms killed (SIGKILL) at a crash point, then retried with the same Idempotency-Key', () => {
  it('between the provider accepting and the record: sent once, answered for, ends delivered', async () => {
    const number = '+6591230081';
    const key = 'crash-after-accept';
    const body = { ...BODY, to: [number] };
    const child = crashPoint();
    let accepted: Upstream | undefined;
    const proxy = await startKillProxy(local.services.sandbox.url, async (text, forward) => {
      if (!carries(text, number) || accepted) return forward();
      // The provider has the message (it will deliver it); the process dies before it hears so.
      accepted = await forward();
      await child.kill();
      return undefined;
    });
    try {
      await child.run(envOf({ HUAWEI_SMS_ENDPOINT: proxy.url }), body, key);
      expect(accepted?.status).toBe(200);
      expect(JSON.parse(accepted?.body.toString('utf8') ?? '{}').code).toBe('000000');
      expect(sentTo(number)).toBe(1);

      // What the dead attempt left (its claim, and its intent: nothing lost), then the retries.
      const id = await answeredForDeadAttempt(key, body, number, {
        recorded: 'unknown',
        sends: 1,
        // While its lease still holds: "still running", nothing sent.
        early: async () => {
          const early = await post(body, key);
          expect(early.statusCode).toBe(409);
          expect(early.body.error?.code).toBe('idempotency_in_progress');
        },
      });

      // The provider's report ends the message the dead attempt sent.
      reportsHeld.open();
      const view = await until(id, (status) => status !== 'unknown');
      expect(view).toMatchObject({ messageId: id, status: 'delivered', provider: 'huawei' });
      expect(statuses(view)).toEqual(['unknown', 'delivered']);
      expect(sentTo(number)).toBe(1);
    } finally {
      await child.kill();
      await proxy.close();
    }
  }, 30_000);

  it('during the provider call, before it arrives: nothing sent, never resent, ends expired', async () => {
    const number = '+6591230082';
    const key = 'crash-before-provider';
    const body = { ...BODY, to: [number] };
    const child = crashPoint();
    const proxy = await startKillProxy(local.services.sandbox.url, async (text, forward) => {
      if (!carries(text, number)) return forward();
      // The request is on its way and never reaches the provider: the process dies first.
      await child.kill();
      return undefined;
    });
    try {
      await child.run(envOf({ HUAWEI_SMS_ENDPOINT: proxy.url }), body, key);
      expect(proxy.requests.filter((text) => carries(text, number))).toHaveLength(1);
      expect(sentTo(number)).toBe(0);

      // The retry cannot know the request never arrived: it must not resend.
      const id = await answeredForDeadAttempt(key, body, number, { recorded: 'unknown', sends: 0 });

      // Its record stays `unknown` (no report comes) until reconciliation ends it.
      reportsHeld.open();
      expect((await get(id)).body.status).toBe('unknown');
      await runReconcile(new Date(Date.now() + 20 * MINUTE));
      expect((await get(id)).body.status).toBe('unknown');
      await runReconcile(new Date(Date.now() + 79 * HOUR));
      const view = (await get(id)).body;
      expect(view).toMatchObject({ messageId: id, status: 'expired' });
      expect(statuses(view)).toEqual(['unknown', 'expired']);
      expect(sentTo(number)).toBe(0);
    } finally {
      await child.kill();
      await proxy.close();
    }
  }, 30_000);

  it('after the outcome was recorded, before the key was settled: answered with the recorded outcome (202, replayed), never resent', async () => {
    const number = '+6591230083';
    const key = 'crash-before-settle';
    const body = { ...BODY, to: [number] };
    const child = crashPoint();
    // DynamoDB behind a proxy: the key's settle (UpdateItem of the IDEM# item to `done`) is held;
    // once the record of the outcome is written too, the process dies.
    let settleHeld = false;
    let outcomeRecorded = false;
    let killed: Promise<void> | undefined;
    let dead = () => {};
    const died = new Promise<void>((resolve) => {
      dead = resolve;
    });
    const killWhenBoth = () => {
      if (settleHeld && outcomeRecorded && !killed) killed = child.kill().then(dead);
    };
    const store = await startKillProxy(local.services.dynamo.endpoint, async (text, forward) => {
      if (/"pk":\{"S":"IDEM#/.test(text) && text.includes('":done"')) {
        // Never answered, never forwarded: the settle waits until the process is gone.
        settleHeld = true;
        killWhenBoth();
        await died;
        return undefined;
      }
      const answer = await forward();
      if (
        answer.status === 200 &&
        text.includes('"RequestItems"') &&
        text.includes('"status":{"S":"accepted"}')
      ) {
        // Written to the table; the process dies before it hears so (once the settle is held).
        outcomeRecorded = true;
        killWhenBoth();
        if (killed) {
          await died;
          return undefined;
        }
      }
      return answer;
    });
    try {
      await child.run(envOf({ AWS_ENDPOINT_URL_DYNAMODB: store.url }), body, key);
      expect([settleHeld, outcomeRecorded]).toEqual([true, true]);
      expect(sentTo(number)).toBe(1);

      // The outcome is recorded; the key is still the dead attempt's claim.
      const id = await answeredForDeadAttempt(key, body, number, {
        recorded: 'accepted',
        sends: 1,
      });

      // The retry's answer did not touch the record: its report still ends it.
      reportsHeld.open();
      const view = await until(id, (status) => status !== 'accepted');
      expect(view).toMatchObject({ messageId: id, status: 'delivered' });
      expect(statuses(view)).toEqual(['accepted', 'delivered']);
    } finally {
      await child.kill();
      await store.close();
    }
  }, 30_000);
});
