import { type ChildProcess, spawn } from 'node:child_process';
import { realpathSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import { stripVTControlCharacters } from 'node:util';
import { Pool } from 'undici';
import { maskLine } from './maskLine.ts';
import { repoRoot } from './serverlessYml.ts';

/**
 * serverless-offline 14.8.2 as a child process (`serverless offline start`, the project's own
 * osls), running the real handlers bundled by serverless-esbuild. The child leads its own process
 * group, so stopping it also stops what it started (esbuild's service process); it also stops by
 * itself when this process goes away (local/offlineGuard.ts).
 */
export interface OfflineOptions {
  stage: string;
  httpPort: number;
  lambdaPort: number;
  websocketPort: number;
  albPort: number;
  /** The child's whole environment. */
  env: NodeJS.ProcessEnv;
  /** Each line the child prints (ANSI colours removed). */
  onLine?: (line: string, stream: 'stdout' | 'stderr') => void;
  /** Default 60 s: bundling plus offline's own start take ~3-5 s. */
  startupTimeoutMs?: number;
}

/** What serverless-offline reported once its HTTP server was up. */
export interface OfflineReady {
  /** From "Server ready: <url>". */
  apiBaseUrl: string;
  /** From "Key with token: '<key>'": the x-api-key value private routes accept. */
  apiKey: string | undefined;
  /** Function key (serverless.yml) to Lambda function name, from offline's list. */
  functionNames: Map<string, string>;
}

export interface OfflineExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface Offline {
  pid: number;
  /** Resolves once offline serves HTTP; rejects if it exits or times out first. */
  ready: Promise<OfflineReady>;
  /** Resolves when the child has exited (for any reason). */
  exited: Promise<OfflineExit>;
  /** The last lines of output (for error messages). */
  recentOutput(): string[];
  /** SIGINT to the process group, SIGKILL after `graceMs` (default 8 s); idempotent. */
  stop(graceMs?: number): Promise<OfflineExit>;
}

const KEEP_LINES = 200;

function serverlessBin(): string {
  // The project's `node_modules/.bin/serverless` (osls), run with this very Node (its shebang
  // would pick whichever `node` is first on PATH).
  return realpathSync(join(repoRoot, 'node_modules', '.bin', 'serverless'));
}

function killGroup(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pid, signal);
    return true;
  } catch {
    return false; // ESRCH: nobody left in the group
  }
}

export function startOffline(options: OfflineOptions): Offline {
  const args = [
    '--import',
    pathToFileURL(join(repoRoot, 'local', 'offlineGuard.ts')).href,
    serverlessBin(),
    'offline',
    'start',
    '--stage',
    options.stage,
    '--httpPort',
    String(options.httpPort),
    '--lambdaPort',
    String(options.lambdaPort),
    '--websocketPort',
    String(options.websocketPort),
    '--albPort',
    String(options.albPort),
    // One warm instance of each handler in offline's own process, as a warm Lambda container:
    // worker threads (the default) start one cold instance per concurrent request, and a burst
    // of 50 sends then spends its 15 s starting 50 bundles on a laptop (and GBs of memory).
    '--useInProcess',
  ];
  const child: ChildProcess = spawn(process.execPath, args, {
    cwd: repoRoot,
    env: options.env,
    stdio: ['pipe', 'pipe', 'pipe'],
    detached: true,
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error(`could not start ${process.execPath}`);

  const recent: string[] = [];
  const exited = new Promise<OfflineExit>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  // A spawn error (ENOENT...) is followed by no 'exit' in some cases: report it as one.
  const spawnFailed = new Promise<never>((_, reject) => {
    child.once('error', (err) => reject(err));
  });
  spawnFailed.catch(() => {});

  let resolveReady: (ready: OfflineReady) => void = () => {};
  let rejectReady: (err: Error) => void = () => {};
  const ready = new Promise<OfflineReady>((resolve, reject) => {
    resolveReady = resolve;
    rejectReady = reject;
  });
  ready.catch(() => {}); // observed by the caller; never an unhandled rejection
  let settled = false;
  const startupTimeoutMs = options.startupTimeoutMs ?? 60_000;
  const timer = setTimeout(() => {
    if (settled) return;
    settled = true;
    rejectReady(new Error(`serverless-offline was not ready within ${startupTimeoutMs} ms`));
  }, startupTimeoutMs);

  let apiKey: string | undefined;
  const functionNames = new Map<string, string>();
  const onLine = (raw: string, stream: 'stdout' | 'stderr') => {
    const line = stripVTControlCharacters(raw).trimEnd();
    // Shown when offline fails: without whole phone numbers (request paths carry them).
    recent.push(maskLine(line));
    if (recent.length > KEEP_LINES) recent.shift();
    options.onLine?.(line, stream);
    if (settled) return;
    const fn = /^\s*\* (\S+): (\S+)$/.exec(line);
    if (fn?.[1] && fn[2]) functionNames.set(fn[1], fn[2]);
    const key = /Key with token: '([^']+)'/.exec(line);
    if (key?.[1]) apiKey = key[1];
    const server = /Server ready: (https?:\/\/[^\s/]+)/.exec(line);
    if (server?.[1]) {
      settled = true;
      clearTimeout(timer);
      resolveReady({ apiBaseUrl: server[1], apiKey, functionNames });
    }
  };
  for (const stream of ['stdout', 'stderr'] as const) {
    const readable = child[stream];
    if (readable) createInterface({ input: readable }).on('line', (l) => onLine(l, stream));
  }

  exited.then(({ code, signal }) => {
    clearTimeout(timer);
    if (settled) return;
    settled = true;
    rejectReady(
      new Error(`serverless-offline exited during startup (${describeExit({ code, signal })})`),
    );
  });
  spawnFailed.catch((err: Error) => {
    clearTimeout(timer);
    if (settled) return;
    settled = true;
    rejectReady(new Error(`could not start serverless-offline: ${err.message}`));
  });

  let stopping: Promise<OfflineExit> | undefined;
  return {
    pid,
    ready,
    exited,
    recentOutput: () => [...recent],
    stop(graceMs = 8_000) {
      stopping ??= (async () => {
        if (child.exitCode === null && child.signalCode === null) {
          // SIGINT as Ctrl-C would: offline closes its servers and exits 0.
          killGroup(pid, 'SIGINT');
          const force = setTimeout(() => killGroup(pid, 'SIGKILL'), graceMs);
          await exited;
          clearTimeout(force);
        }
        // Whatever the leader left behind in its group (esbuild's service exits by itself once
        // its parent is gone, but not necessarily before we return).
        killGroup(pid, 'SIGKILL');
        child.stdin?.destroy();
        return exited;
      })();
      return stopping;
    },
  };
}

export function describeExit({ code, signal }: OfflineExit): string {
  return signal ? `killed by ${signal}` : `exit code ${code}`;
}

/** Runs functions inside serverless-offline (see `invoke`); `close` ends its connections. */
export interface OfflineInvoker {
  invoke(functionName: string, event: unknown, timeoutMs: number): Promise<unknown>;
  close(): Promise<void>;
}

/**
 * Runs functions inside serverless-offline through its Lambda Invoke endpoint (the one the AWS
 * SDK's `Invoke` uses), synchronously, and returns the handler's result. A handler error (offline
 * sets `X-Amz-Function-Error: Unhandled`) is thrown, as Lambda's front ends treat it. Invocations
 * share keep-alive connections (undici's pool): every push to a local Function URL is one, and a
 * fetch() per invocation cost about twice the CPU.
 */
export function offlineInvoker(lambdaPort: number): OfflineInvoker {
  const pool = new Pool(`http://127.0.0.1:${lambdaPort}`, { connections: 64 });
  return {
    async invoke(functionName, event, timeoutMs) {
      const res = await pool.request({
        method: 'POST',
        path: `/2015-03-31/functions/${encodeURIComponent(functionName)}/invocations`,
        headers: {
          'content-type': 'application/json',
          'x-amz-invocation-type': 'RequestResponse',
        },
        body: JSON.stringify(event),
        signal: AbortSignal.timeout(timeoutMs),
      });
      const text = await res.body.text();
      if (res.statusCode !== 200) {
        throw new Error(
          `invoking ${functionName} in serverless-offline: ${res.statusCode} ${text}`,
        );
      }
      const payload: unknown = text === '' ? null : JSON.parse(text);
      if (res.headers['x-amz-function-error']) {
        const { errorType, errorMessage } = (payload ?? {}) as Record<string, unknown>;
        throw new Error(`${functionName} failed: ${String(errorType)}: ${String(errorMessage)}`);
      }
      return payload;
    },
    close: () => pool.close(),
  };
}
