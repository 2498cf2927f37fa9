/**
 * Runs the Huawei sandbox alone:
 *   node sandbox/cli.ts [--port 9090] [--host 127.0.0.1]
 *                       [--app-key K --app-secret S --sender isms...] [--slow-ms 3000]
 */
import { parseArgs } from 'node:util';
import { LOCAL_APP, type SandboxApp, startSandbox } from './server.ts';

const USAGE =
  'Usage: node sandbox/cli.ts [--port 9090] [--host 127.0.0.1] ' +
  '[--app-key K --app-secret S --sender isms...] [--slow-ms 3000]\n';

function fail(message: string, usage = true): never {
  process.stderr.write(`${message}\n${usage ? USAGE : ''}`);
  process.exit(2);
}

const OPTIONS = {
  port: { type: 'string', default: '9090' },
  host: { type: 'string', default: '127.0.0.1' },
  'app-key': { type: 'string' },
  'app-secret': { type: 'string' },
  sender: { type: 'string', multiple: true },
  'slow-ms': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

function parse() {
  try {
    return parseArgs({ options: OPTIONS, strict: true });
  } catch (error) {
    return fail(error instanceof Error ? error.message : String(error));
  }
}

const { values } = parse();
if (values.help) {
  process.stdout.write(USAGE);
  process.exit(0);
}

const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`invalid --port: ${values.port}`);
const custom = values['app-key'] !== undefined || values['app-secret'] !== undefined;
if (custom && (!values['app-key'] || !values['app-secret'])) {
  fail('--app-key and --app-secret go together');
}
const app: SandboxApp = custom
  ? {
      appKey: values['app-key'] ?? '',
      appSecret: values['app-secret'] ?? '',
      senders: values.sender ?? LOCAL_APP.senders,
    }
  : { ...LOCAL_APP, senders: values.sender ?? LOCAL_APP.senders };
const slowMs = values['slow-ms'] === undefined ? undefined : Number(values['slow-ms']);
if (slowMs !== undefined && !(slowMs >= 0)) fail(`invalid --slow-ms: ${values['slow-ms']}`);

const sandbox = await startSandbox({
  apps: [app],
  host: values.host,
  port,
  ...(slowMs === undefined ? {} : { slowMs }),
  log: (line) => process.stdout.write(`${new Date().toISOString()} ${line}\n`),
}).catch((error: unknown) =>
  fail(`cannot listen: ${error instanceof Error ? error.message : String(error)}`, false),
);

process.stdout.write(`Huawei sandbox listening on ${sandbox.url}\n`);
process.stdout.write(`App key: ${app.appKey}\n`);
// Only the built-in local secret is printed: a secret passed on the command line stays unseen.
if (!custom) process.stdout.write(`App secret: ${app.appSecret}\n`);
process.stdout.write(`Sender: ${app.senders.join(', ')}\n`);

let stopping = false;
const stop = (signal: string) => {
  if (stopping) return;
  stopping = true;
  process.stdout.write(`${signal}: stopping the sandbox\n`);
  sandbox.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.on('SIGINT', () => stop('SIGINT'));
process.on('SIGTERM', () => stop('SIGTERM'));
