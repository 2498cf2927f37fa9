/**
 * The Huawei sandbox's command line (`node sandbox/cli.ts [--provider huawei] ...`):
 *   node sandbox/cli.ts [--port 9090] [--host 127.0.0.1]
 *                       [--app-key K --app-secret S --sender isms...] [--slow-ms 3000] [--latency-ms 0]
 *                       [--push-ak AK --push-sk SK] [--report-url URL] [--delivery-delay-ms 1000]
 */
import { parseArgs } from 'node:util';
import { fail, stopOnSignals } from '../common/cli.ts';
import { redactUrl } from '../common/post.ts';
import { LOCAL_APP, type SandboxApp, startSandbox } from './server.ts';

export const HUAWEI_USAGE =
  'Usage: node sandbox/cli.ts [--provider huawei] [--port 9090] [--host 127.0.0.1] ' +
  '[--app-key K --app-secret S --sender isms...] [--slow-ms 3000] [--latency-ms 0] ' +
  '[--push-ak AK --push-sk SK] [--report-url URL] [--delivery-delay-ms 1000]\n';

const USAGE = HUAWEI_USAGE;

const OPTIONS = {
  port: { type: 'string', default: '9090' },
  host: { type: 'string', default: '127.0.0.1' },
  'app-key': { type: 'string' },
  'app-secret': { type: 'string' },
  sender: { type: 'string', multiple: true },
  'slow-ms': { type: 'string' },
  'latency-ms': { type: 'string' },
  'push-ak': { type: 'string' },
  'push-sk': { type: 'string' },
  'report-url': { type: 'string' },
  'delivery-delay-ms': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

function parse(args: string[]) {
  try {
    return parseArgs({ args, options: OPTIONS, strict: true });
  } catch (error) {
    return fail(error instanceof Error ? error.message : String(error), USAGE);
  }
}

/** Parses the Huawei flags, starts the sandbox, prints where it listens, stops on SIGINT/SIGTERM. */
export async function runHuaweiSandbox(args: string[]): Promise<void> {
  const { values } = parse(args);
  if (values.help) {
    process.stdout.write(USAGE);
    process.exit(0);
  }

  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    fail(`invalid --port: ${values.port}`, USAGE);
  const custom = values['app-key'] !== undefined || values['app-secret'] !== undefined;
  if (custom && (!values['app-key'] || !values['app-secret'])) {
    fail('--app-key and --app-secret go together', USAGE);
  }
  const app: SandboxApp = custom
    ? {
        appKey: values['app-key'] ?? '',
        appSecret: values['app-secret'] ?? '',
        senders: values.sender ?? LOCAL_APP.senders,
      }
    : { ...LOCAL_APP, senders: values.sender ?? LOCAL_APP.senders };
  const latencyMs = values['latency-ms'] === undefined ? undefined : Number(values['latency-ms']);
  if (latencyMs !== undefined && !(latencyMs >= 0))
    fail(`invalid --latency-ms: ${values['latency-ms']}`, USAGE);
  const slowMs = values['slow-ms'] === undefined ? undefined : Number(values['slow-ms']);
  if (slowMs !== undefined && !(slowMs >= 0))
    fail(`invalid --slow-ms: ${values['slow-ms']}`, USAGE);
  const pushAk = values['push-ak'];
  const pushSk = values['push-sk'];
  if ((pushAk === undefined) !== (pushSk === undefined) || pushAk === '' || pushSk === '') {
    fail('--push-ak and --push-sk go together', USAGE);
  }
  const pushKey = pushAk && pushSk ? { ak: pushAk, sk: pushSk } : undefined;
  const reportUrl = values['report-url'];
  if (reportUrl !== undefined && !/^https?:\/\/[^/?#]+/.test(reportUrl)) {
    fail(`invalid --report-url: ${reportUrl}`, USAGE);
  }
  const deliveryDelayMs =
    values['delivery-delay-ms'] === undefined ? undefined : Number(values['delivery-delay-ms']);
  if (deliveryDelayMs !== undefined && !(deliveryDelayMs >= 0)) {
    fail(`invalid --delivery-delay-ms: ${values['delivery-delay-ms']}`, USAGE);
  }

  const sandbox = await startSandbox({
    apps: [app],
    host: values.host,
    port,
    ...(slowMs === undefined ? {} : { slowMs }),
    ...(latencyMs === undefined ? {} : { latencyMs }),
    ...(pushKey ? { pushKey } : {}),
    ...(reportUrl === undefined ? {} : { reportUrl }),
    ...(deliveryDelayMs === undefined ? {} : { deliveryDelayMs }),
    log: (line) => process.stdout.write(`${new Date().toISOString()} ${line}\n`),
  }).catch((error: unknown) =>
    fail(`cannot listen: ${error instanceof Error ? error.message : String(error)}`),
  );

  process.stdout.write(`Huawei sandbox listening on ${sandbox.url}\n`);
  process.stdout.write(`App key: ${app.appKey}\n`);
  // Only the built-in local secret is printed: a secret passed on the command line stays unseen.
  if (!custom) process.stdout.write(`App secret: ${app.appSecret}\n`);
  process.stdout.write(`Sender: ${app.senders.join(', ')}\n`);
  // The pushing SK, like a custom app secret, is never printed.
  process.stdout.write(`Pushes: ${pushKey ? `signed with AK ${pushKey.ak}` : 'unsigned'}\n`);
  if (reportUrl !== undefined) process.stdout.write(`Batch report URL: ${redactUrl(reportUrl)}\n`);

  stopOnSignals(sandbox);
}
