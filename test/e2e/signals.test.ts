/**
 * `npm start` as a user runs it, through npm: SIGTERM or SIGINT sent to npm's own process (not
 * to local/start.ts) stops everything the stack started, i.e. local/start.ts (which holds the
 * sandboxes, dynalite, the Secrets Manager endpoint and the Function URLs), serverless-offline
 * and esbuild's service, and every port they listened on is free again (issue 12).
 *
 * npm passes these two signals on to its direct child only; before package.json `exec`ed the
 * stack, that child was `sh -c`, which died of a SIGTERM alone (leaving the stack running,
 * orphaned) and held a SIGINT until its child exited (so nothing stopped at all).
 */

import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from '../../local/ports.ts';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const STARTUP_TIMEOUT_MS = 60_000;

interface Proc {
  pid: number;
  args: string;
}

/** Every live (non-zombie) descendant of `root`, with its command line, from `ps`. */
function descendants(root: number): Proc[] {
  const rows = execFileSync('ps', ['-A', '-o', 'pid=,ppid=,stat=,args='], { encoding: 'utf8' })
    .trim()
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .map(([pid, ppid, stat, ...args]) => ({
      pid: Number(pid),
      ppid: Number(ppid),
      stat: stat ?? '',
      args: args.join(' '),
    }));
  const found: Proc[] = [];
  const queue = [root];
  while (queue.length > 0) {
    const parent = queue.shift();
    for (const row of rows) {
      if (row.ppid === parent && !row.stat.startsWith('Z')) {
        found.push({ pid: row.pid, args: row.args });
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
  try {
    const stat = execFileSync('ps', ['-o', 'stat=', '-p', String(pid)], { encoding: 'utf8' });
    return !stat.trim().startsWith('Z'); // a zombie has exited
  } catch {
    return false;
  }
}

/** TCP ports the given processes listen on, from `ss` (Linux); empty where there is no `ss`. */
function listeningPorts(pids: number[]): number[] {
  let out: string;
  try {
    out = execFileSync('ss', ['-H', '-ltnp'], { encoding: 'utf8' });
  } catch {
    return [];
  }
  const ports = new Set<number>();
  for (const line of out.split('\n')) {
    // State, Recv-Q, Send-Q, local address:port, peer address:port, process.
    const port = /:(\d+)$/.exec(line.trim().split(/\s+/)[3] ?? '')?.[1];
    const owners = [...line.matchAll(/pid=(\d+)/g)].map((m) => Number(m[1]));
    if (port && owners.some((pid) => pids.includes(pid))) ports.add(Number(port));
  }
  return [...ports];
}

async function portIsFree(port: number): Promise<boolean> {
  const server = createServer();
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    return true;
  } catch {
    return false;
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

let npm: ChildProcess | undefined;
let tree: Proc[] = [];
let stateFile = '';

afterEach(() => {
  // Only when a test failed half-way: never leave a stack behind.
  for (const pid of [npm?.pid, ...tree.map((p) => p.pid)]) {
    if (pid !== undefined && alive(pid)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
  }
  npm = undefined;
  tree = [];
  if (stateFile) rmSync(stateFile, { force: true });
});

describe('npm start under a signal sent to npm', () => {
  it.each(['SIGTERM', 'SIGINT'] as const)(
    '%s to the npm process stops every process of the tree and frees the ports',
    async (signal) => {
      const port = await freePort();
      stateFile = join(tmpdir(), `sms-relay-signals-${process.pid}-${signal}-${Date.now()}.json`);
      // `npm` from PATH, as a user types it; the Node running these tests first on PATH, so npm
      // and the `node` of the start script are the project's Node 24.
      npm = spawn('npm', ['start'], {
        cwd: repoRoot,
        env: {
          ...process.env,
          PATH: `${dirname(process.execPath)}${delimiter}${process.env.PATH ?? ''}`,
          PORT: String(port),
          SMS_RELAY_STATE_FILE: stateFile,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const child = npm;
      let stdout = '';
      let stderr = '';
      child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
        stdout += chunk;
      });
      child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
        stderr += chunk;
      });
      const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>(
        (resolve) => child.once('exit', (code, sig) => resolve({ code, signal: sig })),
      );

      // Up: the four lines printed.
      const deadline = Date.now() + STARTUP_TIMEOUT_MS;
      while (!/^Alibaba receipt URL: \S+$/m.test(stdout)) {
        if (child.exitCode !== null || child.signalCode !== null || Date.now() > deadline) {
          throw new Error(`npm start did not come up\n${stdout}\n${stderr}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      const callbackPort = Number(
        new URL(/^Status callback URL: (\S+)$/m.exec(stdout)?.[1] ?? 'http://x:0').port,
      );

      tree = descendants(child.pid as number);
      const args = tree.map((p) => p.args).join('\n');
      expect(args).toContain('local/start.ts');
      expect(args).toMatch(/serverless\S* offline start/);
      const ports = [...new Set([port, callbackPort, ...listeningPorts(tree.map((p) => p.pid))])];
      for (const held of [port, callbackPort]) expect(await portIsFree(held)).toBe(false);

      child.kill(signal);
      const exit = await exited;
      // npm waits for the stack it runs, which exits 0 once everything is stopped.
      expect(exit, stderr).toEqual({ code: 0, signal: null });
      expect(stderr).toContain(`${signal}: stopping the local stack...`);

      const grace = Date.now() + 5_000;
      while (tree.some((p) => alive(p.pid)) && Date.now() < grace) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(tree.filter((p) => alive(p.pid))).toEqual([]);
      const stillHeld: number[] = [];
      for (const held of ports) if (!(await portIsFree(held))) stillHeld.push(held);
      expect(stillHeld).toEqual([]);
      expect(existsSync(stateFile)).toBe(false);
    },
    STARTUP_TIMEOUT_MS + 30_000,
  );
});
