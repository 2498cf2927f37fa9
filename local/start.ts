/**
 * `npm start`: the whole service on this machine (SPEC "Local development: two commands").
 *
 *   node local/start.ts [--verbose]
 *
 * Prints, once everything answers, exactly four lines on stdout:
 *   API base URL: http://127.0.0.1:<PORT>
 *   API key: <key>
 *   Status callback URL: <url>
 *   Alibaba receipt URL: <url>/alibaba?token=<receipt token>
 * (also written to .sms-relay-local.json), then stays up until Ctrl-C / SIGTERM. Everything else
 * (the sandbox's log, serverless-offline's output after startup) goes to stderr, prefixed.
 *
 * Environment:
 *   PORT [3000]                  the API's port
 *   HUAWEI_SMS_ENDPOINT          send to this real Huawei endpoint instead of the sandbox, with
 *   HUAWEI_SMS_APP_KEY, HUAWEI_SMS_APP_SECRET, HUAWEI_SMS_SENDER (required then) and
 *   HUAWEI_SMS_PUSH_KEYS         optional pushing keys `ak:sk,ak:sk`
 *   STATUS_CALLBACK_URL          with a real endpoint only: the public URL Huawei should push to
 *                                (a tunnel to the local callback server; see CALLBACK_PORT)
 *   CALLBACK_PORT                the local status callback's port (default: a free one)
 *   HUAWEI_SMS_AUTH [aksk]       aksk | wsse, passed to the handlers
 *   ALIBABA_SMS_ENDPOINT, ALIBABA_SMS_INTL_ENDPOINT
 *                                send to this real Alibaba account instead of its sandbox (either
 *                                set: the other takes Alibaba's default), with
 *   ALIBABA_SMS_ACCESS_KEY_ID, ALIBABA_SMS_ACCESS_KEY_SECRET (required then) and
 *   ALIBABA_SMS_RECEIPT_TOKEN    optional: the receipt URL's token (default: a random one)
 *   SMS_ROUTES                   passed to the handlers (default: +86 to Alibaba, the rest to Huawei)
 *   SANDBOX_DELIVERY_DELAY_MS    [1000] how long the sandbox takes to deliver
 *   DEBUG (any value) or --verbose: also show serverless-offline's output while it starts
 */
import { performance } from 'node:perf_hooks';
import {
  type LocalStack,
  LocalStackError,
  type RealAlibaba,
  type RealHuawei,
  startLocalStack,
} from './stack.ts';
import { removeState, stateFilePath, writeState } from './stateFile.ts';

const verbose =
  process.argv.includes('--verbose') || process.argv.includes('-v') || !!process.env.DEBUG;
const log = (line: string) => process.stderr.write(`${line}\n`);

function fail(message: string, details: string[] = []): never {
  if (details.length > 0) {
    log('--- last output of serverless-offline ---');
    for (const line of details.slice(-40)) log(line);
    log('---');
  }
  log(`npm start: ${message}`);
  process.exit(1);
}

function port(name: string, fallback: number | undefined): number | undefined {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1 || value > 65535) {
    fail(`${name} must be a port number (1-65535), not ${JSON.stringify(raw)}`);
  }
  return value;
}

/** `ak:sk,ak:sk` (the SK may itself contain ':'). */
function pushKeys(raw: string | undefined): Record<string, string> | undefined {
  if (!raw) return undefined;
  const keys: Record<string, string> = {};
  for (const pair of raw.split(',')) {
    const at = pair.indexOf(':');
    const ak = pair.slice(0, at).trim();
    const sk = pair.slice(at + 1).trim();
    if (at < 1 || ak === '' || sk === '') fail('HUAWEI_SMS_PUSH_KEYS must look like ak:sk,ak:sk');
    keys[ak] = sk;
  }
  return keys;
}

/** The real Huawei application when HUAWEI_SMS_ENDPOINT is set; undefined for the sandbox. */
function realHuawei(env: NodeJS.ProcessEnv): RealHuawei | undefined {
  const endpoint = env.HUAWEI_SMS_ENDPOINT;
  if (!endpoint) return undefined;
  const required = ['HUAWEI_SMS_APP_KEY', 'HUAWEI_SMS_APP_SECRET', 'HUAWEI_SMS_SENDER'];
  const missing = required.filter((name) => !env[name]);
  if (missing.length > 0) {
    fail(`HUAWEI_SMS_ENDPOINT is set, so ${missing.join(', ')} must be set too`);
  }
  const keys = pushKeys(env.HUAWEI_SMS_PUSH_KEYS);
  return {
    endpoint,
    appKey: env.HUAWEI_SMS_APP_KEY ?? '',
    appSecret: env.HUAWEI_SMS_APP_SECRET ?? '',
    sender: env.HUAWEI_SMS_SENDER ?? '',
    ...(keys ? { pushKeys: keys } : {}),
    ...(env.STATUS_CALLBACK_URL ? { statusCallbackUrl: env.STATUS_CALLBACK_URL } : {}),
  };
}

/** The real Alibaba account when either Alibaba endpoint is set; undefined for its sandbox. */
function realAlibaba(env: NodeJS.ProcessEnv): RealAlibaba | undefined {
  if (!env.ALIBABA_SMS_ENDPOINT && !env.ALIBABA_SMS_INTL_ENDPOINT) return undefined;
  const required = ['ALIBABA_SMS_ACCESS_KEY_ID', 'ALIBABA_SMS_ACCESS_KEY_SECRET'];
  const missing = required.filter((name) => !env[name]);
  if (missing.length > 0) {
    fail(`an Alibaba endpoint is set, so ${missing.join(', ')} must be set too`);
  }
  const token = env.ALIBABA_SMS_RECEIPT_TOKEN;
  if (token !== undefined && token !== '' && token.length < 16) {
    fail('ALIBABA_SMS_RECEIPT_TOKEN must have at least 16 characters');
  }
  return {
    endpoint: env.ALIBABA_SMS_ENDPOINT || 'https://dysmsapi.aliyuncs.com',
    intlEndpoint: env.ALIBABA_SMS_INTL_ENDPOINT || 'https://dysmsapi.ap-southeast-1.aliyuncs.com',
    accessKeyId: env.ALIBABA_SMS_ACCESS_KEY_ID ?? '',
    accessKeySecret: env.ALIBABA_SMS_ACCESS_KEY_SECRET ?? '',
    ...(token ? { receiptToken: token } : {}),
  };
}

const httpPort = port('PORT', 3000) as number;
const callbackPort = port('CALLBACK_PORT', undefined);
const huawei = realHuawei(process.env);
const alibaba = realAlibaba(process.env);
const delayRaw = process.env.SANDBOX_DELIVERY_DELAY_MS;
const deliveryDelayMs = delayRaw ? Number(delayRaw) : undefined;
if (deliveryDelayMs !== undefined && !(Number.isInteger(deliveryDelayMs) && deliveryDelayMs >= 0)) {
  fail(`SANDBOX_DELIVERY_DELAY_MS must be whole milliseconds, not ${JSON.stringify(delayRaw)}`);
}
const statePath = stateFilePath();

log(
  `Starting sms-relay locally: serverless-offline, dynalite, Secrets Manager endpoint, ${
    huawei ? `real Huawei endpoint ${huawei.endpoint}` : 'Huawei sandbox'
  }, ${alibaba ? `real Alibaba endpoints ${alibaba.endpoint} ${alibaba.intlEndpoint}` : 'Alibaba sandbox'}...`,
);

// Signals: during startup they abort it; afterwards they stop the stack. A second one forces.
const aborter = new AbortController();
let stack: LocalStack | undefined;
let stopping = false;
let firstSignalAt = 0;
const stop = async (reason: string, exitCode: number) => {
  if (stopping) {
    // npm may pass on the Ctrl-C the terminal already sent us: only a later one means "force".
    if (Date.now() - firstSignalAt < 1_000) return;
    log(`${reason} again: forcing`);
    if (stack) {
      try {
        process.kill(-stack.offlinePid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    removeState(statePath, process.pid);
    process.exit(1);
  }
  stopping = true;
  firstSignalAt = Date.now();
  if (!stack) {
    aborter.abort();
    return; // the startup path stops what it started and exits
  }
  log(`${reason}: stopping the local stack...`);
  removeState(statePath, process.pid);
  await stack.stop();
  log('Stopped.');
  process.exit(exitCode);
};
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => void stop(signal, 0));
}
// Under `npm start`, npm passes SIGINT and SIGTERM on to its own child only, and a `sh -c` in
// between would keep them (SIGINT) or die of them alone (SIGTERM): package.json `exec`s this
// process, so that child is this one. Should npm (or that shell) go all the same (SIGKILL, a
// runner without `exec`), this process is re-parented: the stack stops too, never orphaned.
if (process.env.npm_lifecycle_event) {
  const parent = process.ppid;
  const watch = setInterval(() => {
    if (stopping) clearInterval(watch);
    else if (process.ppid !== parent) {
      clearInterval(watch);
      void stop(`parent process ${parent} is gone`, 1);
    }
  }, 500);
  watch.unref();
}
// However this process ends, it does not leave a state file pointing at a dead stack.
process.on('exit', () => removeState(statePath, process.pid));

try {
  stack = await startLocalStack({
    httpPort,
    ...(huawei ? { huawei } : {}),
    ...(alibaba ? { alibaba } : {}),
    ...(deliveryDelayMs !== undefined ? { deliveryDelayMs } : {}),
    ...(callbackPort ? { callbackPort } : {}),
    log,
    logStartup: verbose,
    signal: aborter.signal,
  });
} catch (err) {
  if (aborter.signal.aborted) {
    log('Startup interrupted; everything started was stopped.');
    process.exit(0);
  }
  const details = err instanceof LocalStackError ? err.details : [];
  fail(`could not start the local stack: ${(err as Error).message}`, details);
}
const running = stack;

// The file first: whoever reacts to the four lines can read it at once.
writeState(statePath, {
  apiBaseUrl: running.apiBaseUrl,
  apiKey: running.apiKey,
  statusCallbackUrl: running.statusCallbackUrl,
  alibabaReceiptUrl: running.alibabaReceiptUrl,
  pid: process.pid,
  startedAt: new Date().toISOString(),
});
process.stdout.write(
  `API base URL: ${running.apiBaseUrl}\nAPI key: ${running.apiKey}\n` +
    `Status callback URL: ${running.statusCallbackUrl}\n` +
    `Alibaba receipt URL: ${running.alibabaReceiptUrl}\n`,
);

const seconds = (performance.now() / 1000).toFixed(1);
log(`Ready in ${seconds} s (Ctrl-C to stop). Try it:`);
log(
  `  curl -i -H 'x-api-key: ${running.apiKey}' -H 'content-type: application/json' \\\n` +
    `    -d '{"to":"+6591234567","templateId":"demo-otp","templateParas":["123456"]}' ${running.apiBaseUrl}/sms`,
);
log('  npm run demo                    # through Huawei (+65)');
log('  npm run demo -- +8613800138000    # through Alibaba (+86)');
if ((huawei || alibaba) && running.statusCallbackUrl !== running.functionUrls.statusCallback) {
  log(`The status callback listens locally on ${running.functionUrls.statusCallback}`);
}
if (alibaba) {
  log(
    "Alibaba cannot reach 127.0.0.1: expose the local callback through an HTTPS tunnel and set the tunnel's /alibaba?token=... URL in Alibaba's console.",
  );
}

// A part that dies takes the whole stack down, loudly.
running.offlineExited.then(async (exit) => {
  if (stopping) return;
  stopping = true;
  const how = exit.signal ? `killed by ${exit.signal}` : `exit code ${exit.code}`;
  removeState(statePath, process.pid);
  await running.stop();
  fail(
    `serverless-offline exited unexpectedly (${how}); the local stack is down`,
    running.recentOutput(),
  );
});
