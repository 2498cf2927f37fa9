/**
 * The local stack end to end, started the way a user starts it (`node local/start.ts`, i.e.
 * `npm start`) on a free PORT: the printed key works through the HTTP API (serverless-offline
 * running the real, bundled handlers), a message becomes `delivered` through the sandbox's signed
 * push to the local Function URL, the demo succeeds, and SIGINT leaves nothing running.
 */

import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../local/ports.ts';
import { LOCAL_PUSH_AK, LOCAL_PUSH_SK } from '../../local/stack.ts';
import { LOCAL_SENDER, pushUplink } from '../../sandbox/huawei/server.ts';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const STARTUP_TIMEOUT_MS = 60_000;
// Its own state file, so a stack a developer is running keeps .sms-relay-local.json.
const stateFile = join(tmpdir(), `sms-relay-e2e-${process.pid}-${Date.now()}.json`);

interface Printed {
  apiBaseUrl: string;
  apiKey: string;
  statusCallbackUrl: string;
  alibabaReceiptUrl: string;
}

let stack: ChildProcess;
let port: number;
let printed: Printed;
let stdout = '';
let stderr = '';

async function portIsFree(p: number): Promise<boolean> {
  const server = createServer();
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(p, '127.0.0.1', () => resolve());
    });
    return true;
  } catch {
    return false;
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

/** Every live (non-zombie) descendant of `root`, from `ps` (Linux and macOS). */
function descendants(root: number): number[] {
  const rows = execFileSync('ps', ['-A', '-o', 'pid=,ppid=,stat='], { encoding: 'utf8' })
    .trim()
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .map(([pid, ppid, stat]) => ({ pid: Number(pid), ppid: Number(ppid), stat: stat ?? '' }));
  const found: number[] = [];
  const queue = [root];
  while (queue.length > 0) {
    const parent = queue.shift();
    for (const row of rows) {
      if (row.ppid === parent && !row.stat.startsWith('Z')) {
        found.push(row.pid);
        queue.push(row.pid);
      }
    }
  }
  return found;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  // A zombie has exited; only its parent has not collected it yet.
  try {
    const stat = execFileSync('ps', ['-o', 'stat=', '-p', String(pid)], { encoding: 'utf8' });
    return !stat.trim().startsWith('Z');
  } catch {
    return false;
  }
}

/** Resolves with the four lines once all are printed; rejects if the stack exits or is too slow. */
function waitForLines(child: ChildProcess): Promise<Printed> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no four lines within ${STARTUP_TIMEOUT_MS} ms\n${stderr}`)),
      STARTUP_TIMEOUT_MS,
    );
    const check = () => {
      const apiBaseUrl = /^API base URL: (\S+)$/m.exec(stdout)?.[1];
      const apiKey = /^API key: (\S+)$/m.exec(stdout)?.[1];
      const statusCallbackUrl = /^Status callback URL: (\S+)$/m.exec(stdout)?.[1];
      const alibabaReceiptUrl = /^Alibaba receipt URL: (\S+)$/m.exec(stdout)?.[1];
      if (apiBaseUrl && apiKey && statusCallbackUrl && alibabaReceiptUrl) {
        clearTimeout(timer);
        resolve({ apiBaseUrl, apiKey, statusCallbackUrl, alibabaReceiptUrl });
      }
    };
    child.stdout?.on('data', check);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`local/start.ts exited (code ${code}, signal ${signal})\n${stderr}`));
    });
  });
}

async function api(path: string, init: RequestInit = {}, apiKey = printed.apiKey) {
  const res = await fetch(`${printed.apiBaseUrl}${path}`, {
    ...init,
    headers: { 'x-api-key': apiKey, 'content-type': 'application/json', ...init.headers },
  });
  const text = await res.text();
  return { status: res.status, body: text === '' ? undefined : (JSON.parse(text) as unknown) };
}

beforeAll(async () => {
  port = await freePort();
  stack = spawn(process.execPath, ['local/start.ts'], {
    cwd: repoRoot,
    env: { ...process.env, PORT: String(port), SMS_RELAY_STATE_FILE: stateFile },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  stack.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
  });
  stack.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  printed = await waitForLines(stack);
}, STARTUP_TIMEOUT_MS + 10_000);

afterAll(async () => {
  // Only if a test failed before the SIGINT test: never leave the stack behind.
  if (stack && stack.exitCode === null && stack.signalCode === null) {
    const pids = descendants(stack.pid as number);
    stack.kill('SIGKILL');
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
  }
  rmSync(stateFile, { force: true });
});

describe('npm start (local/start.ts)', () => {
  it('prints the API base URL, the API key, the status callback and Alibaba receipt URLs, and writes them down', () => {
    expect(printed.apiBaseUrl).toBe(`http://127.0.0.1:${port}`);
    expect(printed.apiKey).toMatch(/^\S{20,}$/);
    expect(printed.statusCallbackUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect(printed.alibabaReceiptUrl).toBe(
      `${printed.statusCallbackUrl}alibaba?token=${new URL(printed.alibabaReceiptUrl).searchParams.get('token')}`,
    );
    expect(new URL(printed.alibabaReceiptUrl).searchParams.get('token')).toMatch(/^\S{16,}$/);
    // Exactly the four lines on stdout; everything else goes to stderr.
    expect(stdout.trim().split('\n')).toHaveLength(4);
    const state = JSON.parse(readFileSync(stateFile, 'utf8')) as Printed & { pid: number };
    expect(state).toMatchObject({ ...printed, pid: stack.pid });
  });

  it('sends through the HTTP API with the printed key and sees the message delivered', async () => {
    const sent = await api('/sms', {
      method: 'POST',
      body: JSON.stringify({ to: '+6591234567', templateId: 'e2e-otp', templateParas: ['0042'] }),
    });
    expect(sent.status).toBe(202);
    const [message] = (sent.body as { messages: Array<{ messageId: string; status: string }> })
      .messages;
    expect(message?.status).toBe('accepted');

    const deadline = Date.now() + 8_000;
    let view: { status?: string; history?: Array<{ status: string }> } = {};
    while (Date.now() < deadline) {
      const got = await api(`/sms/${message?.messageId}`);
      expect(got.status).toBe(200);
      view = got.body as typeof view;
      if (view.status !== 'accepted') break;
      await new Promise((resolve) => setTimeout(resolve, 150));
    }
    expect(view.status).toBe('delivered');
    expect(view.history?.map((entry) => entry.status)).toEqual(['accepted', 'delivered']);
  }, 20_000);

  it('50 concurrent identical POST /sms with one Idempotency-Key send once; later replays say so', async () => {
    const init = {
      method: 'POST',
      headers: { 'idempotency-key': `e2e-${port}` },
      body: JSON.stringify({ to: '+6591239876', templateId: 'demo-otp', templateParas: ['7'] }),
    };
    const answers = await Promise.all(Array.from({ length: 50 }, () => api('/sms', init)));
    const sent = answers.filter((a) => a.status === 202);
    expect(sent.length).toBeGreaterThanOrEqual(1);
    expect(answers.every((a) => a.status === 202 || a.status === 409)).toBe(true);
    // Every send would have its own messageId: one id among all answers is one send.
    const ids = new Set(
      sent.map(
        (a) => (a.body as { messages: Array<{ messageId: string }> }).messages[0]?.messageId,
      ),
    );
    expect(ids.size).toBe(1);
    const res = await fetch(`${printed.apiBaseUrl}/sms`, {
      ...init,
      headers: { ...init.headers, 'x-api-key': printed.apiKey, 'content-type': 'application/json' },
    });
    expect(res.status).toBe(202);
    expect(res.headers.get('idempotent-replayed')).toBe('true');
    expect(await res.json()).toEqual(sent[0]?.body);
  }, 30_000);

  it('abuse controls: premium, satellite and network numbers refused; the 11th message rate_limited; STOP then START', async () => {
    const send = (to: string | string[]) =>
      api('/sms', {
        method: 'POST',
        body: JSON.stringify({ to, templateId: 'demo-otp', templateParas: ['1'] }),
      });
    for (const number of ['+979123456789', '+881612345678', '+882163456789', '+19002345678']) {
      const refused = await send(number);
      expect(refused.status).toBe(400);
      expect(JSON.stringify(refused.body)).toContain('destination_not_allowed');
    }
    // The default SMS_RECIPIENT_LIMIT is 10/1h.
    const busy = `+6591${String(Date.now()).slice(-6)}`;
    for (let i = 0; i < 10; i++) expect((await send(busy)).status).toBe(202);
    const eleventh = await send(busy);
    expect(eleventh.status).toBe(429);
    expect((eleventh.body as { error: { code: string } }).error.code).toBe('rate_limited');
    // A STOP reply, pushed the way the sandbox (and Huawei) push replies, to the printed URL.
    const replier = `+6598${String(Date.now()).slice(-6)}`;
    const reply = (body: string) =>
      pushUplink({
        url: printed.statusCallbackUrl,
        from: replier,
        to: LOCAL_SENDER,
        body,
        pushKey: { ak: LOCAL_PUSH_AK, sk: LOCAL_PUSH_SK },
      });
    expect((await reply('STOP')).status).toBe(200);
    const stopped = await send([replier, busy.replace(/.$/, '0')]);
    expect(stopped.status).toBe(202);
    expect(
      (stopped.body as { messages: Array<{ status: string; error?: { code: string } }> })
        .messages[0],
    ).toMatchObject({ status: 'rejected', error: { code: 'opted_out' } });
    expect((await reply('START')).status).toBe(200);
    expect((await send(replier)).status).toBe(202);
    // The opt-out API puts the number in the path, which offline logs for every request.
    const path = `/opt-outs/${encodeURIComponent(replier)}`;
    expect((await api(path, { method: 'PUT' })).status).toBe(200);
    expect((await api(path, { method: 'DELETE' })).status).toBe(204);
    await new Promise((resolve) => setTimeout(resolve, 500));
    for (const number of [replier, busy]) expect(stderr + stdout).not.toContain(number.slice(1));
  }, 30_000);

  it("answers Alibaba's connectivity check on the receipt URL and refuses a receipt without the token", async () => {
    const probe = await fetch(printed.alibabaReceiptUrl);
    expect(probe.status).toBe(200);
    expect(await probe.json()).toEqual({ code: 0, msg: 'OK' });
    const forged = new URL(printed.alibabaReceiptUrl);
    forged.searchParams.set('token', 'not-the-receipt-token');
    const refused = await fetch(forged, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([
        { phone_number: '13800138000', success: true, err_code: 'DELIVERED', biz_id: '1^0' },
      ]),
    });
    expect(refused.status).toBe(401);
  });

  it('answers 403 to a wrong API key and 404 to an unknown message id', async () => {
    const id = randomUUID();
    expect((await api(`/sms/${id}`, {}, 'not-the-key')).status).toBe(403);
    expect(
      (await api('/sms', { method: 'POST', body: '{"to":"+6591234567","templateId":"x"}' }, 'nope'))
        .status,
    ).toBe(403);
    const unknown = await api(`/sms/${id}`);
    expect(unknown.status).toBe(404);
    expect(unknown.body).toMatchObject({ error: { code: 'not_found' } });
  });

  it('npm run demo (local/demo.ts) sends, follows and prints the timeline, exiting 0', async () => {
    const demo = spawn(process.execPath, ['local/demo.ts'], {
      cwd: repoRoot,
      env: { ...process.env, SMS_RELAY_STATE_FILE: stateFile },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    demo.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
    });
    demo.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
    });
    const [code] = (await once(demo, 'exit')) as [number | null];
    expect(out).toMatch(/Status timeline of [0-9a-f-]{36}/);
    expect(out).toMatch(/^ {2}\S+Z {2}accepted$/m);
    expect(out).toMatch(/^ {2}\S+Z {2}delivered +DELIVRD$/m);
    expect(code, out).toBe(0);
  }, 20_000);

  it('npm run demo -- +8613800138000 follows a message through Alibaba until delivered', async () => {
    const demo = spawn(process.execPath, ['local/demo.ts', '+8613800138000'], {
      cwd: repoRoot,
      env: { ...process.env, SMS_RELAY_STATE_FILE: stateFile },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    demo.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
    });
    demo.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
    });
    const [code] = (await once(demo, 'exit')) as [number | null];
    expect(out).toMatch(/Status timeline of [0-9a-f-]{36} \(to \+8613800138000, through alibaba\)/);
    expect(out).toMatch(/^ {2}\S+Z {2}delivered +DELIVERED$/m);
    expect(code, out).toBe(0);
  }, 20_000);

  it('stops every process on SIGINT, frees the port and removes the state file', async () => {
    const pid = stack.pid as number;
    const tree = descendants(pid);
    expect(tree.length).toBeGreaterThan(0); // serverless-offline (and esbuild's service)
    const exited = once(stack, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
    stack.kill('SIGINT');
    const [code, signal] = await exited;
    expect({ code, signal }).toEqual({ code: 0, signal: null });
    // A grandchild may need a moment longer to be gone after its parent.
    const deadline = Date.now() + 5_000;
    while (tree.some(alive) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(tree.filter(alive)).toEqual([]);
    expect(await portIsFree(port)).toBe(true);
    expect(existsSync(stateFile)).toBe(false);
  }, 20_000);
});
