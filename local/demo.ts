/**
 * `npm run demo`: sends one SMS through the running local stack (`npm start`), follows its status
 * and prints its status timeline.
 *
 *   node local/demo.ts [+E164 number]     (default +6591234567, delivered by the sandbox)
 *
 * Sends the registry's `demo-otp`, so any number works: +86 goes through Alibaba and the rest
 * through Huawei unless SMS_ROUTES says otherwise; the timeline names the provider.
 *
 * Finds the stack in .sms-relay-local.json (written by `npm start`), or API_BASE_URL + API_KEY.
 * Exits 0 once the message is delivered; 1 with the reason otherwise (stack not running, an error
 * answer, failed/expired/rejected, no final status within DEMO_TIMEOUT_MS [15000]).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { readState, stateFilePath } from './stateFile.ts';

const DEFAULT_TO = '+6591234567';
const FINAL = new Set(['delivered', 'failed', 'expired', 'rejected']);
const POLL_MS = 200;

interface HistoryEntry {
  status: string;
  at: string;
  providerStatus?: string;
  part?: number;
  error?: { code?: string; message?: string };
}
interface MessageView {
  messageId: string;
  to: string;
  provider?: string;
  status: string;
  providerStatus?: string;
  error?: { code?: string; message?: string };
  history?: HistoryEntry[];
}

const out = (line = '') => process.stdout.write(`${line}\n`);

function fail(reason: string): never {
  clearProgress();
  process.stderr.write(`npm run demo: ${reason}\n`);
  process.exit(1);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Where the stack is: API_BASE_URL + API_KEY, else the state file `npm start` writes. */
function target(): { baseUrl: string; apiKey: string } {
  const { API_BASE_URL: baseUrl, API_KEY: apiKey } = process.env;
  if (baseUrl && apiKey) return { baseUrl: baseUrl.replace(/\/+$/, ''), apiKey };
  if (baseUrl || apiKey) fail('set both API_BASE_URL and API_KEY, or neither');
  const path = stateFilePath();
  const state = readState(path);
  if (!state) {
    fail(`the local stack is not running (no ${path}); start it with \`npm start\` first`);
  }
  if (!isAlive(state.pid)) {
    fail(
      `the local stack is not running (${path} is left over from process ${state.pid}); start it with \`npm start\``,
    );
  }
  return { baseUrl: state.apiBaseUrl, apiKey: state.apiKey };
}

// --- progress ------------------------------------------------------------------------------------

const tty = process.stdout.isTTY === true;
const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
let frame = 0;
let progressShown = false;
let lastStatus: string | undefined;

function progress(status: string, elapsedMs: number) {
  if (tty) {
    const spinner = FRAMES[frame++ % FRAMES.length];
    process.stdout.write(`\r\x1b[2K${spinner} ${status} (${(elapsedMs / 1000).toFixed(1)} s)`);
    progressShown = true;
  } else if (status !== lastStatus) {
    out(`  ${(elapsedMs / 1000).toFixed(1)} s: ${status}`);
  }
  lastStatus = status;
}

function clearProgress() {
  if (progressShown) process.stdout.write('\r\x1b[2K');
  progressShown = false;
}

// --- HTTP ------------------------------------------------------------------------------------------

async function call(
  baseUrl: string,
  apiKey: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; json: unknown; text: string }> {
  let res: Response;
  try {
    res = await fetch(`${baseUrl}${path}`, {
      method,
      headers: {
        'x-api-key': apiKey,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(20_000),
    });
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).message;
    fail(`cannot reach the API at ${baseUrl} (${cause}); is \`npm start\` running?`);
  }
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, json, text };
}

function describeError(error: { code?: string; message?: string } | undefined): string {
  return error ? ` (${[error.code, error.message].filter(Boolean).join(': ')})` : '';
}

function printTimeline(view: MessageView) {
  out(`Status timeline of ${view.messageId} (to ${view.to}, through ${view.provider ?? '?'}):`);
  for (const entry of view.history ?? []) {
    const details = [
      entry.providerStatus,
      entry.part === undefined ? undefined : `part ${entry.part}`,
    ].filter(Boolean);
    const line = `  ${entry.at}  ${entry.status.padEnd(9)}  ${details.join(', ')}`;
    out(`${line.trimEnd()}${describeError(entry.error)}`);
  }
}

// --- main ------------------------------------------------------------------------------------------

const to = process.argv[2] ?? DEFAULT_TO;
const timeoutMs = Number(process.env.DEMO_TIMEOUT_MS ?? 15_000);
const { baseUrl, apiKey } = target();

out(`Sending a test SMS to ${to} through ${baseUrl} ...`);
const sent = await call(baseUrl, apiKey, 'POST', '/sms', {
  to,
  templateId: 'demo-otp',
  templateParas: ['123456'],
  reference: 'npm-run-demo',
});
if (sent.status === 403) fail(`POST /sms answered 403: the API key ${apiKey} is not accepted`);
if (sent.status !== 202) fail(`POST /sms answered ${sent.status}: ${sent.text}`);
const first = (sent.json as { messages?: MessageView[] }).messages?.[0];
if (!first) fail(`POST /sms answered 202 without a message: ${sent.text}`);
out(`POST /sms: 202, message ${first.messageId} ${first.status}${describeError(first.error)}`);
if (first.status !== 'accepted')
  fail(`the message was not accepted: ${first.status}${describeError(first.error)}`);

out('Following its status (GET /sms/{id}):');
const started = Date.now();
let view: MessageView | undefined;
for (;;) {
  const got = await call(baseUrl, apiKey, 'GET', `/sms/${first.messageId}`);
  if (got.status !== 200) fail(`GET /sms/${first.messageId} answered ${got.status}: ${got.text}`);
  view = got.json as MessageView;
  const elapsed = Date.now() - started;
  progress(view.status, elapsed);
  if (FINAL.has(view.status) || elapsed >= timeoutMs) break;
  await sleep(POLL_MS);
}
clearProgress();
const seconds = ((Date.now() - started) / 1000).toFixed(1);
out();
printTimeline(view);
out();
if (view.status === 'delivered') {
  out(`Delivered after ${seconds} s.`);
  process.exit(0);
}
fail(
  FINAL.has(view.status)
    ? `not delivered: the message ended ${view.status}${view.providerStatus ? ` (${view.providerStatus})` : ''}`
    : `no final status after ${seconds} s (still ${view.status})`,
);
